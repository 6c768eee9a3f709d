"""`quizdl scheduler [sm2|fsrs]`: show or switch the profile's scheduler (replaying its log: lossless)."""

from __future__ import annotations

from typing import Annotated

import typer

from quizdl.cli.common import DbOption, ProfileOption, make_context


def scheduler(
    name: Annotated[str | None, typer.Argument(help="sm2 (the default) or fsrs; omit to show the current one.")] = None,
    retention: Annotated[
        float | None, typer.Option("--retention", help="FSRS's desired retention, 0-1 (default 0.9).")
    ] = None,
    db: DbOption = None,
    profile: ProfileOption = None,
) -> None:
    """Choose who sets the due dates. The review log is the truth: switching replays it under the chosen
    scheduler, so switching back gives exactly the states you would have had. Stored in the database."""
    from quizdl.errors import QuizdlError
    from quizdl.store import repo
    from quizdl.vocab import SchedulerName

    if name is not None and name not in tuple(SchedulerName):
        raise QuizdlError(f"scheduler {name!r} is unknown; choose sm2 or fsrs")
    if retention is not None and not 0 < retention < 1:
        raise QuizdlError(f"--retention must be a share between 0 and 1 (e.g. 0.9), got {retention}")
    ctx = make_context(db=db, profile=profile)
    try:
        pid = ctx.profile_id()
        with ctx.engine.connect() as conn:
            current = repo.scheduler_config(conn, pid)
        if name is None and retention is None:
            typer.echo(_describe(current.name, current.desired_retention, current.parameters is not None))
            return
        chosen = SchedulerName(name) if name is not None else current.name
        target = retention if retention is not None else current.desired_retention
        written = repo.set_scheduler(ctx.engine, pid, chosen, target)
        typer.echo(f"{_describe(chosen, target, current.parameters is not None)}; {written} card states replayed "
                   "from the review log")  # fmt: skip
    finally:
        ctx.close()


def _describe(name: str, retention: float, fitted: bool) -> str:
    if name == "sm2":
        return "scheduler: sm2 (SuperMemo 2, exact)"
    params = "parameters fitted by `quizdl optimize`" if fitted else "default parameters"
    return f"scheduler: fsrs (FSRS-6, desired retention {retention:g}, {params})"


def register(app: typer.Typer) -> None:
    app.command("scheduler")(scheduler)
