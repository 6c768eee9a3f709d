"""The quiz loop as plain logic. It talks to the learner only through the small `QuizUI` protocol, so a
terminal, a script on stdin and the tests all drive the same code.

Every grade is stored in its own transaction before the next card appears: a crash or kill loses at most
the card on screen.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Protocol

from sqlalchemy import Engine

from quizdl.bank.matching import matched_points
from quizdl.bank.model import Question
from quizdl.clock import Clock
from quizdl.feedback import suggest_grade
from quizdl.srs import schedulers, sm2
from quizdl.srs.queue import build_queue, new_card_order
from quizdl.store import repo
from quizdl.vocab import ReviewKind, SessionMode


class Action(Enum):
    GRADE = "grade"
    SKIP = "skip"
    UNDO = "undo"
    ACCEPT = "accept"  # Enter: take the suggested grade
    QUIT = "quit"
    DEMO = "demo"


@dataclass(frozen=True)
class Command:
    action: Action
    grade: int | None = None


@dataclass(frozen=True)
class Prompt:
    """What the learner sees for one card."""

    question: Question
    position: int  # 1-based place in this session's list
    total: int
    kind: str  # a ReviewKind: scheduled / redrill / cram / prep
    state: sm2.CardState


@dataclass(frozen=True)
class Reveal:
    prompt: Prompt
    typed: str
    matched: list[bool]  # one per key point
    intervals: dict[int, int] | None  # days each grade would give; None when the schedule is untouched
    can_undo: bool
    suggested: int | None = None  # the grade the covered key points suggest (None: nothing typed)


@dataclass
class Summary:
    reviewed: int = 0
    passed: int = 0  # graded 3 or more
    skipped: int = 0
    redrilled: int = 0
    prepped: int = 0  # answers asked as an interview plan's prep
    remaining: int = 0  # cards left in the queue when the session ended
    remaining_new: int = 0  # of those, cards never seen before
    remaining_redrills: int = 0  # of those, re-drills (the rest are due reviews)
    skipped_today: int = 0  # cards skipped: still due (or still new) today
    next_due: date | None = None
    interrupted: bool = False
    grades: list[int] = field(default_factory=list)

    @property
    def pass_share(self) -> float | None:
        return self.passed / self.reviewed if self.reviewed else None


class QuizUI(Protocol):
    def ask_answer(self, prompt: Prompt) -> str | None:
        """Show the card and read the typed answer ('' for none). None means the input has ended."""

    def reveal(self, reveal: Reveal) -> None:
        """Show the model answer, the key points (marking those matched) and what each grade would do."""

    def ask_command(self, reveal: Reveal) -> Command:
        """Read a grade 0-5 or s / u / d / q. The end of input is Command(Action.QUIT)."""

    def run_demo(self, name: str) -> None:
        """Run a card's demo and show its result; the session then carries on where it was."""

    def notice(self, message: str) -> None:
        """A short message in passing (e.g. 'nothing to undo')."""


@dataclass(frozen=True)
class SessionOptions:
    profile_id: int
    zone_name: str | None = None
    rollover_hour: int = 4
    new_per_day: int = 10
    limit: int | None = None
    cram: bool = False
    new_order: str = "interleaved"  # see srs.queue.new_card_order
    # An interview plan's part of today (quizdl.planning.plan_today): new cards still allowed today instead of
    # new_per_day, and cards to ask as `prep` once the due and new ones are done.
    new_allowed: int | None = None
    prep: tuple[str, ...] = ()
    # The plan's minutes left today, in seconds: once answering has taken that long, the new and prep cards
    # still queued wait (due reviews and re-drills are always asked: the SM-2 schedule stays whole).
    seconds_left: float | None = None


@dataclass
class _Graded:
    review_id: int
    item: tuple[str, str]  # (question id, kind)
    state_before: sm2.CardState
    pending_before: ReviewKind | None  # the re-drill the card was waiting for before this grade, if any


class QuizSession:
    def __init__(
        self,
        engine: Engine,
        questions: list[Question],
        options: SessionOptions,
        clock: Clock,
        today: date,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.by_id = {q.id: q for q in questions}
        self.options = options
        self.clock = clock
        self.today = today
        self.timer = timer
        ids = [q.id for q in questions]
        self.mode = SessionMode.CRAM if options.cram else SessionMode.SCHEDULED
        self.kind = ReviewKind.CRAM if options.cram else ReviewKind.SCHEDULED
        with engine.connect() as conn:
            seen = repo.seen_ids(conn, options.profile_id)
            # Only what the queue needs: a long-time learner has thousands of cards, a few of them due.
            due = repo.due_dates(conn, options.profile_id, until=None if options.cram else today)
            started_today = repo.introduced_on(conn, options.profile_id, today)
            pending = repo.pending_redrills(conn, options.profile_id, today) if not options.cram else []
            self.scheduler = repo.scheduler_config(conn, options.profile_id)  # for the intervals under the answer
        self.seen = seen
        self.new_allowed = (
            max(0, options.new_per_day - started_today) if options.new_allowed is None else options.new_allowed
        )
        order = new_card_order(
            [(q.id, q.topic, q.difficulty) for q in questions], options.new_order, options.profile_id
        )
        queued = build_queue(
            ids, seen, due, today, new_allowed=self.new_allowed, limit=options.limit, cram=options.cram,
            new_order=order,
        )  # fmt: skip
        # Each card's full state is read when it is shown (see _state), not all of them up front.
        self.states: dict[str, sm2.CardState] = {}
        self.queue: deque[tuple[str, str]] = deque((qid, self.kind) for qid in queued)
        if not options.cram:
            queued_ids = set(queued)
            self.queue.extend(
                (qid, ReviewKind.PREP) for qid in options.prep if qid in self.by_id and qid not in queued_ids
            )
            if options.limit is not None:
                self.queue = deque(list(self.queue)[: options.limit])
        # Step 7: cards graded below 4 today (this session or an earlier one today) come back at the end, as
        # the kind of re-ask their answer calls for (see _redrill_kind).
        self.redrill: dict[str, ReviewKind] = {qid: ReviewKind.REDRILL for qid in pending if qid in self.by_id}
        self.history: list[_Graded] = []
        self.summary = Summary()
        self.skipped: set[str] = set()  # still available today: a skip neither grades nor starts a card
        self.position = 0
        self.total = self._remaining()
        self.deferred: list[tuple[str, str]] = []  # new and prep cards left for later: the day's budget is used
        self.started_at: float | None = None

    @property
    def is_empty(self) -> bool:
        return not self.queue and not self.redrill

    def _state(self, qid: str) -> sm2.CardState:
        if qid not in self.states:
            with self.engine.connect() as conn:
                self.states.update(repo.card_states(conn, self.options.profile_id, [qid]))
        return self.states.get(qid, sm2.CardState())

    def next_due(self) -> date | None:
        """The earliest due day of the learner's cards: today while some are left (queued, waiting for a
        re-drill, or skipped: a skipped card is still due, or still new, today), else from the database."""
        if self.queue or self.redrill or self.skipped:
            return self.today
        with self.engine.connect() as conn:
            return repo.next_due(conn, self.options.profile_id)

    def _shown_enough(self) -> bool:
        """--limit caps every card shown, re-drills (this session's or an earlier one's today) included."""
        return self.options.limit is not None and self.position >= self.options.limit

    def _remaining(self) -> int:
        left = len(self.queue) + len(self.redrill)
        if self.options.limit is not None:
            left = min(left, self.options.limit - self.position)
        return left

    def _optional(self, item: tuple[str, str]) -> bool:
        qid, kind = item
        return kind == ReviewKind.PREP or (kind == ReviewKind.SCHEDULED and qid not in self.seen)

    def _budget_used(self) -> bool:
        left = self.options.seconds_left
        return left is not None and self.started_at is not None and self.timer() - self.started_at >= left

    def _next_item(self, ui: QuizUI | None = None) -> tuple[str, str] | None:
        if self._shown_enough():
            return None
        if not self.deferred and self._budget_used():
            self.deferred = [i for i in self.queue if self._optional(i)]
            self.queue = deque(i for i in self.queue if not self._optional(i))
            if self.deferred and ui is not None:
                ui.notice(f"today's plan time is used: {len(self.deferred)} new and prep cards wait for tomorrow")
        if not self.queue and self.redrill:
            self.queue.extend(self.redrill.items())
            self.redrill.clear()
        return self.queue.popleft() if self.queue else None

    def run(self, ui: QuizUI) -> Summary:
        session_id = repo.start_session(self.engine, self.options.profile_id, self.clock(), self.mode)
        self.started_at = self.timer()
        try:
            self._loop(ui, session_id)
        except KeyboardInterrupt:  # Ctrl-C: the card on screen is dropped, everything graded is stored
            self.summary.interrupted = True
        finally:
            self.queue.extend(self.deferred)
            self.deferred = []
            self.summary.remaining = len(self.queue) + len(self.redrill)
            self.summary.remaining_new = sum(
                1 for qid, kind in self.queue if kind != ReviewKind.REDRILL and qid not in self.seen
            )
            self.summary.remaining_redrills = len(self.redrill) + sum(
                kind == ReviewKind.REDRILL for _, kind in self.queue
            )
            self.summary.skipped_today = len(self.skipped)
            repo.end_session(self.engine, session_id, self.clock())
            self.summary.next_due = self.next_due()
        return self.summary

    def _loop(self, ui: QuizUI, session_id: int) -> None:
        while (item := self._next_item(ui)) is not None:
            qid, kind = item
            question = self.by_id[qid]
            state = self._state(qid)
            self.position += 1
            self.total = self.position + self._remaining()
            prompt = Prompt(question, self.position, self.total, kind, state)
            started = self.timer()
            typed = ui.ask_answer(prompt)
            if typed is None:
                self.queue.appendleft(item)
                return
            reveal = Reveal(
                prompt=prompt,
                typed=typed,
                matched=(
                    matched := matched_points(
                        typed, question.key_points, question.key_point_alternatives, question.question
                    )
                ),
                intervals=schedulers.preview(state, self.today, self.scheduler)
                if kind == ReviewKind.SCHEDULED
                else None,
                can_undo=bool(self.history),
                suggested=suggest_grade(matched, typed),
            )
            ui.reveal(reveal)
            command = ui.ask_command(reveal)
            demos_run = 0
            while command.action is Action.DEMO or (command.action is Action.ACCEPT and reveal.suggested is None):
                if command.action is Action.ACCEPT:
                    ui.notice("no grade to suggest without a typed answer: press 0-5")
                elif question.demos:  # each press runs the card's next demo, back to the first after the last
                    ui.run_demo(question.demos[demos_run % len(question.demos)])
                    demos_run += 1
                else:
                    ui.notice("this card has no demo")
                command = ui.ask_command(reveal)
            if command.action is Action.ACCEPT:
                command = Command(Action.GRADE, reveal.suggested)
            if command.action is Action.QUIT:
                self.queue.appendleft(item)
                return
            if command.action is Action.SKIP:
                self.summary.skipped += 1
                self.skipped.add(qid)
                continue
            if command.action is Action.UNDO:
                self.position -= 1
                self.queue.appendleft(item)
                if not self._undo():
                    ui.notice("nothing to undo")
                continue
            assert command.grade is not None
            elapsed_ms = int((self.timer() - started) * 1000)
            self._grade(item, command.grade, typed, elapsed_ms, session_id, reveal.suggested)

    def _grade(
        self, item: tuple[str, str], grade: int, typed: str, elapsed_ms: int, session_id: int,
        suggested: int | None = None,
    ) -> None:  # fmt: skip
        qid, kind = item
        answer = repo.Answer(
            profile_id=self.options.profile_id, session_id=session_id, question_id=qid,
            reviewed_at=self.clock(), study_day=self.today, kind=kind, grade=grade,
            response_ms=elapsed_ms, typed_answer=typed or None, suggested_grade=suggested,
        )  # fmt: skip
        recorded = repo.record_answer(self.engine, answer)
        # Only once the answer is durable does the in-memory picture move on.
        pending_before = self.redrill.get(qid)
        self.history.append(_Graded(recorded.review_id, item, recorded.before, pending_before))
        if kind == ReviewKind.SCHEDULED:
            self.states[qid] = recorded.after
        if sm2.needs_redrill(grade):
            self.redrill[qid] = self._redrill_kind(kind)
        else:
            self.redrill.pop(qid, None)
        self.summary.reviewed += 1
        self.summary.passed += grade >= sm2.PASSING_GRADE
        self.summary.redrilled += kind == ReviewKind.REDRILL
        self.summary.prepped += kind == ReviewKind.PREP
        self.summary.grades.append(grade)

    def _redrill_kind(self, kind: str) -> ReviewKind:
        """How a card graded below 4 comes back today: a cram or prep answer as another of its kind (the
        schedule stays untouched), a scheduled one as SuperMemo's re-drill."""
        if self.options.cram:
            return ReviewKind.CRAM
        return ReviewKind.PREP if kind == ReviewKind.PREP else ReviewKind.REDRILL

    def _undo(self) -> bool:
        if not self.history:
            return False
        last = self.history.pop()
        repo.undo_answer(self.engine, last.review_id)
        qid, kind = last.item
        if kind == ReviewKind.SCHEDULED:
            self.states[qid] = last.state_before
        # The undone grade may have sent the card to its re-drill already (one on screen, put back by the
        # caller, or queued): whether it needs one is again what it was before that grade.
        self.queue = deque(i for i in self.queue if i != (qid, self._redrill_kind(kind)))
        if last.pending_before is not None:
            self.redrill[qid] = last.pending_before
        else:
            self.redrill.pop(qid, None)
        grade = self.summary.grades.pop()
        self.summary.reviewed -= 1
        self.summary.passed -= grade >= sm2.PASSING_GRADE
        self.summary.redrilled -= kind == ReviewKind.REDRILL
        self.summary.prepped -= kind == ReviewKind.PREP
        self.queue.appendleft(last.item)
        self.position -= 1
        return True
