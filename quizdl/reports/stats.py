"""Progress figures for one profile: counts and retention from SQL aggregates, per topic via numpy."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine, and_, case, func, select

from quizdl.bank.model import Bank
from quizdl.srs.sm2 import PASSING_GRADE
from quizdl.store.schema import Card, Review


@dataclass(frozen=True)
class TopicStats:
    topic: str
    cards: int
    seen: int
    learned: int  # repetitions > 0: the last scheduled review passed
    due: int
    mean_ef: float | None
    lapses: int


@dataclass(frozen=True)
class Stats:
    today: date
    cards_in_bank: int
    due_today: int
    new_available: int  # cards never seen
    seen: int
    learned: int
    reviews_today: int
    retention_30d: float | None  # share of scheduled reviews graded >= 3 over the last 30 days
    reviews_30d: int
    topics: list[TopicStats]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["today"] = self.today.isoformat()
        return data


def compute_stats(engine: Engine, profile_id: int, bank: Bank, today: date) -> Stats:
    ids = [q.id for q in bank.questions]
    topic_of = {q.id: q.topic for q in bank.questions}
    topics = bank.topics
    with engine.connect() as conn:
        cards = conn.execute(
            select(Card.question_id, Card.ef, Card.repetitions, Card.due, Card.lapses).where(
                Card.profile_id == profile_id
            )
        ).all()
        since = today - timedelta(days=29)
        recent = and_(Review.profile_id == profile_id, Review.kind == "scheduled", Review.study_day >= since)
        reviews_30d, passed_30d = conn.execute(
            select(func.count(), func.coalesce(func.sum(case((Review.grade >= PASSING_GRADE, 1), else_=0)), 0)).where(
                recent
            )
        ).one()
        reviews_today = conn.execute(
            select(func.count()).where(Review.profile_id == profile_id, Review.study_day == today)
        ).scalar_one()
    # Cards of questions no longer in the bank keep their history but are not counted here.
    rows = [r for r in cards if r.question_id in topic_of]
    topic_index = {t: i for i, t in enumerate(topics)}
    t_idx = np.array([topic_index[topic_of[r.question_id]] for r in rows], dtype=np.int64)
    ef = np.array([r.ef for r in rows], dtype=float)
    learned = np.array([r.repetitions > 0 for r in rows], dtype=bool)
    due = np.array([r.due <= today for r in rows], dtype=bool)
    lapses = np.array([r.lapses for r in rows], dtype=np.int64)
    n_topics = len(topics)

    def per_topic_sum(weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(t_idx, weights=weights, minlength=n_topics)

    seen_per, learned_per, due_per = per_topic_sum(), per_topic_sum(learned), per_topic_sum(due)
    ef_sum, lapses_per = per_topic_sum(ef), per_topic_sum(lapses)
    total_per = np.bincount([topic_index[topic_of[i]] for i in ids], minlength=n_topics)
    per_topic = [
        TopicStats(
            topic=t,
            cards=int(total_per[i]),
            seen=int(seen_per[i]),
            learned=int(learned_per[i]),
            due=int(due_per[i]),
            mean_ef=round(float(ef_sum[i] / seen_per[i]), 2) if seen_per[i] else None,
            lapses=int(lapses_per[i]),
        )
        for i, t in enumerate(topics)
    ]
    return Stats(
        today=today,
        cards_in_bank=len(ids),
        due_today=int(due.sum()),
        new_available=len(ids) - len(rows),
        seen=len(rows),
        learned=int(learned.sum()),
        reviews_today=int(reviews_today),
        retention_30d=(passed_30d / reviews_30d) if reviews_30d else None,
        reviews_30d=int(reviews_30d),
        topics=per_topic,
    )
