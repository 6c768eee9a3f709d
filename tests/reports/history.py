"""A small scripted history, answered through real quiz sessions (the session core and the real store).

Every figure the report tests assert was worked out by hand from the script below (see test_stats.py).
Days are offsets from DAY0; TODAY is day 30.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import Engine

from quizdl.bank.model import Bank, Question
from quizdl.store import repo
from tests.sessions import play_days

DAY0 = date(2026, 1, 1)
TODAY = DAY0 + timedelta(days=30)
NOW = datetime.combine(TODAY, time(18, 0), tzinfo=UTC)
RESPONSE_MS = 1500

# (day, question id, kind, grade) in the order answered. Re-drills follow SuperMemo's step 7.
ALICE: list[tuple[int, str, str, int]] = [
    (0, "a1", "scheduled", 5), (0, "a2", "scheduled", 4),
    (1, "a1", "scheduled", 5), (1, "a2", "scheduled", 3), (1, "a2", "redrill", 4),
    (2, "b1", "scheduled", 5),
    (3, "b1", "scheduled", 2), (3, "b1", "redrill", 5),
    (4, "b1", "scheduled", 5),
    (5, "b1", "scheduled", 4),
    (6, "b2", "cram", 4),
    (7, "a1", "scheduled", 5), (7, "a2", "scheduled", 1), (7, "a2", "redrill", 2), (7, "a2", "redrill", 4),
    (8, "a2", "scheduled", 4),
    (11, "b1", "scheduled", 5),
    (24, "a1", "scheduled", 5),
    (25, "a3", "scheduled", 5),
    (26, "a3", "scheduled", 4), (26, "b1", "scheduled", 3), (26, "b1", "redrill", 4),
    (27, "g1", "scheduled", 5),
    (28, "b2", "scheduled", 0), (28, "g1", "scheduled", 5), (28, "b2", "redrill", 3), (28, "b2", "redrill", 4),
    (29, "b2", "scheduled", 5), (29, "g1", "cram", 5),
    (30, "g1", "cram", 2), (30, "a1", "cram", 5),
]  # fmt: skip
BOB: list[tuple[int, str, str, int]] = [
    (29, "b1", "scheduled", 2), (29, "b1", "redrill", 4),
    (30, "a1", "scheduled", 5),
]  # fmt: skip


def _q(qid: str, topic: str, text: str, tags: tuple[str, ...] = ("misc",)) -> Question:
    return Question(
        id=qid, topic=topic, question=text, answer=f"The answer to {qid}: **bold** and `code`.\n- a point",
        key_points=("first point", "second point"), difficulty=2, tags=tags, file=Path("test.yaml"), line=1,
    )  # fmt: skip


def small_bank() -> Bank:
    """Seven cards in three topics; one question carries text that must be escaped in HTML and Markdown."""
    return Bank(
        questions=(
            _q("a1", "alpha", "What is alpha one?", ("basics",)),
            _q("a2", "alpha", "Why is <script>alert('x')</script> | a & b?", ("tricky edge", "basics")),
            _q("a3", "alpha", "Alpha three?"),
            _q("b1", "beta", "Beta one?", ("beta-tag",)),
            _q("b2", "beta", "Beta two?"),
            _q("g1", "gamma", "Gamma one?"),
            _q("g2", "gamma", "Gamma two?"),
        ),
        topic_titles={"alpha": "Alpha & <friends>", "beta": "Beta", "gamma": "Gamma"},
    )


def play(engine: Engine, profile: str, script: list[tuple[int, str, str, int]]) -> int:
    """Answer `script` through real quiz sessions (tests/sessions.py); returns the profile id."""
    pid = repo.ensure_profile(engine, profile, datetime.combine(DAY0, time(8), tzinfo=UTC))
    typed = {q.id: f'typed <{q.id}> "answer"' for q in small_bank().questions}
    play_days(engine, pid, list(small_bank().questions), script, DAY0, typed=typed)
    return pid
