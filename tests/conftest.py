"""Shared fixtures: every test gets its own data dir, and storage tests run on SQLite and PostgreSQL.

PostgreSQL: set QUIZDL_TEST_PG_URL to a server URL whose user may create databases (`.ci/run` does).
Without it, PostgreSQL cases are skipped locally but FAIL under CI=true: CI never skips them silently.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

ENV_VARS = ("QUIZDL_HOME", "QUIZDL_DB", "QUIZDL_PROFILE", "QUIZDL_NOW", "QUIZDL_TZ", "QUIZDL_NEW_PER_DAY",
            "QUIZDL_ROLLOVER_HOUR")  # fmt: skip


@pytest.fixture(autouse=True)
def quizdl_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private data dir per test, UTC days, and no inherited quizdl settings: no test touches the real home."""
    for var in ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    home = tmp_path / "home"
    monkeypatch.setenv("QUIZDL_HOME", str(home))
    monkeypatch.setenv("QUIZDL_TZ", "UTC")
    monkeypatch.setenv("COLUMNS", "100")
    return home


def _pg_admin_url() -> str | None:
    return os.environ.get("QUIZDL_TEST_PG_URL")


@pytest.fixture(scope="session")
def pg_server() -> str:
    url = _pg_admin_url()
    if not url:
        if os.environ.get("CI"):
            pytest.fail("QUIZDL_TEST_PG_URL is not set: CI must run the PostgreSQL storage tests")
        pytest.skip("PostgreSQL tests need QUIZDL_TEST_PG_URL (CI sets it)")
    return url


def fresh_pg_database(admin_url: str) -> Iterator[str]:
    """Create a throw-away database on the server and drop it afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"quizdl_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL: an SQLite file, then a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    admin_url = request.getfixturevalue("pg_server")
    yield from fresh_pg_database(admin_url)


@pytest.fixture
def engine(db_url: str):  # type: ignore[no-untyped-def]
    from quizdl.store.engine import open_engine

    eng = open_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, args: list[str], input: str | None = None, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """Run the CLI in-process; assert on `.exit_code` with `.output` as the message."""
    from quizdl.cli.app import app

    return runner.invoke(app, args, input=input, env=env, catch_exceptions=False)
