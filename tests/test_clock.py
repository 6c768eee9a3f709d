from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from quizdl.clock import clock_from_env, local_zone, parse_now, study_day
from quizdl.errors import QuizdlError


def test_rollover_hour_keeps_late_night_on_the_same_day() -> None:
    paris = ZoneInfo("Europe/Paris")
    assert study_day(datetime(2026, 5, 1, 1, 30, tzinfo=UTC), paris, 4) == date(2026, 4, 30)  # 03:30 Paris
    assert study_day(datetime(2026, 5, 1, 2, 30, tzinfo=UTC), paris, 4) == date(2026, 5, 1)  # 04:30 Paris
    assert study_day(datetime(2026, 5, 1, 1, 30, tzinfo=UTC), paris, 0) == date(2026, 5, 1)


def test_quizdl_now_freezes_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUIZDL_NOW", "2026-02-03T09:00:00+02:00")
    assert clock_from_env()() == datetime(2026, 2, 3, 7, 0, tzinfo=UTC)


def test_bad_now_and_bad_zone_are_clear_errors() -> None:
    with pytest.raises(QuizdlError, match="QUIZDL_NOW='yesterday' is not an ISO-8601"):
        parse_now("yesterday")
    with pytest.raises(QuizdlError, match="timezone 'Mars/Olympus' is unknown"):
        local_zone("Mars/Olympus")
