"""Time and study days. The clock is injectable: QUIZDL_NOW freezes it for tests and simulation."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from quizdl.errors import QuizdlError

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def parse_now(text: str, zone: tzinfo | None = None) -> datetime:
    """QUIZDL_NOW as a UTC moment; a naive time is the learner's local time (`zone`, else the system's)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise QuizdlError(
            f"QUIZDL_NOW={text!r} is not an ISO-8601 datetime; use e.g. 2026-01-31T09:30:00+01:00"
        ) from None
    if moment.tzinfo is None:  # a naive time means the learner's local time
        moment = moment.replace(tzinfo=zone) if zone is not None else moment.astimezone()
    return moment.astimezone(UTC)


def clock_from_env(zone: tzinfo | None = None) -> Clock:
    text = os.environ.get("QUIZDL_NOW")
    if not text:
        return system_clock
    frozen = parse_now(text, zone)
    return lambda: frozen


def local_zone(name: str | None) -> tzinfo | None:
    """The learner's time zone: an IANA name, or None for the system's local zone."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise QuizdlError(f"timezone {name!r} is unknown; use an IANA name such as Europe/Paris") from None


def study_day(moment: datetime, zone: tzinfo | None = None, rollover_hour: int = 4) -> date:
    """The learner's local day for `moment`; before `rollover_hour` it still counts as the day before."""
    local = moment.astimezone(zone)
    return (local - timedelta(hours=rollover_hour)).date()
