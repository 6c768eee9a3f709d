"""Repository functions: every read and write the core needs, one short transaction each."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from quizdl.srs import fitting, schedulers
from quizdl.srs import memory as memory_model
from quizdl.srs.sm2 import REDRILL_UNTIL, CardState
from quizdl.store.schema import Card, Memory, Plan, Profile, Review, StudySession
from quizdl.vocab import ReviewKind, SchedulerName, SessionMode

reviews_t = Review.__table__
cards_t = Card.__table__
memory_t = Memory.__table__
plans_t = Plan.__table__


@dataclass(frozen=True)
class Answer:
    """One graded answer, as the session hands it to the store (which works out the scheduler state)."""

    profile_id: int
    session_id: int | None
    question_id: str
    reviewed_at: datetime
    study_day: date
    kind: ReviewKind
    grade: int
    response_ms: int | None
    typed_answer: str | None
    suggested_grade: int | None = None  # the grade suggested after the reveal (quizdl.feedback)


@dataclass(frozen=True)
class Recorded:
    review_id: int
    before: CardState
    after: CardState  # equal to `before` for redrill and cram: they leave the schedule alone


def ensure_profile(engine: Engine, name: str, now: datetime) -> int:
    """The id of profile `name`, created on first use (two processes creating it at once both get it)."""
    if (found := find_profile(engine, name)) is not None:
        return found
    try:
        with engine.begin() as conn:
            return conn.execute(insert(Profile).values(name=name, created_at=now).returning(Profile.id)).scalar_one()
    except IntegrityError:  # another process created it between our look-up and our insert
        found = find_profile(engine, name)
        if found is None:
            raise
        return found


def find_profile(engine: Engine, name: str) -> int | None:
    with engine.connect() as conn:
        return conn.execute(select(Profile.id).where(Profile.name == name)).scalar()


def profile_names(engine: Engine) -> dict[int, str]:
    with engine.connect() as conn:
        return {pid: name for pid, name in conn.execute(select(Profile.id, Profile.name).order_by(Profile.name))}


def _state(row: Card) -> CardState:
    return CardState(
        ef=row.ef, repetitions=row.repetitions, interval=row.interval, due=row.due, lapses=row.lapses,
        last_review=row.last_review, stability=row.stability, difficulty=row.difficulty,
    )  # fmt: skip


def card_states(conn: Connection, profile_id: int, question_ids: Iterable[str] | None = None) -> dict[str, CardState]:
    """Scheduler states of a profile's cards: all of them, or only `question_ids`."""
    query = select(cards_t).where(cards_t.c.profile_id == profile_id)
    if question_ids is None:
        return {row.question_id: _state(row) for row in conn.execute(query)}
    wanted = list(question_ids)
    found: dict[str, CardState] = {}
    for lo in range(0, len(wanted), 500):  # stay far below every backend's bound-parameter limit
        chunk = query.where(cards_t.c.question_id.in_(wanted[lo : lo + 500]))
        found.update((row.question_id, _state(row)) for row in conn.execute(chunk))
    return found


_ID_SEPARATOR = "\x1f"  # the ASCII unit separator: never part of a kebab-case id


def seen_ids(conn: Connection, profile_id: int) -> set[str]:
    """Every card the profile has started.

    Joined into one string by the database (group_concat / string_agg): for 5,000 cards that is 2.5 ms
    instead of 7.5 ms spent building 5,000 result rows.
    """
    query = select(func.aggregate_strings(cards_t.c.question_id, _ID_SEPARATOR)).where(
        cards_t.c.profile_id == profile_id
    )
    joined = conn.execute(query).scalar()
    return set(joined.split(_ID_SEPARATOR)) if joined else set()


def due_dates(conn: Connection, profile_id: int, until: date | None = None) -> dict[str, date]:
    """Due days of the profile's cards, only those due by `until` when given (what a normal queue needs)."""
    query = select(cards_t.c.question_id, cards_t.c.due).where(cards_t.c.profile_id == profile_id)
    if until is not None:
        query = query.where(cards_t.c.due <= until)
    return {qid: due for qid, due in conn.execute(query)}


def pending_redrills(conn: Connection, profile_id: int, today: date) -> list[str]:
    """Cards whose latest graded answer on `today` (scheduled or re-drill, not cram or prep) was below 4.
    (A failed prep card comes back in a later session today because its predicted recall fell, not from here.)"""
    query = select(reviews_t.c.question_id, reviews_t.c.grade, reviews_t.c.reviewed_at, reviews_t.c.id).where(
        reviews_t.c.profile_id == profile_id, reviews_t.c.study_day == today,
        reviews_t.c.kind.in_([ReviewKind.SCHEDULED, ReviewKind.REDRILL]),
    )  # fmt: skip
    # Sorted here, not in SQL: an ORDER BY reviewed_at (or a window over question_id) tempts SQLite into
    # walking the profile's whole log through another index instead of today's rows via (profile, study_day).
    latest: dict[str, int] = {}
    for qid, grade, _, _ in sorted(conn.execute(query), key=lambda row: (row[2], row[3])):
        latest[qid] = grade
    return [qid for qid, grade in latest.items() if grade < REDRILL_UNTIL]


def next_due(conn: Connection, profile_id: int) -> date | None:
    return conn.execute(select(func.min(cards_t.c.due)).where(cards_t.c.profile_id == profile_id)).scalar()


def introduced_on(conn: Connection, profile_id: int, day: date) -> int:
    """How many new cards this profile started on `day` (counts against the daily new-card limit)."""
    query = select(func.count()).where(cards_t.c.profile_id == profile_id, cards_t.c.introduced_on == day)
    return conn.execute(query).scalar_one()


def start_session(engine: Engine, profile_id: int, now: datetime, mode: SessionMode) -> int:
    with engine.begin() as conn:
        values = {"profile_id": profile_id, "started_at": now, "mode": mode}
        return conn.execute(insert(StudySession).values(**values).returning(StudySession.id)).scalar_one()


def end_session(engine: Engine, session_id: int, now: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(update(StudySession).where(StudySession.id == session_id).values(ended_at=now))


def _card_values(state: CardState, introduced: date) -> dict[str, object]:
    return {
        "ef": state.ef, "interval": state.interval, "repetitions": state.repetitions, "due": state.due,
        "lapses": state.lapses, "last_review": state.last_review, "introduced_on": introduced,
        "stability": state.stability, "difficulty": state.difficulty,
    }  # fmt: skip


def _write_card(conn: Connection, profile_id: int, question_id: str, state: CardState, introduced: date) -> None:
    key = (cards_t.c.profile_id == profile_id) & (cards_t.c.question_id == question_id)
    values = _card_values(state, introduced)
    existing = conn.execute(select(cards_t.c.introduced_on).where(key)).first()
    if existing is None:
        conn.execute(insert(cards_t).values(profile_id=profile_id, question_id=question_id, **values))
    else:
        values["introduced_on"] = existing.introduced_on
        conn.execute(update(cards_t).where(key).values(**values))


def _lock_profile(conn: Connection, profile_id: int) -> None:
    """Serialize answers of one profile. SQLite's BEGIN IMMEDIATE already does; PostgreSQL locks the row."""
    if conn.dialect.name != "sqlite":
        conn.execute(select(Profile.id).where(Profile.id == profile_id).with_for_update())


def record_answer(engine: Engine, answer: Answer) -> Recorded:
    """Store one answer durably: the log row and (for scheduled reviews) the card state, in one transaction.

    The state before is read inside the transaction, not taken from the caller: two sessions of one
    profile answering the same card both land in the log, and the card always equals the log's replay.
    """
    with engine.begin() as conn:
        _lock_profile(conn, answer.profile_id)
        key = (cards_t.c.profile_id == answer.profile_id) & (cards_t.c.question_id == answer.question_id)
        row = conn.execute(select(cards_t).where(key)).first()
        before = _state(row) if row is not None else CardState()
        config = scheduler_config(conn, answer.profile_id)
        parameters = config.parameters
        scheduled = answer.kind == ReviewKind.SCHEDULED
        after = schedulers.review(before, answer.grade, answer.study_day, config) if scheduled else before
        remembered = _read_memory(conn, answer.profile_id, answer.question_id)
        recall_before = _recall_before(remembered, answer.study_day, parameters)
        review_id = conn.execute(
            insert(reviews_t)
            .values(
                profile_id=answer.profile_id, session_id=answer.session_id, question_id=answer.question_id,
                reviewed_at=answer.reviewed_at, study_day=answer.study_day, kind=answer.kind,
                grade=answer.grade, response_ms=answer.response_ms, typed_answer=answer.typed_answer,
                ef_before=before.ef, interval_before=before.interval, repetitions_before=before.repetitions,
                due_before=before.due, ef_after=after.ef, interval_after=after.interval,
                repetitions_after=after.repetitions, due_after=after.due, suggested_grade=answer.suggested_grade,
                recall_before=recall_before,
            )
            .returning(reviews_t.c.id)
        ).scalar_one()  # fmt: skip
        if answer.kind == ReviewKind.SCHEDULED:
            _write_card(conn, answer.profile_id, answer.question_id, after, answer.study_day)
        # Every kind of answer is a retrieval the memory went through, so every kind moves the memory model.
        _write_memory(
            conn,
            answer.profile_id,
            answer.question_id,
            memory_model.step(remembered, answer.grade, answer.study_day),
            exists=remembered is not None,
        )
        return Recorded(review_id, before, after)


def undo_answer(engine: Engine, review_id: int) -> None:
    """Remove one answer from the log and put its card back as it was (deleting a card that was new)."""
    with engine.begin() as conn:
        row = conn.execute(select(reviews_t).where(reviews_t.c.id == review_id)).first()
        if row is None:
            return
        _lock_profile(conn, row.profile_id)
        conn.execute(delete(reviews_t).where(reviews_t.c.id == review_id))
        replay_memory(conn, row.profile_id, [row.question_id])
        if row.kind != ReviewKind.SCHEDULED:
            return
        # Lapses and the last review day are not in the log row: replay this one card from what is left.
        replay_cards(conn, row.profile_id, [row.question_id])


def _replay(conn: Connection, profile_id: int, question_ids: Iterable[str] | None = None) -> int:
    """Recompute card states for a profile from its scheduled reviews; returns how many cards were written."""
    query = (
        select(reviews_t.c.question_id, reviews_t.c.grade, reviews_t.c.study_day)
        .where(reviews_t.c.profile_id == profile_id, reviews_t.c.kind == ReviewKind.SCHEDULED)
        .order_by(reviews_t.c.reviewed_at, reviews_t.c.id)
    )
    if question_ids is not None:
        query = query.where(reviews_t.c.question_id.in_(list(question_ids)))
    states: dict[str, CardState] = {}
    introduced: dict[str, date] = {}
    config = scheduler_config(conn, profile_id)
    for question_id, grade, day in conn.execute(query):
        states[question_id] = schedulers.review(states.get(question_id, CardState()), grade, day, config)
        introduced.setdefault(question_id, day)
    rows = [
        {"profile_id": profile_id, "question_id": qid, **_card_values(state, introduced[qid])}
        for qid, state in states.items()
    ]
    if rows:
        conn.execute(insert(cards_t), rows)
    return len(rows)


def rebuild_cards(engine: Engine, profile_id: int | None = None) -> int:
    """Throw away the card table and the memory model (for one profile or all) and replay the log. Returns
    card states written."""
    with engine.begin() as conn:
        profiles = [profile_id] if profile_id is not None else list(conn.execute(select(Profile.id)).scalars())
        written = 0
        for pid in profiles:
            written += replay_cards(conn, pid)
            replay_memory(conn, pid)
        return written


def replay_cards(conn: Connection, profile_id: int, question_ids: list[str] | None = None) -> int:
    """Replace a profile's card states (all, or only `question_ids`) by the log's replay, in the caller's
    transaction. Used by undo, `db rebuild` and progress import; returns how many cards were written."""
    stale = cards_t.c.profile_id == profile_id
    if question_ids is not None:
        stale &= cards_t.c.question_id.in_(question_ids)
    conn.execute(delete(cards_t).where(stale))
    return _replay(conn, profile_id, question_ids)


# The memory model (quizdl.srs.memory): one row per card after its latest answer, and each answer's
# predicted recall before it, both derived from the log.


def _read_memory(conn: Connection, profile_id: int, question_id: str) -> memory_model.Memory | None:
    key = (memory_t.c.profile_id == profile_id) & (memory_t.c.question_id == question_id)
    row = conn.execute(select(memory_t.c.stability, memory_t.c.difficulty, memory_t.c.last_day).where(key)).first()
    return memory_model.Memory(row.stability, row.difficulty, row.last_day) if row is not None else None


def _recall_before(
    memory: memory_model.Memory | None, day: date, parameters: tuple[float, ...] | None = None
) -> float | None:
    return memory_model.recall(memory, day, parameters) if memory is not None else None


def fsrs_parameters(conn: Connection, profile_id: int) -> tuple[float, ...] | None:
    """The profile's fitted FSRS-6 parameters (`quizdl optimize`), None for the defaults."""
    return scheduler_config(conn, profile_id).parameters


def scheduler_config(conn: Connection, profile_id: int) -> schedulers.SchedulerConfig:
    """The profile's scheduler, desired retention and FSRS parameters."""
    import json

    row = conn.execute(
        select(Profile.scheduler, Profile.desired_retention, Profile.fsrs_parameters).where(Profile.id == profile_id)
    ).first()
    if row is None:
        return schedulers.SM2
    parameters = tuple(json.loads(row.fsrs_parameters)) if row.fsrs_parameters else None
    return schedulers.SchedulerConfig(SchedulerName(row.scheduler), row.desired_retention, parameters)


def set_scheduler(engine: Engine, profile_id: int, name: SchedulerName, desired_retention: float) -> int:
    """Switch the profile's scheduler and replay its cards under it (the log is the truth: nothing is lost).
    Returns the cards written."""
    with engine.begin() as conn:
        _lock_profile(conn, profile_id)
        conn.execute(
            update(Profile).where(Profile.id == profile_id).values(scheduler=name, desired_retention=desired_retention)
        )
        return replay_cards(conn, profile_id)


def save_fsrs_parameters(engine: Engine, profile_id: int, parameters: Sequence[float] | None) -> None:
    """Store fitted parameters (None: back to the defaults) and replay the memory model with them."""
    import json

    with engine.begin() as conn:
        _lock_profile(conn, profile_id)
        text = json.dumps([float(w) for w in parameters]) if parameters is not None else None
        conn.execute(update(Profile).where(Profile.id == profile_id).values(fsrs_parameters=text))
        replay_memory(conn, profile_id)
        if scheduler_config(conn, profile_id).name == SchedulerName.FSRS:
            replay_cards(conn, profile_id)  # FSRS due dates depend on the parameters


def _write_memory(
    conn: Connection, profile_id: int, question_id: str, state: memory_model.Memory, exists: bool
) -> None:
    values = {"stability": state.stability, "difficulty": state.difficulty, "last_day": state.last_day}
    if exists:
        key = (memory_t.c.profile_id == profile_id) & (memory_t.c.question_id == question_id)
        conn.execute(update(memory_t).where(key).values(**values))
    else:
        conn.execute(insert(memory_t).values(profile_id=profile_id, question_id=question_id, **values))


def memory_states(conn: Connection, profile_id: int) -> dict[str, memory_model.Memory]:
    query = select(memory_t.c.question_id, memory_t.c.stability, memory_t.c.difficulty, memory_t.c.last_day).where(
        memory_t.c.profile_id == profile_id
    )
    return {qid: memory_model.Memory(s, d, day) for qid, s, d, day in conn.execute(query)}


def replay_memory(conn: Connection, profile_id: int, question_ids: list[str] | None = None) -> int:
    """Recompute the memory model (states and every answer's recall_before) from the log, in the caller's
    transaction; returns how many cards have a memory state."""
    stale = memory_t.c.profile_id == profile_id
    query = (
        select(reviews_t.c.id, reviews_t.c.question_id, reviews_t.c.grade, reviews_t.c.study_day,
               reviews_t.c.recall_before)
        .where(reviews_t.c.profile_id == profile_id)
        .order_by(reviews_t.c.reviewed_at, reviews_t.c.id)
    )  # fmt: skip
    if question_ids is not None:
        stale &= memory_t.c.question_id.in_(question_ids)
        query = query.where(reviews_t.c.question_id.in_(question_ids))
    conn.execute(delete(memory_t).where(stale))
    parameters = fsrs_parameters(conn, profile_id)
    states: dict[str, memory_model.Memory] = {}
    changed: list[dict[str, object]] = []
    for review_id, qid, grade, day, stored in conn.execute(query).all():
        predicted = _recall_before(states.get(qid), day, parameters)
        if predicted != stored:
            changed.append({"rid": review_id, "recall_before": predicted})
        states[qid] = memory_model.step(states.get(qid), grade, day, parameters)
    if changed:
        from sqlalchemy import bindparam

        conn.execute(update(reviews_t).where(reviews_t.c.id == bindparam("rid")), changed)
    rows = [
        {"profile_id": profile_id, "question_id": qid, "stability": m.stability, "difficulty": m.difficulty,
         "last_day": m.last_day}
        for qid, m in states.items()
    ]  # fmt: skip
    if rows:
        conn.execute(insert(memory_t), rows)
    return len(rows)


def replay_memory_all(conn: Connection) -> None:
    for pid in conn.execute(select(Profile.id)).scalars().all():
        replay_memory(conn, pid)


def calibration_buckets(conn: Connection, profile_id: int) -> list[tuple[int, int, float, int]]:
    """(bucket, answers, sum of predicted recall, answers recalled), bucket = floor(20 x predicted recall), for
    every answer given a day or more after the card's previous one. Same-day answers (re-drills) are
    predicted at 1 by construction and would flatter the model. One GROUP BY: the log may be long."""
    from sqlalchemy import Integer, case, cast

    p = reviews_t.c.recall_before
    bucket = cast(p * 20, Integer) if conn.dialect.name == "sqlite" else func.floor(p * 20)  # SQLite truncates
    recalled = func.sum(case((reviews_t.c.grade >= memory_model.RECALLED, 1), else_=0))
    query = (
        select(bucket, func.count(), func.sum(p), recalled)
        .where(reviews_t.c.profile_id == profile_id, p.is_not(None), p < 1.0)
        .group_by(bucket)
    )
    return [(int(b), int(n), float(total), int(ok)) for b, n, total, ok in conn.execute(query)]


# Interview plans (quizdl.planning): one per profile.


@dataclass(frozen=True)
class StoredPlan:
    interview_day: date
    minutes_per_day: int
    target: float
    topics: tuple[str, ...] | None  # None: the whole bank


def save_plan(engine: Engine, profile_id: int, plan: StoredPlan, now: datetime) -> None:
    import json

    values = {
        "interview_day": plan.interview_day, "minutes_per_day": plan.minutes_per_day, "target": plan.target,
        "topics": json.dumps(list(plan.topics)) if plan.topics is not None else None, "created_at": now,
    }  # fmt: skip
    with engine.begin() as conn:
        _lock_profile(conn, profile_id)
        conn.execute(delete(plans_t).where(plans_t.c.profile_id == profile_id))
        conn.execute(insert(plans_t).values(profile_id=profile_id, **values))


def load_plan(conn: Connection, profile_id: int) -> StoredPlan | None:
    import json

    row = conn.execute(select(plans_t).where(plans_t.c.profile_id == profile_id)).first()
    if row is None:
        return None
    topics = tuple(json.loads(row.topics)) if row.topics is not None else None
    return StoredPlan(row.interview_day, row.minutes_per_day, row.target, topics)


def clear_plan(engine: Engine, profile_id: int) -> bool:
    with engine.begin() as conn:
        return conn.execute(delete(plans_t).where(plans_t.c.profile_id == profile_id)).rowcount > 0


@dataclass(frozen=True)
class TimeSpent:
    """Recent answering time, split as the pacing needs it (milliseconds, each answer capped)."""

    new_cards: int  # cards started in the window
    new_ms: int  # all answers to those cards on the day each was started (re-drills included)
    reviews: int  # scheduled reviews on a later day than the card's start
    review_ms: int  # those reviews and the re-drills on their days
    today_ms: int  # every answer today (any kind)
    started_today: int


MAX_COUNTED_MS = 300_000  # a learner who walked away from a card does not make every card cost 30 minutes


def time_spent(conn: Connection, profile_id: int, today: date, days: int = 90) -> TimeSpent:
    """Answering time over the last `days` study days (the recent pace is the one to plan with)."""
    from datetime import timedelta

    since = today - timedelta(days=days)
    answers = conn.execute(
        select(reviews_t.c.question_id, reviews_t.c.study_day, reviews_t.c.kind, reviews_t.c.response_ms).where(
            reviews_t.c.profile_id == profile_id, reviews_t.c.study_day >= since, reviews_t.c.study_day <= today
        )
    ).all()
    started = dict(
        conn.execute(
            select(cards_t.c.question_id, cards_t.c.introduced_on).where(
                cards_t.c.profile_id == profile_id, cards_t.c.introduced_on >= since
            )
        ).all()
    )
    new_ms = review_ms = today_ms = reviews = 0
    for qid, day, kind, ms in answers:
        spent = min(ms or 0, MAX_COUNTED_MS)
        if day == today:
            today_ms += spent
        if kind in (ReviewKind.CRAM, ReviewKind.PREP):
            continue
        if started.get(qid) == day:
            new_ms += spent
        else:
            review_ms += spent
            reviews += kind == ReviewKind.SCHEDULED
    started_today = sum(1 for day in started.values() if day == today)
    return TimeSpent(len(started), new_ms, reviews, review_ms, today_ms, started_today)


def logged_answers(conn: Connection, profile_id: int) -> list[fitting.LoggedAnswer]:
    """Every answer of the profile in time order, as the fitting of the memory model reads them."""
    from datetime import timedelta

    query = (
        select(reviews_t.c.question_id, reviews_t.c.study_day, reviews_t.c.grade, reviews_t.c.kind,
               reviews_t.c.interval_before, reviews_t.c.due_before)
        .where(reviews_t.c.profile_id == profile_id)
        .order_by(reviews_t.c.reviewed_at, reviews_t.c.id)
    )  # fmt: skip
    return [
        fitting.LoggedAnswer(
            card=qid,
            day=day,
            grade=grade,
            scheduled=kind == ReviewKind.SCHEDULED,
            sm2_interval=interval,
            sm2_last_day=due - timedelta(days=interval) if due is not None and interval > 0 else None,
        )
        for qid, day, grade, kind, interval, due in conn.execute(query)
    ]
