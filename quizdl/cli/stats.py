"""`quizdl stats` and `quizdl topics`."""

from __future__ import annotations

import json

import typer

from quizdl.cli.common import BankOption, DbOption, JsonOption, ProfileOption, console, make_context


def stats(
    db: DbOption = None, profile: ProfileOption = None, bank: BankOption = None, as_json: JsonOption = False
) -> None:
    """Due today, new, learned, reviews today, 30-day retention, and a per-topic table."""
    from rich.table import Table

    from quizdl.reports.stats import compute_stats

    ctx = make_context(db=db, profile=profile, bank=bank)
    result = compute_stats(ctx.engine, ctx.profile_id(), ctx.bank, ctx.today)
    ctx.close()
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
        return
    out = console()
    retention = f"{result.retention_30d:.0%} of {result.reviews_30d}" if result.retention_30d is not None else "-"
    out.print(
        f"[bold]{ctx.settings.profile}[/] · {result.today.isoformat()}\n"
        f"Due today [bold]{result.due_today}[/] · new [bold]{result.new_available}[/] · "
        f"learned [bold]{result.learned}[/]/{result.cards_in_bank} · reviews today [bold]{result.reviews_today}[/] · "
        f"retention (30 days) [bold]{retention}[/]"
    )
    table = Table("topic", "cards", "seen", "learned", "due", "mean EF", "lapses")
    for t in result.topics:
        ef = f"{t.mean_ef:.2f}" if t.mean_ef is not None else "-"
        table.add_row(t.topic, str(t.cards), str(t.seen), str(t.learned), str(t.due), ef, str(t.lapses))
    out.print(table)


def topics(bank: BankOption = None, as_json: JsonOption = False) -> None:
    """The topics of the bank with their card counts."""
    from collections import Counter

    from rich.table import Table

    ctx = make_context(bank=bank)
    counts = Counter(q.topic for q in ctx.bank.questions)
    if as_json:
        typer.echo(json.dumps({t: counts[t] for t in ctx.bank.topics}, indent=2))
        return
    table = Table("topic", "title", "cards")
    for t in ctx.bank.topics:
        table.add_row(t, ctx.bank.topic_titles.get(t, ""), str(counts[t]))
    console().print(table)


def register(app: typer.Typer) -> None:
    app.command("stats")(stats)
    app.command("topics")(topics)
