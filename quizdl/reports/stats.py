"""The one aggregation core behind `quizdl stats`, `quizdl report` and every report format.

Pure functions: an engine, a profile, the bank and today in; a plain frozen dataclass out. No terminal I/O.
Review figures come from SQL GROUP BY queries (on the stored `study_day`, `kind` and `question_id`, which
behave the same on SQLite and PostgreSQL); what is left is done with numpy on the grouped rows or on the
card table (one row per card). Nothing loops over review rows in Python.

Definitions (docs/reports.md repeats them for readers of the reports):
- seen: cards with a scheduling state; new: bank cards never reviewed on schedule;
- mature: interval of 21 days or more (as Anki counts it); young: seen but not mature;
- due: due on or before today (overdue included); learned: repetitions > 0 (the last scheduled review passed);
- true retention: the share of *scheduled* reviews (not re-drill, not cram) graded 3 or more;
- time spent: the sum of response times of every review; streaks: runs of consecutive study days.
Card figures describe the current state and ignore `since`; review figures (counts, time, retention,
streaks, heatmap, per-topic retention) only count reviews on or after `since`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, case, func, select

from quizdl.bank.model import Bank
from quizdl.planning import Readiness, readiness
from quizdl.srs.sm2 import MIN_EF, PASSING_GRADE
from quizdl.store.schema import Card, Profile, Review
from quizdl.vocab import ReviewKind

MATURE_DAYS = 21
RETENTION_WINDOWS = (7, 30, 365)
FORECAST_DAYS = 30
HEATMAP_DAYS = 365
WEAKEST_CARDS = 10
WEAKEST_TOPICS = 5
# Histogram buckets: (label, lowest value included, highest value included).
INTERVAL_BUCKETS: tuple[tuple[str, int, int], ...] = (
    ("1d", 1, 1), ("2-3d", 2, 3), ("4-7d", 4, 7), ("8-14d", 8, 14), ("15-20d", 15, 20), ("21-30d", 21, 30),
    ("1-3mo", 31, 91), ("3-6mo", 92, 182), ("6-12mo", 183, 365), (">1y", 366, 10**9),
)  # fmt: skip
EF_EDGES = (MIN_EF, 1.5, 1.7, 1.9, 2.1, 2.3, 2.5, 2.7)

Progress = Callable[[str], None]  # told the name of each step as it starts (the CLI draws a progress bar)


def _no_progress(_step: str) -> None:
    return None


@dataclass(frozen=True)
class Overview:
    cards_in_bank: int
    seen: int
    new: int
    young: int
    mature: int
    due: int  # due today or overdue
    overdue: int  # due before today
    learned: int
    removed: int  # cards with history whose question is no longer in the bank (not counted above)
    reviews: int
    reviews_by_kind: dict[str, int]
    reviews_today: int
    time_spent_ms: int
    study_days: int
    current_streak: int  # consecutive study days ending today (or yesterday, if today has no review yet)
    longest_streak: int
    first_day: date | None
    last_day: date | None


@dataclass(frozen=True)
class Retention:
    label: str  # "7 days", "30 days", "365 days", "all time" (or "since YYYY-MM-DD")
    days: int | None  # window length; None for the whole (since-restricted) history
    scheduled: int  # scheduled reviews in the window
    passed: int  # of which graded 3 or more
    rate: float | None  # passed / scheduled, None without reviews


@dataclass(frozen=True)
class TopicRow:
    topic: str
    title: str
    cards: int  # cards in the bank
    seen: int
    learned: int
    mature: int
    due: int
    mean_ef: float | None
    lapses: int
    scheduled: int  # scheduled reviews (since-restricted)
    passed: int
    retention: float | None

    @property
    def mastery(self) -> float:
        """learned / cards: the share of the topic the learner currently knows."""
        return self.learned / self.cards if self.cards else 0.0


@dataclass(frozen=True)
class WeakCard:
    question_id: str
    topic: str
    question: str
    lapses: int
    ef: float
    interval: int
    repetitions: int
    due: date


@dataclass(frozen=True)
class DayCount:
    day: date
    count: int


@dataclass(frozen=True)
class Bucket:
    label: str
    count: int


@dataclass(frozen=True)
class Report:
    profile: str
    today: date
    since: date | None
    overview: Overview
    retention: list[Retention]
    topics: list[TopicRow]
    weakest: list[WeakCard]
    forecast: list[DayCount]  # FORECAST_DAYS days from today; today's count includes overdue cards
    heatmap: list[DayCount]  # reviews per study day, HEATMAP_DAYS days ending today
    intervals: list[Bucket]
    ef: list[Bucket]
    readiness: Readiness | None = None  # predicted recall (FSRS-6 model), the plan's day, calibration


@dataclass(frozen=True)
class LearnerRow:
    profile: str
    seen: int
    learned: int
    mature: int
    due: int
    reviews: int
    time_spent_ms: int
    scheduled: int
    passed: int
    retention: float | None  # true retention over the (since-restricted) history
    retention_30d: float | None
    current_streak: int
    longest_streak: int
    last_day: date | None


@dataclass(frozen=True)
class ClassReport:
    today: date
    since: date | None
    learners: list[LearnerRow]
    topics: list[TopicRow]  # summed over learners: cards/seen/learned/... count (learner, card) pairs
    weakest_topics: list[TopicRow]


# -- small numpy helpers ---------------------------------------------------------------------------------


def _ordinals(days: Sequence[date | None]) -> np.ndarray:
    """Dates as day numbers (date.toordinal) in an int64 array."""
    return np.array([d.toordinal() if d is not None else 0 for d in days], dtype=np.int64)


def streaks(day_numbers: np.ndarray, today: date) -> tuple[int, int]:
    """(current, longest) runs of consecutive study days. `day_numbers` are ordinals, in any order.

    The current streak ends today, or yesterday when today has no review yet (the day is not over).
    """
    days = np.unique(day_numbers)
    if days.size == 0:
        return 0, 0
    breaks = np.flatnonzero(np.diff(days) != 1)  # index of the last day of each run but the final one
    ends = np.append(breaks, days.size - 1)
    starts = np.insert(breaks + 1, 0, 0)
    lengths = ends - starts + 1
    last = int(days[-1])
    current = int(lengths[-1]) if last >= today.toordinal() - 1 and last <= today.toordinal() else 0
    return current, int(lengths.max())


def _rate(passed: int, total: int) -> float | None:
    return passed / total if total else None


def _histograms(intervals: np.ndarray, efs: np.ndarray) -> tuple[list[Bucket], list[Bucket]]:
    interval_buckets = [
        Bucket(label, int(np.count_nonzero((intervals >= lo) & (intervals <= hi))))
        for label, lo, hi in INTERVAL_BUCKETS
    ]
    edges = np.array([*EF_EDGES, np.inf])
    counts = np.histogram(np.round(efs, 2), bins=edges)[0] if efs.size else np.zeros(len(EF_EDGES), dtype=np.int64)
    labels = [f"{lo:.1f}-{hi:.1f}" for lo, hi in pairwise(EF_EDGES)]
    labels.append(f"{EF_EDGES[-1]:.1f}+")
    return interval_buckets, [Bucket(label, int(c)) for label, c in zip(labels, counts, strict=True)]


@dataclass
class _CardArrays:
    """The card table of one or more profiles as numpy columns, restricted to questions in the bank."""

    question_ids: list[str]
    owner: np.ndarray  # index into the profile list
    topic: np.ndarray  # index into bank.topics
    ef: np.ndarray
    interval: np.ndarray
    repetitions: np.ndarray
    due: np.ndarray  # ordinals
    lapses: np.ndarray
    removed: np.ndarray  # per owner: cards whose question left the bank

    @property
    def mature(self) -> np.ndarray:
        return self.interval >= MATURE_DAYS

    @property
    def learned(self) -> np.ndarray:
        return self.repetitions > 0

    def due_by(self, today: date) -> np.ndarray:
        return self.due <= today.toordinal()


def _load_cards(conn: Connection, profile_ids: list[int], bank: Bank, topic_index: dict[str, int]) -> _CardArrays:
    owner_index = {pid: i for i, pid in enumerate(profile_ids)}
    rows = conn.execute(
        select(Card.profile_id, Card.question_id, Card.ef, Card.interval, Card.repetitions, Card.due, Card.lapses)
        .where(Card.profile_id.in_(profile_ids))
        .order_by(Card.profile_id, Card.question_id)
    ).all()
    topic_of = {q.id: topic_index[q.topic] for q in bank.questions}
    # One entry per card (not per review): mapping ids to topics is a dict look-up per card.
    topic = np.array([topic_of.get(r.question_id, -1) for r in rows], dtype=np.int64)
    owner = np.array([owner_index[r.profile_id] for r in rows], dtype=np.int64)
    keep = topic >= 0
    removed = np.bincount(owner[~keep], minlength=len(profile_ids)) if rows else np.zeros(len(profile_ids), int)
    cols = list(zip(*rows, strict=True)) if rows else [()] * 7
    return _CardArrays(
        question_ids=[qid for qid, k in zip(cols[1], keep, strict=True) if k],
        owner=owner[keep],
        topic=topic[keep],
        ef=np.array(cols[2], dtype=float)[keep] if rows else np.zeros(0),
        interval=np.array(cols[3], dtype=np.int64)[keep] if rows else np.zeros(0, np.int64),
        repetitions=np.array(cols[4], dtype=np.int64)[keep] if rows else np.zeros(0, np.int64),
        due=_ordinals(cols[5])[keep] if rows else np.zeros(0, np.int64),
        lapses=np.array(cols[6], dtype=np.int64)[keep] if rows else np.zeros(0, np.int64),
        removed=removed,
    )


def _passed(condition: Any = None) -> Any:
    """The number of reviews graded 3 or more (among those meeting `condition`)."""
    passed = Review.grade >= PASSING_GRADE
    return func.coalesce(func.sum(case((passed if condition is None else condition & passed, 1), else_=0)), 0)


def _review_filter(profile_ids: list[int], since: date | None) -> list[Any]:
    where = [Review.profile_id.in_(profile_ids)]
    if since is not None:
        where.append(Review.study_day >= since)
    return where


@dataclass
class _DayArrays:
    """Reviews grouped by (profile, study day): one entry per group, as numpy columns."""

    owner: np.ndarray
    day: np.ndarray  # ordinals
    count: np.ndarray  # every review
    passed: np.ndarray  # scheduled reviews graded 3 or more
    ms: np.ndarray  # response times of every review
    kinds: dict[str, np.ndarray]  # reviews of each ReviewKind, every kind present

    @property
    def scheduled(self) -> np.ndarray:
        return self.kinds[ReviewKind.SCHEDULED]


def _load_days(conn: Connection, profile_ids: list[int], since: date | None) -> _DayArrays:
    """One GROUP BY (profile, study_day); grouping in the (profile_id, study_day) index order lets SQLite
    aggregate without sorting the log, and few CASE sums keep the per-row work small."""
    owner_index = {pid: i for i, pid in enumerate(profile_ids)}
    scheduled = Review.kind == ReviewKind.SCHEDULED
    kinds = list(ReviewKind)  # one CASE sum per stored kind: a kind added to the vocabulary is counted too
    rows = conn.execute(
        select(
            Review.profile_id, Review.study_day, func.count(), _passed(scheduled),
            func.coalesce(func.sum(Review.response_ms), 0),
            *(func.coalesce(func.sum(case((Review.kind == kind, 1), else_=0)), 0) for kind in kinds),
        )
        .where(*_review_filter(profile_ids, since))
        .group_by(Review.profile_id, Review.study_day)
    ).all()  # fmt: skip
    cols = list(zip(*rows, strict=True)) if rows else [()] * (5 + len(kinds))

    def ints(i: int) -> np.ndarray:
        return np.array(cols[i], dtype=np.int64)

    return _DayArrays(
        owner=np.array([owner_index[p] for p in cols[0]], dtype=np.int64), day=_ordinals(cols[1]), count=ints(2),
        passed=ints(3), ms=ints(4), kinds={str(kind): ints(5 + i) for i, kind in enumerate(kinds)},
    )  # fmt: skip


def _scheduled_by_topic(
    conn: Connection, profile_ids: list[int], since: date | None, bank: Bank, topic_index: dict[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Scheduled reviews and passes per topic (summed over the given profiles), via GROUP BY question."""
    # `profile_id + 0` keeps SQLite off the (profile_id, question_id) index, whose random row look-ups cost
    # 4x a sequential scan on a large log. (A covering index on (profile_id, question_id, kind, grade) would
    # make this an index-only scan; the filter can then become plain `profile_id IN (...)`.)
    rows = conn.execute(
        select(Review.question_id, func.count(), _passed())
        .where((Review.profile_id + 0).in_(profile_ids), Review.kind == ReviewKind.SCHEDULED)
        .where(*([Review.study_day >= since] if since is not None else []))
        .group_by(Review.question_id)
    ).all()
    topic_of = {q.id: topic_index[q.topic] for q in bank.questions}
    idx = np.array([topic_of.get(r[0], -1) for r in rows], dtype=np.int64)
    counts = np.array([r[1] for r in rows], dtype=np.int64)
    passed = np.array([r[2] for r in rows], dtype=np.int64)
    keep = idx >= 0
    n = len(topic_index)
    return (
        np.bincount(idx[keep], weights=counts[keep], minlength=n).astype(np.int64),
        np.bincount(idx[keep], weights=passed[keep], minlength=n).astype(np.int64),
    )


def _topic_rows(
    bank: Bank, cards: _CardArrays, today: date, scheduled: np.ndarray, passed: np.ndarray, learners: int = 1
) -> list[TopicRow]:
    topics = bank.topics
    n = len(topics)
    index = {t: i for i, t in enumerate(topics)}
    total = learners * np.bincount(np.array([index[q.topic] for q in bank.questions], dtype=np.int64), minlength=n)

    def per_topic(weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(cards.topic, weights=weights, minlength=n)

    seen, ef_sum = per_topic(), per_topic(cards.ef)
    learned, mature, due = per_topic(cards.learned), per_topic(cards.mature), per_topic(cards.due_by(today))
    lapses = per_topic(cards.lapses)
    return [
        TopicRow(
            topic=t, title=bank.topic_titles.get(t, t), cards=int(total[i]), seen=int(seen[i]),
            learned=int(learned[i]), mature=int(mature[i]), due=int(due[i]),
            mean_ef=round(float(ef_sum[i] / seen[i]), 2) if seen[i] else None, lapses=int(lapses[i]),
            scheduled=int(scheduled[i]), passed=int(passed[i]), retention=_rate(int(passed[i]), int(scheduled[i])),
        )
        for i, t in enumerate(topics)
    ]  # fmt: skip


def _window_retention(days: _DayArrays, today: date, since: date | None) -> list[Retention]:
    out = []
    for window in RETENTION_WINDOWS:
        in_window = (days.day > today.toordinal() - window) & (days.day <= today.toordinal())
        total, ok = int(days.scheduled[in_window].sum()), int(days.passed[in_window].sum())
        out.append(Retention(f"{window} days", window, total, ok, _rate(ok, total)))
    total, ok = int(days.scheduled.sum()), int(days.passed.sum())
    label = f"since {since.isoformat()}" if since is not None else "all time"
    out.append(Retention(label, None, total, ok, _rate(ok, total)))
    return out


def _weakest(cards: _CardArrays, bank: Bank, limit: int) -> list[WeakCard]:
    """Cards with the most lapses, then the lowest EF (ties by id): only cards that show some weakness."""
    weak = (cards.lapses > 0) | (cards.ef < 2.5)
    idx = np.flatnonzero(weak)
    ids = np.array(cards.question_ids, dtype=object)[idx] if idx.size else np.array([], dtype=object)
    order = np.lexsort((ids.astype(str), cards.ef[idx], -cards.lapses[idx]))[:limit] if idx.size else []
    out = []
    for j in order:
        i = int(idx[j])
        q = bank.get(cards.question_ids[i])
        assert q is not None
        out.append(
            WeakCard(
                question_id=q.id, topic=q.topic, question=q.question, lapses=int(cards.lapses[i]),
                ef=float(cards.ef[i]), interval=int(cards.interval[i]), repetitions=int(cards.repetitions[i]),
                due=date.fromordinal(int(cards.due[i])),
            )
        )  # fmt: skip
    return out


def _forecast(cards: _CardArrays, today: date) -> list[DayCount]:
    offsets = np.clip(cards.due - today.toordinal(), 0, None)  # overdue cards are due today
    counts = np.bincount(offsets[offsets < FORECAST_DAYS], minlength=FORECAST_DAYS)
    return [DayCount(today + timedelta(days=i), int(c)) for i, c in enumerate(counts)]


def _heatmap(days: _DayArrays, today: date) -> list[DayCount]:
    start = today.toordinal() - HEATMAP_DAYS + 1
    sel = (days.day >= start) & (days.day <= today.toordinal())
    counts = np.bincount(days.day[sel] - start, weights=days.count[sel], minlength=HEATMAP_DAYS).astype(np.int64)
    return [DayCount(date.fromordinal(start + i), int(c)) for i, c in enumerate(counts)]


def _profile_name(conn: Connection, profile_id: int) -> str:
    name = conn.execute(select(Profile.name).where(Profile.id == profile_id)).scalar()
    return name if name is not None else f"#{profile_id}"


def build_report(
    engine: Engine, profile_id: int, bank: Bank, today: date, since: date | None = None,
    progress: Progress = _no_progress,
) -> Report:  # fmt: skip
    """Every figure of one learner's report (see the module docstring for the definitions)."""
    topic_index = {t: i for i, t in enumerate(bank.topics)}
    with engine.connect() as conn:
        progress("cards")
        name = _profile_name(conn, profile_id)
        cards = _load_cards(conn, [profile_id], bank, topic_index)
        progress("reviews per day")
        days = _load_days(conn, [profile_id], since)
        progress("retention per topic")
        scheduled, passed = _scheduled_by_topic(conn, [profile_id], since, bank, topic_index)
    progress("figures")
    current, longest = streaks(days.day, today)
    study_days = np.unique(days.day)
    by_kind = {kind: int(counts.sum()) for kind, counts in days.kinds.items()}
    due_mask = cards.due_by(today)
    intervals, ef = _histograms(cards.interval, cards.ef)
    overview = Overview(
        cards_in_bank=len(bank.questions), seen=len(cards.question_ids),
        new=len(bank.questions) - len(cards.question_ids),
        young=int(np.count_nonzero(~cards.mature)), mature=int(np.count_nonzero(cards.mature)),
        due=int(np.count_nonzero(due_mask)), overdue=int(np.count_nonzero(cards.due < today.toordinal())),
        learned=int(np.count_nonzero(cards.learned)), removed=int(cards.removed.sum()),
        reviews=int(days.count.sum()), reviews_by_kind=by_kind,
        reviews_today=int(days.count[days.day == today.toordinal()].sum()), time_spent_ms=int(days.ms.sum()),
        study_days=int(study_days.size), current_streak=current, longest_streak=longest,
        first_day=date.fromordinal(int(study_days[0])) if study_days.size else None,
        last_day=date.fromordinal(int(study_days[-1])) if study_days.size else None,
    )  # fmt: skip
    return Report(
        profile=name,
        today=today,
        since=since,
        overview=overview,
        retention=_window_retention(days, today, since),
        topics=_topic_rows(bank, cards, today, scheduled, passed),
        weakest=_weakest(cards, bank, WEAKEST_CARDS),
        forecast=_forecast(cards, today),
        heatmap=_heatmap(days, today),
        intervals=intervals,
        ef=ef,
        readiness=readiness(engine, profile_id, bank.questions, today),
    )


def weakest_topics(topics: list[TopicRow], limit: int = WEAKEST_TOPICS) -> list[TopicRow]:
    """Topics with reviews, worst first: lowest true retention, then lowest mean EF, then most lapses."""
    studied = [t for t in topics if t.scheduled or t.seen]
    return sorted(
        studied,
        key=lambda t: (
            t.retention if t.retention is not None else 2.0, t.mean_ef if t.mean_ef is not None else 9.0,
            -t.lapses, t.topic,
        ),
    )[:limit]  # fmt: skip


def build_class_report(
    engine: Engine, bank: Bank, today: date, since: date | None = None, progress: Progress = _no_progress
) -> ClassReport:
    """One row per learner of a shared database, plus the class's topic figures and weakest topics."""
    topic_index = {t: i for i, t in enumerate(bank.topics)}
    with engine.connect() as conn:
        progress("profiles")
        profiles = conn.execute(select(Profile.id, Profile.name).order_by(Profile.name)).all()
        ids = [p.id for p in profiles]
        progress("cards")
        cards = _load_cards(conn, ids, bank, topic_index)
        progress("reviews per day")
        days = _load_days(conn, ids, since)
        progress("retention per topic")
        scheduled, passed = _scheduled_by_topic(conn, ids, since, bank, topic_index)
    progress("figures")
    n = len(ids)

    def per_owner(owner: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(owner, weights=weights, minlength=n).astype(np.int64)

    recent = (days.day > today.toordinal() - 30) & (days.day <= today.toordinal())
    seen, learned = per_owner(cards.owner), per_owner(cards.owner, cards.learned)
    mature, due = per_owner(cards.owner, cards.mature), per_owner(cards.owner, cards.due_by(today))
    reviews, ms = per_owner(days.owner, days.count), per_owner(days.owner, days.ms)
    s_all, p_all = per_owner(days.owner, days.scheduled), per_owner(days.owner, days.passed)
    s_30, p_30 = (
        per_owner(days.owner[recent], days.scheduled[recent]),
        per_owner(days.owner[recent], days.passed[recent]),
    )
    learners = []
    for i, p in enumerate(profiles):  # one iteration per learner, on already-aggregated arrays
        own_days = days.day[days.owner == i]
        current, longest = streaks(own_days, today)
        learners.append(
            LearnerRow(
                profile=p.name, seen=int(seen[i]), learned=int(learned[i]), mature=int(mature[i]), due=int(due[i]),
                reviews=int(reviews[i]), time_spent_ms=int(ms[i]), scheduled=int(s_all[i]), passed=int(p_all[i]),
                retention=_rate(int(p_all[i]), int(s_all[i])), retention_30d=_rate(int(p_30[i]), int(s_30[i])),
                current_streak=current, longest_streak=longest,
                last_day=date.fromordinal(int(own_days.max())) if own_days.size else None,
            )
        )  # fmt: skip
    topics = _topic_rows(bank, cards, today, scheduled, passed, learners=n)
    return ClassReport(
        today=today, since=since, learners=learners, topics=topics, weakest_topics=weakest_topics(topics)
    )
