"""`quizdl plan`: set, show or clear the interview plan (pacing, budget check, readiness)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from quizdl.cli.common import BankOption, DbOption, JsonOption, ProfileOption, check_topics, console, make_context

if TYPE_CHECKING:
    from rich.console import Console

    from quizdl.planning import Advice, Readiness
    from quizdl.srs.pacing import Costs, Pacing
    from quizdl.store.repo import StoredPlan

DEFAULT_MINUTES = 30
DEFAULT_TARGET = 0.9


def _interview_day(text: str, today: date) -> date:
    from quizdl.errors import QuizdlError

    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise QuizdlError(f"--interview {text!r} is not a date; use YYYY-MM-DD, e.g. 2027-01-15") from None
    if day <= today:
        raise QuizdlError(f"--interview {day.isoformat()} is not after today ({today.isoformat()}); give a later day")
    return day


def plan(
    interview: Annotated[
        str | None, typer.Option("--interview", help="Interview day, YYYY-MM-DD: sets (or replaces) the plan.")
    ] = None,
    minutes_per_day: Annotated[
        int | None, typer.Option("--minutes-per-day", min=1, max=1440, help="Daily budget in minutes (default 30).")
    ] = None,
    topic: Annotated[list[str] | None, typer.Option("--topic", "-t", help="Only this topic (repeatable).")] = None,
    target: Annotated[
        float | None, typer.Option("--target", help="Predicted recall to reach on the day, 0-1 (default 0.9).")
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the plan; back to plain SM-2.")] = False,
    db: DbOption = None,
    profile: ProfileOption = None,
    bank: BankOption = None,
    as_json: JsonOption = False,
) -> None:
    """Plan for an interview day: paces new cards so each has two spaced reviews before it, within a daily
    budget, then asks the weakest cards as prep in the final week. Without options: show the plan."""
    from quizdl import planning
    from quizdl.errors import QuizdlError
    from quizdl.store import repo

    ctx = make_context(db=db, profile=profile, bank=bank)
    setting = interview is not None or minutes_per_day is not None or topic or target is not None
    if clear and setting:
        raise QuizdlError("--clear removes the plan; give it alone (without --interview, --topic, ...)")
    if target is not None and not 0 < target < 1:
        raise QuizdlError(f"--target must be a share between 0 and 1 (e.g. 0.9 for 90%), got {target}")
    check_topics(topic, ctx.bank.topics)
    out = console()
    try:
        if clear:
            removed = repo.clear_plan(ctx.engine, ctx.profile_id())
            out.print("Plan removed: plain SM-2 from now on." if removed else "There was no plan to remove.")
            return
        pid = ctx.profile_id() if setting else repo.find_profile(ctx.engine, ctx.settings.profile)
        stored = None
        if pid is not None:
            with ctx.engine.connect() as conn:
                stored = repo.load_plan(conn, pid)
        if setting:
            if interview is None and stored is None:
                raise QuizdlError("no plan yet: give --interview YYYY-MM-DD to set one")
            stored = repo.StoredPlan(
                interview_day=_interview_day(interview, ctx.today) if interview else stored.interview_day,  # type: ignore[union-attr]
                minutes_per_day=minutes_per_day or (stored.minutes_per_day if stored else DEFAULT_MINUTES),
                target=target if target is not None else (stored.target if stored else DEFAULT_TARGET),
                topics=tuple(topic) if topic else (stored.topics if stored else None),
            )  # fmt: skip
            repo.save_plan(ctx.engine, pid, stored, ctx.clock())
        if stored is None or pid is None:
            out.print("No interview plan. Set one with `quizdl plan --interview YYYY-MM-DD [--minutes-per-day N]`.")
            return
        ready = planning.readiness(ctx.engine, pid, ctx.bank.questions, ctx.today)
        if not planning.is_active(stored, ctx.today):
            if as_json:
                typer.echo(_json(stored, ready, None, None, None))
                return
            out.print(planning.readiness_line(ready) if ready.plan else
                      f"The interview day {stored.interview_day.isoformat()} has passed: plain SM-2 again "
                      "(`quizdl plan --clear` removes the plan).")  # fmt: skip
            return
        paced, costs, advice = planning.advice(ctx.engine, pid, ctx.bank.questions, ctx.today, stored)
        if as_json:
            typer.echo(_json(stored, ready, paced, costs, advice))
            return
        render_plan(out, stored, ready, paced, costs, advice)
    finally:
        ctx.close()


def render_plan(
    out: Console, p: StoredPlan, ready: Readiness, paced: Pacing, costs: Costs, advice: Advice | None
) -> None:
    from datetime import timedelta

    from rich.table import Table

    from quizdl.planning import MIN_MEASURED_NEW, MIN_MEASURED_REVIEWS, readiness_line
    from quizdl.srs.pacing import PREP_DAYS

    topics = ", ".join(p.topics) if p.topics else "all topics"
    out.print(f"[bold]Interview {p.interview_day.isoformat()}[/] · {p.minutes_per_day} min a day · target "
              f"{round(100 * p.target)}% · {topics} ({ready.cards} cards)")  # fmt: skip
    out.print(readiness_line(ready))
    timing = f"{costs.seconds_new:.0f} s per new card (with its re-drills), {costs.seconds_review:.0f} s per review"
    if not costs.measured_new or not costs.measured_reviews:
        timing += (f" [dim](defaults until {MIN_MEASURED_NEW} new cards and {MIN_MEASURED_REVIEWS} reviews are "
                   "timed)[/]")  # fmt: skip
    else:
        timing += f" [dim](your last {costs.measured_new} new cards and {costs.measured_reviews} reviews)[/]"
    out.print("Timing: " + timing)
    prep_from = p.interview_day - timedelta(days=PREP_DAYS)
    out.print(f"New cards start by {paced.last_start.isoformat()} (two spaced reviews before the day); prep of "
              f"cards predicted below target from {prep_from.isoformat()}.")  # fmt: skip
    if advice is None:
        peak = max(paced.days, key=lambda d: d.minutes)
        out.print(f"[green]The plan fits:[/] today {paced.new_today} new; busiest day {peak.day.isoformat()} at "
                  f"{peak.minutes:.0f} min.")  # fmt: skip
    else:
        out.print(f"[red]{_problem(paced, p.minutes_per_day)}[/]")
        ways = []
        if advice.minutes_needed is not None:
            ways.append(f"{advice.minutes_needed} minutes a day (`--minutes-per-day {advice.minutes_needed}`)")
        if advice.leave_out:
            ways.append("leaving out " + ", ".join(advice.leave_out) + " (`--topic` the ones to keep)")
        out.print("It would fit with " + (" or ".join(ways) if ways else "a later interview day") + ".")
    table = Table("day", "new", "reviews", "minutes", title="Next 14 days", title_justify="left", box=None)
    for d in paced.days[:14]:
        table.add_row(d.day.isoformat(), str(d.new), str(d.reviews), f"{d.minutes:.0f}")
    out.print(table)


def _problem(paced: Pacing, minutes: int) -> str:
    if paced.too_late:
        return (f"Too late for two spaced reviews: the {paced.late + paced.unplaced} cards not started yet needed "
                "8 days or more before the interview; they start as the budget allows.")  # fmt: skip
    parts = []
    if paced.late:
        parts.append(f"{paced.late} cards cannot start by 8 days before (two spaced reviews) within {minutes} min "
                     "a day; they start later")  # fmt: skip
    if paced.unplaced:
        parts.append(f"{paced.unplaced} cards cannot start at all before the day")
    if paced.over_budget:
        parts.append(f"the due reviews alone exceed {minutes} min on {len(paced.over_budget)} day(s), first "
                     f"{paced.over_budget[0].isoformat()}")  # fmt: skip
    return "This plan does not fit: " + "; ".join(parts) + "."


def _json(p: StoredPlan, ready: Readiness, paced: Pacing | None, costs: Costs | None, advice: Advice | None) -> str:
    import json

    from quizdl.reports.render_json import plain

    payload = {
        "plan": plain(p), "readiness": plain(ready), "fits": None if paced is None else paced.feasible,
        "new_today": None if paced is None else paced.new_today, "days": plain(paced.days) if paced else [],
        "costs": plain(costs), "advice": plain(advice),
    }  # fmt: skip
    return json.dumps(payload, indent=2)


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)
