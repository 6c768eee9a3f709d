"""`quizdl bank validate | show | search`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from quizdl.cli.common import BankOption, JsonOption, console, make_context

bank_app = typer.Typer(help="Check and browse the question bank.", no_args_is_help=True)


@bank_app.command("validate")
def validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders (default: the shipped bank).")] = None,
    no_demos: Annotated[
        bool, typer.Option("--no-demos", help="Skip checking demo names (avoids importing torch).")
    ] = False,
) -> None:
    """Check question files: schema, unique ids, demo names, sources; report every problem as file:line."""
    from quizdl.bank.validate import validate_paths

    demo_names = None
    if not no_demos:
        from quizdl.demos.registry import load_all

        demo_names = set(load_all())
    alongside: tuple[Path, ...] = ()
    if paths:  # a learner's file is checked against the bank it will be loaded with
        from quizdl.config import load_settings

        alongside = load_settings().bank_paths
    bank, problems = validate_paths(paths or [], demo_names=demo_names, alongside=alongside)
    for problem in problems:
        typer.echo(problem, err=True)
    if problems:
        typer.echo(f"{len(problems)} problem(s) in {len(bank.questions)} valid card(s)", err=True)
        raise typer.Exit(1)
    typer.echo(f"ok: {len(bank.questions)} cards in {len(bank.topics)} topics")


@bank_app.command("show")
def show(question_id: Annotated[str, typer.Argument(help="The card's id.")], bank: BankOption = None,
         as_json: JsonOption = False) -> None:  # fmt: skip
    """Print one card."""
    from dataclasses import asdict

    from rich.markdown import Markdown
    from rich.panel import Panel

    from quizdl.errors import QuizdlError

    ctx = make_context(bank=bank)
    card = ctx.bank.get(question_id)
    if card is None:
        import difflib

        close = difflib.get_close_matches(question_id, sorted(ctx.bank.ids), n=3)
        hint = f"did you mean {', '.join(close)}?" if close else "try `quizdl bank search WORDS`"
        raise QuizdlError(f"no card with id {question_id!r}: {hint}")
    if as_json:
        data = asdict(card)
        data["file"] = str(card.file)
        typer.echo(json.dumps(data, indent=2))
        return
    out = console()
    out.print(Panel(f"[bold]{card.question}[/]", title=f"{card.id} · {card.topic} · difficulty {card.difficulty}"))
    out.print(Markdown(card.answer))
    out.print("\n[bold]Key points[/]")
    for point in card.key_points:
        out.print(f"• {point}")
    meta = [f"tags: {', '.join(card.tags)}"]
    for name in card.demos:
        meta.append(f"demo: {name} (quizdl demo {name})")
    if card.sources:
        meta.append("sources: " + ", ".join(str(s) for s in card.sources))
    out.print("[dim]" + " · ".join(meta) + "[/]")
    for erratum in card.errata:
        out.print(f"[yellow]erratum {erratum.doc}/{erratum.n}:[/] {erratum.claim} → {erratum.correction}")


@bank_app.command("search")
def search(text: Annotated[str, typer.Argument(help="Words that must all appear.")], bank: BankOption = None,
           as_json: JsonOption = False) -> None:  # fmt: skip
    """Find cards by words in their question, answer, key points, tags or id."""
    from rich.table import Table

    ctx = make_context(bank=bank)
    found = ctx.bank.search(text)
    if as_json:
        typer.echo(json.dumps([{"id": q.id, "topic": q.topic, "question": q.question} for q in found], indent=2))
        return
    if not found:
        typer.echo(f"no card matches {text!r}")
        raise typer.Exit(1)
    table = Table("id", "topic", "question")
    for q in found:
        table.add_row(q.id, q.topic, q.question)
    console().print(table)


@bank_app.command("errata")
def errata(bank: BankOption = None) -> None:
    """Print, as Markdown, every place a source document is wrong and what the card says instead."""
    from quizdl.bank.validate import errata_markdown

    typer.echo(errata_markdown(make_context(bank=bank).bank), nl=False)


def register(app: typer.Typer) -> None:
    app.add_typer(bank_app, name="bank")
