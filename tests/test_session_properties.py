"""Invariants of real quiz sessions over generated scripts (grades, skips, undos, quits, days, two profiles).

- the review log replayed gives exactly the stored card states (what `db rebuild` relies on);
- a session never shows more cards than --limit;
- a card whose latest non-cram grade of the day is 4 or more is never re-drilled after it;
- read-only work (stats, reports, export) leaves the database file byte-identical.
"""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from quizdl.bank.model import Bank
from quizdl.reports.progress_file import export_progress
from quizdl.reports.stats import build_class_report, build_report
from quizdl.store import repo
from quizdl.store.engine import open_engine
from quizdl.store.schema import Review
from tests.sessions import StepClock, run_sequence, tiny_bank

DAY0 = date(2026, 3, 2)
COMMAND = st.sampled_from(["0", "1", "2", "3", "4", "5", "5", "4", "s", "u", "u", "q"])
SESSION = st.tuples(st.booleans(), st.lists(COMMAND, max_size=16), st.one_of(st.none(), st.integers(1, 6)))
DAYS = st.lists(st.tuples(st.integers(0, 3), st.lists(SESSION, min_size=1, max_size=3)), min_size=1, max_size=4)


def states(engine: Engine, pid: int) -> dict[str, object]:
    with engine.connect() as conn:
        return dict(repo.card_states(conn, pid))


def play(engine: Engine, name: str, days: list) -> tuple[int, list[tuple[int | None, int]]]:  # type: ignore[type-arg]
    """Run the script; returns the profile id and (limit, cards shown) per session."""
    pid = repo.ensure_profile(engine, name, datetime(2026, 3, 1, tzinfo=UTC))
    shown: list[tuple[int | None, int]] = []
    day = DAY0
    moment = datetime(2026, 3, 1, tzinfo=UTC)
    for gap, sessions in days:
        day += timedelta(days=gap)
        for cram, commands, limit in sessions:
            # Time only moves forward, as on a real machine: two script entries for the same day must not
            # replay the same minutes (the log's order, which re-drills follow, is by time).
            moment = max(moment + timedelta(minutes=30), datetime(day.year, day.month, day.day, 9, tzinfo=UTC))
            clock = StepClock(moment)
            _, ui = run_sequence(engine, pid, tiny_bank(6), day, commands, cram=cram, limit=limit, new_per_day=3,
                                 clock=clock)  # fmt: skip
            distinct_showings = len(ui.shown) - sum(1 for c in commands[: len(ui.shown)] if c == "u")
            shown.append((limit, max(ui.shown[-1][2] if ui.shown else 0, 0)))
            moment = clock.now
            assert distinct_showings >= 0
            for _, _, position, total in ui.shown:
                assert limit is None or (position <= limit and total <= limit), (position, total, limit)
    return pid, shown


def never_redrilled_after_a_pass(engine: Engine, pid: int) -> None:
    with engine.connect() as conn:
        rows = conn.execute(
            select(Review.question_id, Review.study_day, Review.kind, Review.grade)
            .where(Review.profile_id == pid, Review.kind != "cram")
            .order_by(Review.reviewed_at, Review.id)
        ).all()
    last: dict[tuple[str, date], int] = {}
    for qid, day, kind, grade in rows:
        if kind == "redrill":
            assert last.get((qid, day), 0) < 4, f"{qid} re-drilled on {day} after a grade {last.get((qid, day))}"
        last[(qid, day)] = grade


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ana=DAYS, ben=DAYS)
def test_session_invariants(tmp_path_factory, ana, ben) -> None:  # type: ignore[no-untyped-def]
    db = Path(tmp_path_factory.mktemp("inv")) / "q.db"
    engine = open_engine(f"sqlite:///{db}")
    try:
        for name, script in (("ana", ana), ("ben", ben)):
            pid, shown = play(engine, name, script)
            for limit, last_position in shown:
                assert limit is None or last_position <= limit
            never_redrilled_after_a_pass(engine, pid)
        live = {p: states(engine, p) for p in repo.profile_names(engine)}
        repo.rebuild_cards(engine)
        assert {p: states(engine, p) for p in repo.profile_names(engine)} == live
        # read-only work leaves the file byte-identical
        with contextlib.closing(sqlite3.connect(db)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = db.read_bytes()
        bank = Bank(tuple(tiny_bank(6)), {})
        today = DAY0 + timedelta(days=12)
        for pid in repo.profile_names(engine):
            build_report(engine, pid, bank, today, None)
            export_progress(engine, pid, datetime(2026, 4, 1, tzinfo=UTC))
        build_class_report(engine, bank, today, None)
        assert db.read_bytes() == before
    finally:
        engine.dispose()
