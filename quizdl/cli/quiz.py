"""`quizdl quiz`: today's due cards, then new ones; SM-2 schedules each answer."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from quizdl.cli.common import (
    BankOption,
    DbOption,
    ProfileOption,
    check_topics,
    console,
    make_context,
    relative_day,
)

if TYPE_CHECKING:
    from quizdl.demos.worker import DemoWorker


def quiz(
    topic: Annotated[list[str] | None, typer.Option("--topic", "-t", help="Only this topic (repeatable).")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Only cards with this tag (repeatable).")] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", min=1, help="At most this many cards shown, re-drills included.")
    ] = None,
    new: Annotated[
        int | None, typer.Option("--new", min=0, help="New cards allowed today (default 10, or new_per_day).")
    ] = None,
    cram: Annotated[bool, typer.Option("--cram", help="Practise regardless of due dates; schedule unchanged.")] = False,
    db: DbOption = None,
    profile: ProfileOption = None,
    bank: BankOption = None,
) -> None:
    """Study the cards due today. Type an answer (or just press Enter), see the model answer, grade 0-5."""
    from quizdl.session import Prompt, QuizSession, SessionOptions
    from quizdl.ui.quiz_view import QuizView, ScriptedUI, TerminalUI, render_summary

    ctx = make_context(db=db, profile=profile, bank=bank, new_per_day=new)
    check_topics(topic, ctx.bank.topics)
    questions = ctx.bank.select(topic, tag)
    if tag and not questions:
        from quizdl.errors import QuizdlError

        if topic and ctx.bank.select(None, tag):
            raise QuizdlError(
                f"--tag {', '.join(tag)} with --topic {', '.join(topic)}: no card has both; the tag is used in "
                "other topics (see `quizdl bank search`)"
            )
        raise QuizdlError(f"--tag {', '.join(tag)}: no card carries that tag; see `quizdl bank search`")
    out = console()
    profile_id = ctx.profile_id()
    if ctx.settings.scheduler is not None:  # config key or QUIZDL_SCHEDULER: the profile follows it
        from quizdl.store import repo
        from quizdl.vocab import SchedulerName

        with ctx.engine.connect() as conn:
            current = repo.scheduler_config(conn, profile_id)
        if current.name != ctx.settings.scheduler:
            written = repo.set_scheduler(ctx.engine, profile_id, SchedulerName(ctx.settings.scheduler),
                                         current.desired_retention)  # fmt: skip
            out.print(f"[dim]Scheduler switched to {ctx.settings.scheduler} (your settings); {written} card states "
                      "replayed from the review log[/]")  # fmt: skip
    planned = None
    if not cram:
        from quizdl.planning import plan_today, selected_cards

        planned = plan_today(ctx.engine, profile_id, ctx.bank.questions, ctx.today)
        if planned is not None and not topic:
            questions = selected_cards(questions, planned.plan)  # the plan's topics, unless --topic chooses
    options = SessionOptions(
        profile_id=profile_id, zone_name=ctx.settings.timezone, rollover_hour=ctx.settings.rollover_hour,
        new_per_day=ctx.settings.new_per_day, limit=limit, cram=cram, new_order=ctx.settings.new_order,
        new_allowed=planned.new_allowed if planned is not None and new is None else None,
        prep=tuple(planned.prep) if planned is not None else (),
        seconds_left=planned.seconds_left if planned is not None else None,
    )  # fmt: skip
    session = QuizSession(ctx.engine, questions, options, ctx.clock, ctx.today)
    if planned is not None:
        days = (planned.plan.interview_day - ctx.today).days
        extra = f", {len(planned.prep)} prep" if planned.prep else ""
        out.print(f"[dim]Interview plan: {days} day{'s' if days != 1 else ''} to go; today "
                  f"{planned.new_allowed} new{extra} (`quizdl plan` for the whole plan)[/]")  # fmt: skip
    if session.is_empty:
        out.print("Nothing is due today and no new cards are left for today. [dim](--cram practises anyway)[/]")
        if (nxt := session.next_due()) is not None:
            out.print(f"Next due: {relative_day(nxt, ctx.today)}")
        ctx.close()
        return

    # At a terminal, `d` runs the demo in a warm worker process, started (without waiting) once a card with a
    # demo is on screen; a script (stdin not a terminal) runs it in this process, as `quizdl demo` does.
    at_terminal = sys.stdin.isatty()
    workers: list[DemoWorker] = []  # at most one, made on the first card that links a demo

    def worker() -> DemoWorker:
        if not workers:
            from quizdl.demos.worker import DemoWorker

            workers.append(DemoWorker())
        return workers[0]

    def warm(prompt: Prompt) -> None:
        for name in prompt.question.demos:
            worker().prepare(name)

    def run_demo(name: str) -> None:
        from quizdl.errors import QuizdlError

        try:
            if at_terminal:
                from quizdl.ui.demo_view import run_elsewhere_and_render

                run_elsewhere_and_render(name, worker().run, console=out)
            else:
                from quizdl.ui.demo_view import run_and_render

                run_and_render(name, console=out)
        except QuizdlError as err:
            out.print(f"[red]demo {name}: {err}[/]")

    view = QuizView(out, run_demo)
    if at_terminal:
        terminal = TerminalUI(view, on_card=warm)
        try:
            summary = session.run(terminal)
        finally:
            terminal.close()  # give the terminal back its line mode, whatever happened
            for w in workers:
                w.close()  # its stdin closes and it is stopped (it would exit by itself once this process ends)
    else:
        summary = session.run(ScriptedUI(view, sys.stdin))
    render_summary(out, summary, lambda day: relative_day(day, ctx.today))
    ctx.close()


def register(app: typer.Typer) -> None:
    app.command("quiz")(quiz)
