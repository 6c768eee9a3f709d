"""Open a database by URL, tune SQLite, and bring the schema to the current revision before any access."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError, OperationalError

from quizdl.errors import StoreError

# The newest alembic revision. The fast path compares the stored version with it and skips importing
# alembic (~60 ms) when they match; tests/store/test_migrations.py checks it equals alembic's head.
HEAD_REVISION = "0006"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_HEADER = b"SQLite format 3\x00"


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _check_sqlite_file(path: Path) -> None:
    """Fail early and clearly on a data dir we cannot write or a file that is not an SQLite database."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StoreError(f"cannot create the data directory {folder}: {err.strerror}; set QUIZDL_HOME") from None
    if not os.access(folder, os.W_OK):
        raise StoreError(f"the data directory {folder} is not writable; fix its permissions or set QUIZDL_HOME")
    if path.exists():
        if path.is_dir():
            raise StoreError(f"{path} is a directory, not a database file; point --db at a file")
        with path.open("rb") as handle:
            head = handle.read(16)
        if head and head != SQLITE_HEADER:
            raise StoreError(f"{path} is not an SQLite database; move it away or choose another --db")
        if not os.access(path, os.W_OK):
            raise StoreError(f"the database {path} is read-only; fix its permissions or choose another --db")


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (below)
        cursor = dbapi_connection.cursor()
        # First: wait for another process's write instead of failing. Switching a new file to WAL needs
        # the lock too, so a second process that starts while the first migrates would otherwise fail.
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
        cursor.execute("PRAGMA synchronous=FULL")  # fsync each commit: an answer survives power loss too
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        # IMMEDIATE takes the write lock up front, so two processes never deadlock upgrading a read lock.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def open_engine(url: str, *, migrate: bool = True) -> Engine:
    """An engine for `url` with the schema at HEAD_REVISION. Any failure is a one-line StoreError."""
    try:
        path = _sqlite_path(url)
    except ArgumentError:
        raise StoreError(f"--db {url!r} is not a database URL; use e.g. sqlite:///quiz.db") from None
    if path is not None:
        _check_sqlite_file(path)
    try:
        engine = create_engine(url, pool_pre_ping=path is None)
    except NoSuchModuleError:
        kind = make_url(url).drivername
        raise StoreError(
            f"--db {safe_url(url)}: unknown database kind {kind!r}; use sqlite:///FILE or postgresql+psycopg://..."
        ) from None
    except ArgumentError as err:
        raise StoreError(f"--db {safe_url(url)}: {err}") from None
    except ImportError as err:
        raise StoreError(f"--db {safe_url(url)}: the database driver is not installed ({err.name}); "
                         "for PostgreSQL run `pip install 'quizdl[postgres]'`") from None  # fmt: skip
    if engine.dialect.name == "sqlite":
        _tune_sqlite(engine)
    if migrate:
        try:
            _with_lock_retries(lambda: ensure_schema(engine))
        except (OperationalError, DatabaseError) as err:
            engine.dispose()
            raise StoreError(f"cannot open the database {safe_url(url)}: {_reason(err)}") from None
    return engine


def _with_lock_retries(step: Callable[[], None], seconds: float = 15.0) -> None:
    """Run `step`, retrying while SQLite says 'database is locked'.

    The busy timeout covers ordinary writes, but not every lock a brand-new file goes through: the
    switch to WAL and the first migration of two processes started together can still fail at once.
    """
    deadline = time.monotonic() + seconds
    delay = 0.02
    while True:
        try:
            step()
            return
        except OperationalError as err:
            if "locked" not in str(err.orig or err) or time.monotonic() > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.5)


def open_for_reading(url: str) -> Engine:
    """An engine on an existing database, migrating nothing (for commands that only look)."""
    engine = open_engine(url, migrate=False)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except (OperationalError, DatabaseError) as err:
        engine.dispose()
        raise StoreError(f"cannot open the database {safe_url(url)}: {_reason(err)}") from None
    return engine


def database_exists(url: str) -> bool:
    """False only for an SQLite file that is not there yet (a server database is taken to exist)."""
    try:
        path = _sqlite_path(url)
    except ArgumentError:
        return True  # open_engine reports the bad URL
    return path is None or path.exists()


def safe_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _reason(err: Exception) -> str:
    orig = getattr(err, "orig", None)
    return str(orig or err).strip().splitlines()[0]


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except (OperationalError, DatabaseError):
            # DDL errors differ by backend (no such table / UndefinedTable); both mean "not migrated".
            return None


def ensure_schema(engine: Engine) -> None:
    if current_revision(engine) == HEAD_REVISION:
        return
    upgrade(engine)


def alembic_config():  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations in ONE transaction: a crash or kill leaves either the old schema or the new one."""
    from alembic import command

    config = alembic_config()
    if engine.dialect.name == "sqlite":
        _upgrade_sqlite(engine, config, revision)
        return
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # Two first runs at once: the second waits here, then finds the schema already current.
            conn.execute(text("SELECT pg_advisory_xact_lock(7262001)"))
        config.attributes["connection"] = conn
        before = _revision_in(conn)
        command.upgrade(config, revision)
        _fill_derived(conn, before)


# Revisions that add a cache derived from the review log, filled by replaying the log right after them.
_REPLAY_AFTER = "0005"  # the memory model (memory table, reviews.recall_before)


def _revision_in(conn) -> str | None:  # type: ignore[no-untyped-def]
    try:
        with conn.begin_nested():
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except (OperationalError, DatabaseError):
        return None


def _fill_derived(conn, before: str | None) -> None:  # type: ignore[no-untyped-def]
    """A database that had reviews before the memory model existed gets its memory replayed from the log, in
    the migration's transaction. A new database has nothing to replay."""
    if before is None or before >= _REPLAY_AFTER or (_revision_in(conn) or "") < _REPLAY_AFTER:
        return
    from quizdl.store.repo import replay_memory_all

    replay_memory_all(conn)


def _upgrade_sqlite(engine: Engine, config, revision: str) -> None:  # type: ignore[no-untyped-def]
    """SQLite changes a constraint by rebuilding the table (alembic's batch mode). Dropping a parent table
    with foreign keys enforced would fail, so, as SQLite's documented procedure says, enforcement is off
    for the migration's transaction, the keys are checked before commit, and enforcement comes back on."""
    from alembic import command

    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys=OFF")  # outside any transaction, where the pragma takes effect
        try:
            with conn.begin():
                config.attributes["connection"] = conn
                before = _revision_in(conn)
                command.upgrade(config, revision)
                _fill_derived(conn, before)
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise StoreError(
                        f"the migration would break {len(broken)} foreign keys ({broken[0]}); nothing was changed"
                    )
        finally:
            raw.execute("PRAGMA foreign_keys=ON")
