"""Backups of histories made by real quiz sessions restore: the real writer meets the real reader.

Every history here is made by driving the session core or the scripted CLI: several days, re-drills,
undo, skips, cram and two profiles. A hypothesis property test generates such session scripts, exports,
imports into an empty database and exports again; the payload must not change, and a merge re-import of
the same file must add nothing.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from quizdl.reports.progress_file import canonical, dump_progress, export_progress, import_progress, load_progress
from quizdl.store import repo
from quizdl.store.engine import open_engine
from quizdl.store.schema import StudySession
from tests.cli.helpers import TOPIC, script, write_bank
from tests.conftest import fresh_pg_database, invoke
from tests.sessions import run_sequence, tiny_bank

NOW = datetime(2026, 4, 1, 12, tzinfo=UTC)
DAY0 = date(2026, 3, 2)


def comparable(document: dict[str, Any]) -> dict[str, Any]:
    """A progress payload with what legitimately differs between databases taken out: row ids, export time.

    Each review's session is named by the session's start instead of its id."""
    payload = json.loads(json.dumps(document["payload"]))
    starts = {s["id"]: s["started_at"] for s in payload["sessions"]}
    for s in payload["sessions"]:
        s.pop("id")
    for r in payload["reviews"]:
        r["session_id"] = starts.get(r["session_id"])
    payload.pop("exported_at")
    return payload


def round_trip(source: Engine, profile: str, target: Engine) -> tuple[dict[str, Any], dict[str, Any]]:
    """Export `profile` from source, import it into target, export it again: (first, second) documents."""
    pid = repo.find_profile(source, profile)
    assert pid is not None
    first = export_progress(source, pid, NOW)
    data = load_progress(dump_progress(first), f"{profile}.json")
    import_progress(target, data, profile)
    second = export_progress(target, repo.find_profile(target, profile) or 0, NOW)
    return first, second


# -- the new-user sequence, through the CLI --------------------------------------------------------------


def quiz(runner: CliRunner, db_url: str, bank: Path, day: int, stdin: str, *extra: str):  # type: ignore[no-untyped-def]
    now = f"{DAY0 + timedelta(days=day)}T09:00:00+00:00"
    args = ["quiz", "--db", db_url, "--bank", str(bank), "--topic", TOPIC, *extra]
    result = invoke(runner, args, input=stdin, env={"QUIZDL_NOW": now})
    assert result.exit_code == 0, result.output
    return result


def test_a_backup_of_real_sessions_restores_into_a_fresh_data_dir(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    bank = write_bank(tmp_path / "bank", n=5)
    # day 0: two fails re-drilled, an undo; day 1: reviews and a skip; day 1 again: cram; day 2: more reviews
    quiz(runner, db_url, bank, 0, script(("gradients flow", "2"), ("", "5"), ("", "u"), ("", "4"), ("", "1"),
                                         ("", "3"), ("", "4"), ("", "5")), "--new", "3")  # fmt: skip
    quiz(runner, db_url, bank, 1, script(("", "4"), ("", "s"), ("", "5"), ("", "3"), ("", "4")), "--new", "2")
    quiz(runner, db_url, bank, 1, script(("", "2"), ("", "5"), ("", "q")), "--cram")
    quiz(runner, db_url, bank, 2, script(("", "5"), ("", "5"), ("", "4"), ("", "5")), "--new", "5")
    backup = tmp_path / "p.json"
    result = invoke(runner, ["export", "progress", "--db", db_url, "-o", str(backup)])
    assert result.exit_code == 0, result.output
    document = json.loads(backup.read_text(encoding="utf-8"))
    modes = {s["mode"] for s in document["payload"]["sessions"]}
    kinds = {r["kind"] for r in document["payload"]["reviews"]}
    assert modes == {"scheduled", "cram"} and kinds == {"scheduled", "redrill", "cram"}

    fresh_home = tmp_path / "fresh-home"
    env = {"QUIZDL_HOME": str(fresh_home)}
    result = invoke(runner, ["import", "progress", str(backup)], env=env)
    assert result.exit_code == 0, result.output
    again = tmp_path / "again.json"
    result = invoke(runner, ["export", "progress", "-o", str(again)], env=env)
    assert result.exit_code == 0, result.output
    assert comparable(json.loads(again.read_text(encoding="utf-8"))) == comparable(document)
    # a merge re-import of the same backup adds nothing
    result = invoke(runner, ["import", "progress", str(backup), "--merge"], env=env)
    assert result.exit_code == 0, result.output
    assert ": 0 reviews" in result.output and "0 sessions" in result.output, result.output


def test_a_file_written_with_the_legacy_session_mode_imports(engine: Engine) -> None:
    """Version-1 files, written before the vocabulary was unified, may say 'review' (read as 'scheduled')."""
    pid = repo.ensure_profile(engine, "ana", NOW)
    run_sequence(engine, pid, tiny_bank(3), DAY0, ["5", "2", "4", "5"])
    document = export_progress(engine, pid, NOW)
    for s in document["payload"]["sessions"]:
        s["mode"] = "review"
    for r in document["payload"]["reviews"]:  # version 1 had no suggested_grade
        del r["suggested_grade"]
    document["version"] = 1
    document["sha256"] = hashlib.sha256(canonical(document["payload"])).hexdigest()
    target = open_engine("sqlite://")
    import_progress(target, load_progress(dump_progress(document), "old.json"), "ana")
    with target.connect() as conn:
        assert set(conn.execute(select(StudySession.mode)).scalars()) == {"scheduled"}
    target.dispose()


# -- generated session scripts ---------------------------------------------------------------------------

COMMAND = st.sampled_from(["0", "1", "2", "3", "4", "5", "5", "4", "s", "u", "q"])
SESSION = st.tuples(
    st.booleans(),  # cram?
    st.lists(COMMAND, min_size=0, max_size=14),
    st.one_of(st.none(), st.integers(min_value=1, max_value=5)),  # --limit
)
DAY = st.tuples(st.integers(min_value=0, max_value=4), st.lists(SESSION, min_size=1, max_size=2))  # (gap, sessions)
PROFILE_SCRIPT = st.lists(DAY, min_size=1, max_size=4)


def play_script(engine: Engine, profile: str, days: list[tuple[int, list[tuple[bool, list[str], int | None]]]]) -> int:
    """Run a generated script as real sessions of `profile`; returns its id."""
    pid = repo.ensure_profile(engine, profile, NOW)
    bank = tiny_bank(6)
    day = DAY0
    for gap, sessions in days:
        day += timedelta(days=gap)
        for i, (cram, commands, limit) in enumerate(sessions):
            from tests.sessions import StepClock

            clock = StepClock(datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9 + i))
            run_sequence(engine, pid, bank, day, commands, cram=cram, limit=limit, new_per_day=3, clock=clock)
    return pid


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ana=PROFILE_SCRIPT, ben=PROFILE_SCRIPT)
def test_export_import_export_gives_the_same_payload(tmp_path_factory: pytest.TempPathFactory, ana, ben) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("prop")
    source = open_engine(f"sqlite:///{folder / 'source.db'}")
    target = open_engine(f"sqlite:///{folder / 'target.db'}")
    try:
        play_script(source, "ana", ana)
        play_script(source, "ben", ben)
        for profile in ("ana", "ben"):
            first, second = round_trip(source, profile, target)
            assert comparable(second) == comparable(first)
            # merging the same file again adds nothing
            data = load_progress(dump_progress(first), "again.json")
            result = import_progress(target, data, profile, merge=True)
            if first["payload"]["reviews"] or first["payload"]["cards"]:
                assert (result.reviews_added, result.sessions_added) == (0, 0)
            assert comparable(export_progress(target, repo.find_profile(target, profile) or 0, NOW)) == comparable(
                first
            )
    finally:
        source.dispose()
        target.dispose()


# -- across databases ------------------------------------------------------------------------------------


@pytest.mark.postgres
def test_postgresql_to_sqlite_and_back_keeps_the_payload(pg_server: str, tmp_path: Path) -> None:
    databases = [fresh_pg_database(pg_server), fresh_pg_database(pg_server)]
    try:
        pg_source, pg_target = (open_engine(next(d)) for d in databases)
        sqlite = open_engine(f"sqlite:///{tmp_path / 'middle.db'}")
        days = [
            (0, [(False, ["2", "5", "u", "4", "1", "3", "4", "5"], None)]),
            (1, [(False, ["4", "s", "5", "3", "4"], None), (True, ["2", "5", "q"], 3)]),
            (2, [(False, ["5", "5", "4", "5", "0", "4"], 4)]),
        ]
        play_script(pg_source, "ana", days)
        first, middle = round_trip(pg_source, "ana", sqlite)
        assert comparable(middle) == comparable(first)
        _, last = round_trip(sqlite, "ana", pg_target)
        assert comparable(last) == comparable(first)
        for eng in (pg_source, pg_target, sqlite):
            eng.dispose()
    finally:
        for d in databases:
            d.close()
