"""What most commands share: options, settings, the database, the bank and today's date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from quizdl.bank.model import Bank
    from quizdl.clock import Clock
    from quizdl.config import Settings

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="SQLAlchemy database URL (default: SQLite in the data dir; env QUIZDL_DB).",
                 show_default=False),
]  # fmt: skip
ProfileOption = Annotated[
    str | None,
    typer.Option(
        "--profile", "-p", help="Learner profile (env QUIZDL_PROFILE; default 'default').", show_default=False
    ),
]
BankOption = Annotated[
    list[Path] | None,
    typer.Option("--bank", help="Extra question file or folder (repeatable; also `bank` in config.toml).",
                 show_default=False),
]  # fmt: skip
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


@dataclass
class Context:
    settings: Settings
    clock: Clock
    today: date
    _engine: Engine | None = None
    _bank: Bank | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from quizdl.store.engine import open_engine

            self._engine = open_engine(self.settings.db_url)
        return self._engine

    @property
    def bank(self) -> Bank:
        if self._bank is None:
            from quizdl.bank.loader import load_bank
            from quizdl.config import data_dir

            self._bank = load_bank(self.settings.bank_paths, cache_dir=data_dir() / "cache")
        return self._bank

    def profile_id(self) -> int:
        from quizdl.store.repo import ensure_profile

        return ensure_profile(self.engine, self.settings.profile, self.clock())

    def existing_profile_id(self, explicit: str | None = None) -> int:
        """The profile's id for a read-only command: a missing profile is an error, never created."""
        from quizdl.errors import QuizdlError
        from quizdl.store.repo import find_profile

        pid = find_profile(self.engine, self.settings.profile)
        if pid is None:
            hint = "" if explicit else "; run `quizdl quiz` first or choose one with --profile"
            raise QuizdlError(f"profile {self.settings.profile!r} has no history in this database{hint}")
        return pid

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


def make_context(
    db: str | None = None, profile: str | None = None, bank: list[Path] | None = None,
    new_per_day: int | None = None,
) -> Context:  # fmt: skip
    from quizdl.clock import clock_from_env, local_zone, study_day
    from quizdl.config import load_settings

    settings = load_settings(db=db, profile=profile, bank=bank, new_per_day=new_per_day)
    zone = local_zone(settings.timezone)
    clock = clock_from_env(zone)
    today = study_day(clock(), zone, settings.rollover_hour)
    return Context(settings=settings, clock=clock, today=today)


def check_topics(topics: list[str] | None, known: list[str]) -> None:
    from quizdl.errors import QuizdlError

    for topic in topics or []:
        if topic not in known:
            raise QuizdlError(f"--topic {topic!r} is not a topic; choose from: {', '.join(known)}")


def console(width: int | None = None):  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(width=width, highlight=False)


def relative_day(day: object, today: date) -> str:
    assert isinstance(day, date)
    delta = (day - today).days
    if delta <= 0:
        return "today" if delta == 0 else f"overdue since {day.isoformat()}"
    if delta == 1:
        return f"tomorrow ({day.isoformat()})"
    return f"in {delta} days ({day.isoformat()})"
