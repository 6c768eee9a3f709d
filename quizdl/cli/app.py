"""The `quizdl` command. Each command group lives in its own module and registers itself here.

Domain errors (QuizdlError) become a one-line message and exit code 2 here, and only here.
"""

from __future__ import annotations

import sys
from typing import Any

import typer
from typer.core import TyperGroup

from quizdl.errors import QuizdlError


class QuizdlGroup(TyperGroup):
    """Turns a QuizdlError raised by any command into `quizdl: error: ...` on stderr, exit code 2."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except QuizdlError as err:
            typer.echo(f"quizdl: error: {err}", err=True)
            raise typer.Exit(err.exit_code) from None
        except Exception as err:
            if not _is_database_error(err):
                raise
            # e.g. a full disk or a server gone mid-session: what was committed is kept
            reason = str(getattr(err, "orig", None) or err).strip().splitlines()[0]
            typer.echo(f"quizdl: error: database error: {reason} (answers already saved are kept)", err=True)
            raise typer.Exit(2) from None


def _is_database_error(err: Exception) -> bool:
    # Checked lazily: importing sqlalchemy up front would cost `quizdl demo` and `--help` ~0.25 s.
    if not type(err).__module__.startswith("sqlalchemy"):
        return False
    from sqlalchemy.exc import DBAPIError

    return isinstance(err, DBAPIError)


app = typer.Typer(
    cls=QuizdlGroup,
    name="quizdl",
    help="A terminal spaced-repetition quiz for deep-learning interviews.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        from quizdl import __version__

        typer.echo(f"quizdl {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """A terminal spaced-repetition quiz for deep-learning interviews."""


def _register_commands() -> None:
    # Each module imports its heavy dependencies inside the command functions, so `--help` stays fast.
    from quizdl.cli import bank, db, demo, optimize, plan, quiz, report, scheduler, stats

    for module in (quiz, plan, stats, scheduler, optimize, bank, demo, report, db):
        module.register(app)


_register_commands()


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:  # outside a quiz session (which handles it itself): no traceback
        typer.echo("quizdl: interrupted", err=True)
        sys.exit(130)
