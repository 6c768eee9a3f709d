"""`quizdl db upgrade | rebuild | info`."""

from __future__ import annotations

import typer

from quizdl.cli.common import DbOption, ProfileOption, make_context

db_app = typer.Typer(help="Look after the database.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade(db: DbOption = None) -> None:
    """Apply any pending schema migrations (every command also does this on first use)."""
    from quizdl.store.engine import current_revision

    ctx = make_context(db=db)
    typer.echo(f"schema at revision {current_revision(ctx.engine)}")
    ctx.close()


@db_app.command("rebuild")
def rebuild(db: DbOption = None, profile: ProfileOption = None,
            all_profiles: bool = typer.Option(False, "--all-profiles", help="Every profile.")) -> None:  # fmt: skip
    """Recompute every card's scheduling state by replaying the review log through SM-2."""
    from quizdl.errors import QuizdlError
    from quizdl.store.repo import find_profile, rebuild_cards

    if all_profiles and profile:
        raise QuizdlError("--profile and --all-profiles exclude each other; choose one")
    ctx = make_context(db=db, profile=profile)
    pid = None
    if not all_profiles:
        pid = find_profile(ctx.engine, ctx.settings.profile)
        if pid is None:
            raise QuizdlError(f"--profile {ctx.settings.profile!r} has no history in this database")
    written = rebuild_cards(ctx.engine, pid)
    ctx.close()
    typer.echo(f"rebuilt {written} card states from the review log")


@db_app.command("info")
def info(db: DbOption = None) -> None:
    """Where the database is, its schema revision and its profiles."""
    from quizdl.store.engine import HEAD_REVISION, current_revision, database_exists, open_for_reading, safe_url
    from quizdl.store.repo import profile_names

    ctx = make_context(db=db)
    if not database_exists(ctx.settings.db_url):
        typer.echo(f"database: {safe_url(ctx.settings.db_url)}")
        typer.echo("revision: none (the database is created by the first `quizdl quiz`)")
        return
    engine = open_for_reading(ctx.settings.db_url)  # a look must not migrate (write) anything
    typer.echo(f"database: {safe_url(ctx.settings.db_url)}")
    try:
        revision = current_revision(engine)
        pending = "" if revision == HEAD_REVISION else f" (this quizdl uses {HEAD_REVISION}: `quizdl db upgrade`)"
        typer.echo(f"revision: {revision or 'none'}{pending}")
        names = profile_names(engine).values() if revision is not None else []
        typer.echo("profiles: " + (", ".join(names) or "(none yet)"))
    finally:
        engine.dispose()


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
