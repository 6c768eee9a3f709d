"""A tiny private bank and helpers to drive scripted quiz sessions."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, select

from quizdl.store.schema import Card, Review

TOPIC = "testing"


def write_bank(folder: Path, n: int = 5, *, text_suffix: str = "", demo: str | None = None) -> Path:
    cards = []
    for i in range(1, n + 1):
        demo_line = f"    demo: {demo}\n" if demo and i == 1 else ""
        cards.append(
            f"  - id: t{i}\n    question: Question number {i}?{text_suffix}\n    answer: Answer {i} about gradients.\n"
            f"    key_points: [gradients flow, point {i}]\n    difficulty: 1\n    tags: [tag{i % 2}]\n"
            f"    origin: added\n{demo_line}"
        )
    path = folder / "testing.yaml"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(f"topic: {TOPIC}\ntitle: Testing\nquestions:\n" + "".join(cards), encoding="utf-8")
    return path


def script(*cards: tuple[str, ...]) -> str:
    """Each card: typed answer lines, then commands. ('gradients', '4') or ('', 'u', ...)."""
    out = []
    for typed, *commands in cards:
        out.append(f"{typed}\n\n" if typed else "\n")
        out.extend(f"{c}\n" for c in commands)
    return "".join(out)


def reviews(db_url: str) -> list[tuple[str, str, int]]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(select(Review.question_id, Review.kind, Review.grade).order_by(Review.id)).all()
    engine.dispose()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def cards(db_url: str) -> dict[str, tuple[int, int, str]]:
    """question id -> (repetitions, interval, due)"""
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(select(Card.question_id, Card.repetitions, Card.interval, Card.due)).all()
    engine.dispose()
    return {r.question_id: (r.repetitions, r.interval, r.due.isoformat()) for r in rows}
