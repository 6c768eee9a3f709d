"""The two schedulers a profile can choose: SM-2 (the default, exact) and FSRS-6 (py-fsrs). Pure.

Both move a card only on scheduled answers. The easiness factor, repetitions and lapses follow SM-2's rules
under either (they describe the answers, not the schedule); the interval and due day are the active
scheduler's. Under FSRS the card also carries its FSRS state (stability, difficulty) from its scheduled
answers, and the interval is the number of days until predicted recall falls to the desired retention.
A card's state is always the replay of its log under the active scheduler, so switching loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from quizdl.srs import memory as memory_model
from quizdl.srs import sm2
from quizdl.vocab import SchedulerName

DEFAULT_RETENTION = 0.9


@dataclass(frozen=True)
class SchedulerConfig:
    name: SchedulerName = SchedulerName.SM2
    desired_retention: float = DEFAULT_RETENTION
    parameters: tuple[float, ...] | None = None  # FSRS-6 parameters; None: py-fsrs's defaults


SM2 = SchedulerConfig()


def review(state: sm2.CardState, grade: int, day: date, config: SchedulerConfig = SM2) -> sm2.CardState:
    """The card after one scheduled answer graded `grade` on `day` under `config`'s scheduler."""
    after = sm2.review(state, grade, day)
    if config.name == SchedulerName.SM2:
        return replace(after, stability=None, difficulty=None)
    before = (
        memory_model.Memory(state.stability, state.difficulty, state.last_review)
        if state.stability is not None and state.difficulty is not None and state.last_review is not None
        else None
    )
    memory = memory_model.step(before, grade, day, config.parameters)
    interval = min(sm2.MAX_INTERVAL, memory_model.interval_for(memory, config.desired_retention, config.parameters))
    return replace(
        after, interval=interval, due=day + timedelta(days=interval), stability=memory.stability,
        difficulty=memory.difficulty,
    )  # fmt: skip


def preview(state: sm2.CardState, day: date, config: SchedulerConfig = SM2) -> dict[int, int]:
    """The interval in days each grade would give today, as shown under the answer."""
    if config.name == SchedulerName.SM2:
        return sm2.preview(state)
    return {grade: review(state, grade, day, config).interval for grade in sm2.GRADES}
