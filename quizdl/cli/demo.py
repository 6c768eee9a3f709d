"""`quizdl demo NAME` runs a tiny PyTorch experiment; `quizdl demo list` lists them with their cards.

Torch, the demo modules and the bank are imported inside the command only, so `quizdl --help` stays fast.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from quizdl.errors import DemoError, QuizdlError

MAX_SEED = 2**32 - 1  # demos add small offsets to the seed; torch takes up to 2**64 - 1
DEVICE_HELP = "Where to run: auto (cuda, then mps, then cpu), cpu, cuda or mps."


def _cards_by_demo() -> tuple[dict[str, list[str]], str | None]:
    """Ids of the bank cards linking to each demo, and a warning when the bank could not be read."""
    try:
        from quizdl.bank import load_bank

        bank = load_bank()
    except ImportError as err:
        return {}, f"the question bank is not available ({err})"
    except QuizdlError as err:
        return {}, f"the question bank could not be loaded: {err}"
    cards: dict[str, list[str]] = {}
    for question in bank.questions:
        for name in question.demos:
            cards.setdefault(name, []).append(question.id)
    return cards, None


def list_demos(as_json: bool, topics: list[str] | None = None) -> None:
    """The demos grouped by topic (sorted by topic, then name), each with the cards that link it."""
    from quizdl.demos.registry import load_all

    demos = sorted(load_all().values(), key=lambda d: (d.topic, d.name))
    if topics:
        known = {d.topic for d in demos}
        for topic in topics:
            if topic not in known:
                import difflib

                close = difflib.get_close_matches(topic, sorted(known), n=3, cutoff=0.5)
                hint = (
                    f"did you mean {', '.join(close)}?" if close else f"topics with demos: {', '.join(sorted(known))}"
                )
                raise DemoError(f"--topic {topic!r}: no demo has that topic; {hint}")
        demos = [d for d in demos if d.topic in topics]
    cards, warning = _cards_by_demo()
    if warning:
        typer.echo(f"quizdl: warning: {warning}; card links not shown", err=True)
    if as_json:
        payload: list[dict[str, Any]] = [
            {"name": d.name, "topic": d.topic, "summary": d.summary, "cards": sorted(cards.get(d.name, []))}
            for d in demos
        ]
        typer.echo(json.dumps(payload, indent=2))
        return
    from rich.table import Table

    from quizdl.cli.common import console

    n_topics = len({d.topic for d in demos})
    table = Table(
        title=f"{len(demos)} demos in {n_topics} topic{'s' if n_topics != 1 else ''}: run one with `quizdl demo NAME`",
        title_justify="left",
    )
    table.add_column("topic", style="bold")
    table.add_column("name", style="bold cyan", no_wrap=True)
    table.add_column("shows")
    table.add_column("cards", style="dim", overflow="fold")
    for i, d in enumerate(demos):
        first_of_topic = i == 0 or demos[i - 1].topic != d.topic
        last_of_topic = i == len(demos) - 1 or demos[i + 1].topic != d.topic
        table.add_row(
            d.topic if first_of_topic else "",
            d.name,
            d.summary,
            ", ".join(sorted(cards.get(d.name, []))) or "-",
            end_section=last_of_topic,
        )
    console().print(table)


def demo(
    name: Annotated[
        str, typer.Argument(help="Demo to run, or `list` to list them.", metavar="NAME", show_default=False)
    ],
    device: Annotated[str, typer.Option("--device", help=DEVICE_HELP)] = "auto",
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    steps: Annotated[
        int | None, typer.Option("--steps", help="Training steps (default: the demo's own).", show_default=False)
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
    topic: Annotated[
        list[str] | None,
        typer.Option("--topic", help="With `list`: only the demos of this topic (repeatable).", show_default=False),
    ] = None,
) -> None:
    """Run a tiny PyTorch experiment that shows a concept at work (`quizdl demo list` lists them by topic)."""
    if name == "list":
        list_demos(as_json, topic)
        return
    if topic:
        raise DemoError("--topic only applies to `quizdl demo list`")
    if not 0 <= seed <= MAX_SEED:
        raise DemoError(f"--seed must be a whole number from 0 to {MAX_SEED} (got {seed})")
    if steps is not None and steps < 1:
        raise DemoError(f"--steps must be at least 1 (got {steps})")
    if as_json:
        from quizdl.ui.demo_view import render_json, run_demo

        result, used, seconds = run_demo(name, device=device, seed=seed, steps=steps)
        typer.echo(render_json(result, used, name=name, seed=seed, steps=steps, seconds=round(seconds, 3)))
        return
    from quizdl.cli.common import console
    from quizdl.ui.demo_view import run_and_render

    run_and_render(name, console=console(), device=device, seed=seed, steps=steps)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
