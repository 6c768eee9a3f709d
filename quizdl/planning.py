"""The interview plan: today's share of new cards, the final week's prep cards, and readiness for the day.

Core logic with no terminal I/O: `quizdl plan`, `quizdl quiz`, `stats` and the report call it. Pacing is pure
(quizdl.srs.pacing); predicted recall is the FSRS-6 memory model (quizdl.srs.memory) over the review log.
The plan covers the study days before the interview day; from that day on the profile is plain SM-2 again.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Engine

from quizdl.bank.model import Question
from quizdl.srs import memory as memory_model
from quizdl.srs import pacing, schedulers
from quizdl.store import repo

MIN_MEASURED_NEW = 10  # new cards timed before their figure replaces the default
MIN_MEASURED_REVIEWS = 20


@dataclass(frozen=True)
class Today:
    """What the plan asks of today's session."""

    plan: repo.StoredPlan
    pacing: pacing.Pacing
    costs: pacing.Costs
    new_allowed: int  # new cards still to start today
    prep: list[str]  # cards to ask as `prep` after the due and new ones, lowest predicted recall first
    selected: list[str]  # the plan's cards (its topics, or the whole bank)
    seconds_left: float  # of today's budget, after what was answered earlier today


def selected_cards(questions: Sequence[Question], plan: repo.StoredPlan) -> list[Question]:
    return [q for q in questions if plan.topics is None or q.topic in plan.topics]


def is_active(plan: repo.StoredPlan, today: date) -> bool:
    return today < plan.interview_day


def costs_from(spent: repo.TimeSpent) -> pacing.Costs:
    """The learner's own seconds per new card and per review once enough are timed, else the defaults."""
    per_new = spent.new_ms / 1000 / spent.new_cards if spent.new_cards >= MIN_MEASURED_NEW else None
    per_review = spent.review_ms / 1000 / spent.reviews if spent.reviews >= MIN_MEASURED_REVIEWS else None
    return pacing.Costs(
        seconds_new=max(5.0, per_new) if per_new else pacing.DEFAULT_SECONDS_NEW,
        seconds_review=max(3.0, per_review) if per_review else pacing.DEFAULT_SECONDS_REVIEW,
        measured_new=spent.new_cards if per_new else 0,
        measured_reviews=spent.reviews if per_review else 0,
    )


@dataclass(frozen=True)
class _Picture:
    states: dict[str, schedulers.sm2.CardState]
    memory: dict[str, memory_model.Memory]
    spent: repo.TimeSpent
    config: schedulers.SchedulerConfig  # the profile's scheduler: the plan projects reviews with it

    @property
    def parameters(self) -> tuple[float, ...] | None:  # the profile's fitted FSRS parameters, None: defaults
        return self.config.parameters

    def recall(self, memory: memory_model.Memory | None, day: date) -> float:
        return memory_model.recall(memory, day, self.parameters)

    def step(self, memory: memory_model.Memory | None, grade: int, day: date) -> memory_model.Memory:
        return memory_model.step(memory, grade, day, self.parameters)


def _picture(engine: Engine, profile_id: int, today: date) -> _Picture:
    with engine.connect() as conn:
        return _Picture(
            repo.card_states(conn, profile_id), repo.memory_states(conn, profile_id),
            repo.time_spent(conn, profile_id, today), repo.scheduler_config(conn, profile_id),
        )  # fmt: skip


def _pace_args(
    cards: Sequence[Question], picture: _Picture, plan: repo.StoredPlan, today: date
) -> tuple[dict[str, object], dict[str, int], dict[str, Counter[date]]]:
    """The arguments of pacing.pace for these cards, and the per-topic split topics_to_leave_out needs."""
    last = plan.interview_day - timedelta(days=1)
    unseen: Counter[str] = Counter()
    by_topic: dict[str, Counter[date]] = defaultdict(Counter)
    for q in cards:
        state = picture.states.get(q.id)
        if state is None:
            unseen[q.topic] += 1
        else:
            by_topic[q.topic].update(pacing.project_reviews([state], today, last, picture.config))
    reviews: Counter[date] = Counter()
    for days in by_topic.values():
        reviews.update(days)
    args: dict[str, object] = {
        "today": today, "interview": plan.interview_day, "unseen": sum(unseen.values()), "reviews": reviews,
        "minutes_per_day": plan.minutes_per_day, "costs": costs_from(picture.spent),
        "started_today": picture.spent.started_today, "spent_today_seconds": picture.spent.today_ms / 1000,
        "config": picture.config,
    }  # fmt: skip
    return args, dict(unseen), dict(by_topic)


def plan_today(engine: Engine, profile_id: int, questions: Sequence[Question], today: date) -> Today | None:
    """Today's part of the profile's plan; None without a plan, or once the interview day has come."""
    with engine.connect() as conn:
        plan = repo.load_plan(conn, profile_id)
    if plan is None or not is_active(plan, today):
        return None
    cards = selected_cards(questions, plan)
    picture = _picture(engine, profile_id, today)
    args, _, _ = _pace_args(cards, picture, plan, today)
    paced = pacing.pace(**args)  # type: ignore[arg-type]
    costs: pacing.Costs = args["costs"]  # type: ignore[assignment]
    prep: list[str] = []
    if (plan.interview_day - today).days <= pacing.PREP_DAYS:
        due_now = {q.id for q in cards if (s := picture.states.get(q.id)) and s.due is not None and s.due <= today}
        reviews_left = args["reviews"][today]  # type: ignore[index]
        left = (
            plan.minutes_per_day * 60 - picture.spent.today_ms / 1000 - reviews_left * costs.seconds_review
            - paced.new_today * costs.seconds_new
        )  # fmt: skip
        room = max(0, int(left // costs.seconds_review))
        weak = [
            (picture.recall(picture.memory[q.id], plan.interview_day), q.id)
            for q in cards
            if q.id in picture.memory and q.id in picture.states and q.id not in due_now
        ]
        prep = [qid for r, qid in sorted(weak) if r < plan.target][:room]
    # One new card's time in reserve: the budget is checked between cards, so the last one must fit too.
    seconds_left = max(0.0, plan.minutes_per_day * 60 - picture.spent.today_ms / 1000 - costs.seconds_new)
    return Today(plan, paced, costs, paced.new_today, prep, [q.id for q in cards], seconds_left)


@dataclass(frozen=True)
class Advice:
    """What would make an infeasible plan fit."""

    minutes_needed: int | None
    leave_out: list[str] | None  # topics to leave out at the current budget


def advice(engine: Engine, profile_id: int, questions: Sequence[Question], today: date,
           plan: repo.StoredPlan) -> tuple[pacing.Pacing, pacing.Costs, Advice | None]:  # fmt: skip
    """The plan's pacing from today, and when it does not fit, what would."""
    cards = selected_cards(questions, plan)
    picture = _picture(engine, profile_id, today)
    args, unseen, by_topic = _pace_args(cards, picture, plan, today)
    paced = pacing.pace(**args)  # type: ignore[arg-type]
    costs: pacing.Costs = args["costs"]  # type: ignore[assignment]
    if paced.feasible:
        return paced, costs, None
    rest = {k: v for k, v in args.items() if k not in ("unseen", "reviews")}
    leave_out = pacing.topics_to_leave_out(unseen, by_topic, **rest) if not paced.too_late else None
    return paced, costs, Advice(pacing.minutes_needed(**args), leave_out)


@dataclass(frozen=True)
class TopicRecall:
    topic: str
    cards: int
    seen: int
    today: float | None  # mean predicted recall today over the topic's seen cards
    on_day: float | None  # with a plan: mean predicted recall on the interview day over all its cards


@dataclass(frozen=True)
class Readiness:
    today: date
    cards: int  # cards in scope (the plan's, or the bank's)
    seen: int
    recall_today: float | None  # mean over seen cards
    topics: list[TopicRecall]
    plan: repo.StoredPlan | None = None
    learned: int = 0  # with a plan: cards whose last scheduled review passed
    recall_on_day: float | None = None  # over every selected card, unseen ones counted as 0
    projected_on_day: float | None = None  # the same if the plan is followed and every review recalled
    calibration: list[memory_model.CalibrationBin] = field(default_factory=list)
    calibration_answers: int = 0

    @property
    def days_left(self) -> int | None:
        return (self.plan.interview_day - self.today).days if self.plan else None

    @property
    def calibrated(self) -> bool:
        return self.calibration_answers >= memory_model.MIN_CALIBRATION_ANSWERS


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def projected_recall(
    cards: Sequence[Question], picture: _Picture, paced: pacing.Pacing, interview: date, today: date
) -> float:
    """Mean recall on the interview day if the plan is followed and every review is recalled (graded 4):
    started cards follow their schedule (SM-2 or FSRS), new ones start on the days the pacing gives them."""
    last = interview - timedelta(days=1)
    offsets = pacing.review_offsets((interview - today).days, picture.config)
    starts = [d.day for d in paced.days for _ in range(d.new)]
    total = 0.0
    for q in cards:
        memory = picture.memory.get(q.id)
        state = picture.states.get(q.id)
        if state is not None:
            while state.due is not None and state.due <= last:
                day = max(state.due, today)
                memory = picture.step(memory, pacing.PROJECTED_GRADE, day)
                state = schedulers.review(state, pacing.PROJECTED_GRADE, day, picture.config)
        elif starts:
            start = starts.pop(0)
            memory = picture.step(None, pacing.PROJECTED_GRADE, start)
            for offset in offsets:
                if start + timedelta(days=offset) <= last:
                    memory = picture.step(memory, pacing.PROJECTED_GRADE, start + timedelta(days=offset))
        total += picture.recall(memory, interview) if memory is not None else 0.0
    return total / len(cards) if cards else 0.0


def readiness(engine: Engine, profile_id: int, questions: Sequence[Question], today: date) -> Readiness:
    """Predicted recall today (and with an active plan, on the interview day), overall and per topic, and the
    model's calibration on this learner's own log."""
    with engine.connect() as conn:
        plan = repo.load_plan(conn, profile_id)
        buckets = repo.calibration_buckets(conn, profile_id)
    if plan is not None and today > plan.interview_day:
        plan = None  # the day has passed: plain SM-2 again
    cards = selected_cards(questions, plan) if plan is not None else list(questions)
    picture = _picture(engine, profile_id, today)
    by_topic: dict[str, list[Question]] = defaultdict(list)
    for q in cards:
        by_topic[q.topic].append(q)
    topics = []
    for topic, group in by_topic.items():
        seen = [picture.memory[q.id] for q in group if q.id in picture.memory]
        on_day = (
            sum(picture.recall(picture.memory.get(q.id), plan.interview_day) for q in group) / len(group)
            if plan is not None else None
        )  # fmt: skip
        topics.append(TopicRecall(topic, len(group), len(seen), _mean([picture.recall(m, today) for m in seen]),
                                  on_day))  # fmt: skip
    seen_all = [picture.memory[q.id] for q in cards if q.id in picture.memory]
    result = Readiness(
        today=today, cards=len(cards), seen=len(seen_all),
        recall_today=_mean([picture.recall(m, today) for m in seen_all]), topics=topics,
        calibration=memory_model.calibration(buckets), calibration_answers=sum(b[1] for b in buckets),
    )  # fmt: skip
    if plan is None:
        return result
    args, _, _ = _pace_args(cards, picture, plan, today)
    paced = pacing.pace(**args)  # type: ignore[arg-type]
    learned = sum(1 for q in cards if (s := picture.states.get(q.id)) is not None and s.repetitions > 0)
    on_day = sum(picture.recall(picture.memory.get(q.id), plan.interview_day) for q in cards)
    return Readiness(
        **{**result.__dict__, "plan": plan, "learned": learned,
           "recall_on_day": on_day / len(cards) if cards else None,
           "projected_on_day": projected_recall(cards, picture, paced, plan.interview_day, today)
           if is_active(plan, today) else None},
    )  # fmt: skip


def readiness_line(r: Readiness) -> str:
    """One line: 'Interview in 12 days: 164 of 215 cards learned; predicted recall on the day 83% (target 90%);
    at this pace, 91%', or without a plan, predicted recall today."""

    def pct(x: float | None) -> str:
        return "-" if x is None else f"{round(100 * x)}%"

    if r.plan is None:
        if not r.seen:
            return "Predicted recall today: no card answered yet"
        return f"Predicted recall today {pct(r.recall_today)} over the {r.seen} cards seen (of {r.cards})"
    days = r.days_left or 0
    when = "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"
    line = (
        f"Interview {when} ({r.plan.interview_day.isoformat()}): {r.learned} of {r.cards} cards learned; "
        f"predicted recall on the day {pct(r.recall_on_day)} (target {pct(r.plan.target)})"
    )
    if r.projected_on_day is not None:
        line += f"; at this pace, {pct(r.projected_on_day)}"
    return line
