"""Drive the real quiz session core (QuizSession) from a script, as `quizdl quiz` would be driven by a learner.

Tests build their histories with these helpers rather than by writing rows: whatever the real writer
stores (session modes, review kinds, re-drills, undo) is then what every reader is tested on.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Engine

from quizdl.bank.model import Question
from quizdl.session import Command, Prompt, QuizSession, Reveal, SessionOptions, Summary


def _command(key: str) -> Command:
    """A script's key as the real UI reads it (quizdl.ui.quiz_view.parse_command)."""
    from quizdl.ui.quiz_view import parse_command

    command = parse_command(key)
    assert command is not None, f"not a command: {key!r}"
    return command


@dataclass
class ScriptedUI:
    """A QuizUI answering each card from `plan`: (question id, kind) -> commands for its successive showings.

    A command is a grade "0".."5", or "s", "u", "d", "q". A card shown with nothing left in the plan quits
    the session (so a script can stop a cram session whose re-drills it does not want).
    """

    plan: dict[tuple[str, str], deque[str]]
    typed: dict[str, str] = field(default_factory=dict)
    shown: list[tuple[str, str, int, int]] = field(default_factory=list)  # (qid, kind, position, total)
    demos: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    _current: tuple[str, str] | None = None

    def ask_answer(self, prompt: Prompt) -> str | None:
        key = (prompt.question.id, str(prompt.kind))
        self.shown.append((*key, prompt.position, prompt.total))
        self._current = key
        return self.typed.get(prompt.question.id, "")

    def reveal(self, reveal: Reveal) -> None:
        return None

    def ask_command(self, reveal: Reveal) -> Command:
        queue = self.plan.get(self._current) if self._current else None
        return _command(queue.popleft() if queue else "q")

    def run_demo(self, name: str) -> None:
        self.demos.append(name)

    def notice(self, message: str) -> None:
        self.notices.append(message)

    def left(self) -> dict[tuple[str, str], list[str]]:
        return {key: list(q) for key, q in self.plan.items() if q}


class StepClock:
    """A frozen clock that moves one minute each time it is read, from `start`."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


class StepTimer:
    """A monotonic timer that moves `seconds` each time it is read: every answer takes the same time."""

    def __init__(self, seconds: float) -> None:
        self.t, self.seconds = 0.0, seconds

    def __call__(self) -> float:
        self.t += self.seconds
        return self.t


def run_session(
    engine: Engine,
    profile_id: int,
    questions: list[Question],
    day: date,
    plan: dict[tuple[str, str], Iterable[str]],
    *,
    cram: bool = False,
    new_per_day: int = 1000,
    limit: int | None = None,
    typed: dict[str, str] | None = None,
    clock: StepClock | None = None,
    answer_seconds: float = 1.5,
) -> tuple[Summary, ScriptedUI]:
    """One real session on `day` over `questions`, answered from `plan`."""
    ui = ScriptedUI({key: deque(cmds) for key, cmds in plan.items()}, typed=dict(typed or {}))
    clock = clock or StepClock(datetime.combine(day, time(9), tzinfo=UTC))
    options = SessionOptions(profile_id=profile_id, zone_name="UTC", new_per_day=new_per_day, limit=limit, cram=cram)
    session = QuizSession(engine, questions, options, clock, day, timer=StepTimer(answer_seconds))
    summary = session.run(ui)
    return summary, ui


def play_days(
    engine: Engine,
    profile_id: int,
    bank: list[Question],
    script: list[tuple[int, str, str, int]],
    day0: date,
    typed: dict[str, str] | None = None,
) -> None:
    """Play `script` ((day offset, question id, kind, grade) in order) as real sessions, one or more a day.

    Each day's scheduled and re-drill answers are one ordinary session over exactly the cards they name
    (as `--topic`/`--tag` would narrow it); each run of cram answers is a `--cram` session. The session core
    decides what to show and in which order; the script only says how each showing is graded, and every
    planned answer must be asked (so the script must agree with SM-2's due dates).
    """
    by_id = {q.id: q for q in bank}
    days: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
    for offset, qid, kind, grade in script:
        days[offset].append((qid, kind, grade))
    for offset in sorted(days):
        day = day0 + timedelta(days=offset)
        clock = StepClock(datetime.combine(day, time(9), tzinfo=UTC))
        runs: list[tuple[bool, list[tuple[str, str, int]]]] = []
        for entry in days[offset]:
            is_cram = entry[1] == "cram"
            if runs and runs[-1][0] == is_cram:
                runs[-1][1].append(entry)
            else:
                runs.append((is_cram, [entry]))
        for is_cram, entries in runs:
            plan: dict[tuple[str, str], list[str]] = defaultdict(list)
            for qid, kind, grade in entries:
                plan[(qid, kind)].append(str(grade))
            wanted = {qid for qid, _, _ in entries}
            questions = [q for q in bank if q.id in wanted] if bank else [by_id[qid] for qid in wanted]
            _, ui = run_session(engine, profile_id, questions, day, plan, cram=is_cram, typed=typed, clock=clock)
            assert not ui.left(), f"day {offset}: the session did not ask {ui.left()} (shown: {ui.shown})"


@dataclass
class SequenceUI(ScriptedUI):
    """A QuizUI that answers whatever card is shown with the next command of one sequence (then quits)."""

    commands: deque[str] = field(default_factory=deque)

    def ask_command(self, reveal: Reveal) -> Command:
        return _command(self.commands.popleft() if self.commands else "q")


def run_sequence(
    engine: Engine,
    profile_id: int,
    questions: list[Question],
    day: date,
    commands: Iterable[str],
    *,
    cram: bool = False,
    new_per_day: int = 10,
    limit: int | None = None,
    clock: StepClock | None = None,
    new_order: str = "interleaved",
) -> tuple[Summary, SequenceUI]:
    """One real session on `day`, each shown card answered by the next of `commands`."""
    ui = SequenceUI(plan={}, commands=deque(commands))
    clock = clock or StepClock(datetime.combine(day, time(9), tzinfo=UTC))
    options = SessionOptions(
        profile_id=profile_id, zone_name="UTC", new_per_day=new_per_day, limit=limit, cram=cram, new_order=new_order
    )
    session = QuizSession(engine, questions, options, clock, day, timer=StepTimer(1.5))
    return session.run(ui), ui


def tiny_bank(n: int = 6, topics: tuple[str, ...] = ("alpha", "beta")) -> list[Question]:
    """`n` cards spread over `topics`, in bank order."""
    from pathlib import Path

    def card(i: int) -> Question:
        return Question(
            id=f"c{i}", topic=topics[i % len(topics)], question=f"Question {i}?", answer=f"Answer {i}.",
            key_points=(f"point {i}",), difficulty=1 + i % 3, tags=("t",), origin="added",
            file=Path("tiny.yaml"), line=i + 1,
        )  # fmt: skip

    return [card(i) for i in range(n)]
