"""`quizdl report`, `quizdl export progress|anki`, `quizdl import progress`: reports and backups.

Thin: parse options, call quizdl.reports, write the result. Progress bars go to stderr, on a terminal only.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from quizdl.cli.common import BankOption, DbOption, ProfileOption, check_topics, make_context

if TYPE_CHECKING:
    from quizdl.cli.common import Context
    from quizdl.reports.stats import ClassReport, Report

FORMATS = ("md", "html", "csv", "json")
SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".csv": "csv", ".json": "json"}

FormatOption = Annotated[
    str | None,
    typer.Option("--format", "-f", help="md, html, csv (the review log) or json (default: from -o's extension, else md).",
                 show_default=False),
]  # fmt: skip
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write to this file (default: standard output).", show_default=False),
]
AllProfilesOption = Annotated[
    bool,
    typer.Option(
        "--all-profiles", help="Every learner of the database: one row each, plus the class's weakest topics."
    ),
]
SinceOption = Annotated[
    str | None,
    typer.Option("--since", help="Only count reviews from this study day on (YYYY-MM-DD).", show_default=False),
]

export_app = typer.Typer(help="Export progress (a lossless backup) or the bank as an Anki deck.", no_args_is_help=True)
import_app = typer.Typer(help="Import a progress backup.", no_args_is_help=True)


def _is_stream(output: Path) -> bool:
    """`-`, a pipe or a device: messages then go to stderr, as standard output may be the data itself."""
    from quizdl.reports.files import is_stream

    return is_stream(output)


def _error(message: str) -> Exception:
    from quizdl.errors import QuizdlError

    return QuizdlError(message)


def parse_since(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _error(f"--since {text!r} is not a date; use YYYY-MM-DD, e.g. 2026-01-31") from None


def _format(fmt: str | None, output: Path | None) -> str:
    if fmt is None:
        return SUFFIXES.get(output.suffix.lower(), "md") if output is not None else "md"
    if fmt.lower() not in FORMATS:
        raise _error(f"--format {fmt!r} is not one of {', '.join(FORMATS)}")
    return fmt.lower()


@contextlib.contextmanager
def steps(label: str, total: int) -> Iterator[Callable[[str], None]]:
    """A progress bar on stderr (terminal only): the callback advances it by one step, naming the step."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    err = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=err, transient=True,
        disable=not err.is_terminal,
    ) as bar:  # fmt: skip
        task = bar.add_task(label, total=total)
        started = [False]

        def advance(step: str) -> None:
            if started[0]:
                bar.advance(task)
            started[0] = True
            bar.update(task, description=f"{label}: {step}")

        yield advance
        bar.update(task, completed=total)


@contextlib.contextmanager
def counter(label: str, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr (terminal only) for a count of rows; the callback sets how many are done."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    err = Console(stderr=True)
    with Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err, transient=True,
        disable=not err.is_terminal,
    ) as bar:  # fmt: skip
        task = bar.add_task(label, total=total)
        yield lambda done: bar.update(task, completed=done)


def _emit(output: Path | None, text: str) -> None:
    from quizdl.reports.files import write_text

    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_text(output, text)


def report(
    fmt: FormatOption = None,
    output: OutputOption = None,
    profile: ProfileOption = None,
    all_profiles: AllProfilesOption = False,
    since: SinceOption = None,
    db: DbOption = None,
    bank: BankOption = None,
) -> None:
    """A progress report: overview, true retention, topics, weakest cards, forecast, calendar, distributions."""
    from quizdl.reports.stats import build_class_report, build_report

    kind = _format(fmt, output)
    since_day = parse_since(since)
    if all_profiles and profile:
        raise _error("--profile and --all-profiles exclude each other; choose one")
    ctx = make_context(db=db, profile=profile, bank=bank)
    try:
        if kind == "csv":
            _csv(ctx, output, profile, all_profiles, since_day)
        else:
            with steps("report", 5) as advance:
                if all_profiles:
                    group = build_class_report(ctx.engine, ctx.bank, ctx.today, since_day, progress=advance)
                    advance(f"rendering {kind}")
                    text = _render_class(group, kind)
                else:
                    pid = ctx.existing_profile_id(profile)
                    one = build_report(ctx.engine, pid, ctx.bank, ctx.today, since_day, advance)
                    advance(f"rendering {kind}")
                    text = _render_one(one, kind, output)
            _emit(output, text)
    finally:
        ctx.close()
    if output is not None:
        typer.echo(f"wrote {output}", err=True)


def _render_one(one: Report, kind: str, output: Path | None) -> str:
    from quizdl.reports import render_html, render_json, render_md
    from quizdl.reports.files import write_text

    if kind == "json":
        return render_json.render_json(one)
    if kind == "html":
        return render_html.render_html(one)
    from quizdl.reports.files import is_stream

    files_beside = output is not None and not is_stream(output)
    page = render_md.render_markdown(one, output.stem if output is not None and files_beside else None)
    if output is not None and files_beside:  # the SVG charts go next to the Markdown file
        for name, content in page.files.items():
            write_text(output.parent / name, content)
    return page.text


def _render_class(group: ClassReport, kind: str) -> str:
    from quizdl.reports import render_html, render_json, render_md

    if kind == "json":
        return render_json.render_json(group)
    if kind == "html":
        return render_html.render_class_html(group)
    return render_md.render_class_markdown(group).text


def _csv(ctx: Context, output: Path | None, profile: str | None, all_profiles: bool, since_day: date | None) -> None:
    from sqlalchemy import func, select

    from quizdl.reports.files import write_with
    from quizdl.reports.render_csv import write_review_log
    from quizdl.store.schema import Profile, Review

    if all_profiles:
        with ctx.engine.connect() as conn:
            ids = list(conn.execute(select(Profile.id)).scalars())
    else:
        ids = [ctx.existing_profile_id(profile)]
    with ctx.engine.connect() as conn:
        where = [Review.profile_id.in_(ids)] + ([Review.study_day >= since_day] if since_day else [])
        total = conn.execute(select(func.count()).where(*where)).scalar_one()
    with counter("review log", total) as done:
        if output is None:
            write_review_log(ctx.engine, sys.stdout, ctx.bank, ids, since_day, done)
        else:
            write_with(output, lambda handle: write_review_log(ctx.engine, handle, ctx.bank, ids, since_day, done))


@export_app.command("progress")
def export_progress(
    output: Annotated[Path, typer.Option("--output", "-o", help="The backup file to write (JSON).")],
    profile: ProfileOption = None,
    db: DbOption = None,
) -> None:
    """Write a profile's whole history (sessions, reviews, card states) to a checksummed JSON file."""
    from quizdl.reports.files import write_text
    from quizdl.reports.progress_file import dump_progress
    from quizdl.reports.progress_file import export_progress as export

    ctx = make_context(db=db, profile=profile)
    try:
        with steps("export", 4) as advance:
            document = export(ctx.engine, ctx.existing_profile_id(profile), ctx.clock(), advance)
            advance("writing")
            write_text(output, dump_progress(document))
    finally:
        ctx.close()
    counts = document["payload"]["counts"]
    typer.echo(
        f"exported profile {ctx.settings.profile!r}: {counts['reviews']} reviews, {counts['cards']} cards, "
        f"{counts['sessions']} sessions to {output}",
        err=_is_stream(output),  # standard output may be carrying the backup itself
    )


@export_app.command("anki")
def export_anki(
    output: Annotated[Path, typer.Option("--output", "-o", help="The Anki package to write (.apkg).")],
    topic: Annotated[list[str] | None, typer.Option("--topic", "-t", help="Only this topic (repeatable).")] = None,
    bank: BankOption = None,
) -> None:
    """The question bank as an Anki deck (one sub-deck per topic; tags from the topic and the card's tags)."""
    from quizdl.reports.anki import write_apkg

    ctx = make_context(bank=bank)
    check_topics(topic, ctx.bank.topics)
    notes, decks = write_apkg(ctx.bank, output, topic)
    typer.echo(f"wrote {notes} notes in {decks} decks to {output}", err=_is_stream(output))


@import_app.command("progress")
def import_progress(
    file: Annotated[Path, typer.Argument(help="A file written by `quizdl export progress`.", show_default=False)],
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile", "-p", help="Import into this profile (default: the one named in the file).", show_default=False
        ),
    ] = None,
    merge: Annotated[
        bool, typer.Option("--merge", help="Add to existing history; skip reviews already there.")
    ] = False,
    replace: Annotated[bool, typer.Option("--replace", help="Delete the profile's history, then import.")] = False,
    db: DbOption = None,
) -> None:
    """Restore a progress backup. The whole file is checked before anything is written, in one transaction."""
    from quizdl.reports.progress_file import import_progress as do_import
    from quizdl.reports.progress_file import load_progress

    if merge and replace:
        raise _error("--merge and --replace exclude each other; choose one")
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) else "not UTF-8 text"
        raise _error(f"cannot read {file}: {reason}") from None
    with steps("import", 4) as advance:
        advance("checking the file")
        data = load_progress(text, str(file))
        ctx = make_context(db=db)
        try:
            result = do_import(ctx.engine, data, profile or data.profile_name, merge=merge, replace=replace,
                               progress=advance)  # fmt: skip
        finally:
            ctx.close()
    skipped = f", {result.reviews_skipped} already present" if result.reviews_skipped else ""
    typer.echo(
        f"imported into profile {result.profile!r} ({result.mode}): {result.reviews_added} reviews{skipped}, "
        f"{result.sessions_added} sessions, {result.cards} card states"
    )


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    app.add_typer(export_app, name="export")
    app.add_typer(import_app, name="import")
