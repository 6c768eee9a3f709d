"""The question model: frozen, plain data. Progress is keyed by `Question.id`, never by its text."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class SourceRef:
    doc: str  # three-digit document number, e.g. "003"
    n: int  # question number within that document (manifest.yaml)

    def __str__(self) -> str:
        return f"{self.doc}/{self.n}"


@dataclass(frozen=True)
class Erratum:
    doc: str
    n: int
    claim: str
    correction: str


@dataclass(frozen=True)
class Question:
    id: str
    topic: str
    question: str
    answer: str
    key_points: tuple[str, ...]
    difficulty: int
    tags: tuple[str, ...]
    demos: tuple[str, ...] = ()  # registered demo names, the most relevant first (`d` runs them in turn)
    origin: str = "source"
    sources: tuple[SourceRef, ...] = ()
    errata: tuple[Erratum, ...] = ()
    # Other wordings of each key point that also tick it (`also:` in YAML): empty, or one tuple per key point.
    key_point_alternatives: tuple[tuple[str, ...], ...] = ()
    file: Path = field(default=Path("?"), compare=False)
    line: int = field(default=0, compare=False)

    @property
    def demo(self) -> str | None:
        """The card's main demo (the first it links), or None."""
        return self.demos[0] if self.demos else None

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Bank:
    questions: tuple[Question, ...]
    topic_titles: dict[str, str]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {q.id: q for q in self.questions})

    def get(self, question_id: str) -> Question | None:
        return self._by_id.get(question_id)  # type: ignore[attr-defined]

    @property
    def ids(self) -> set[str]:
        return set(self._by_id)  # type: ignore[attr-defined]

    @property
    def topics(self) -> list[str]:
        return sorted({q.topic for q in self.questions})

    def select(self, topics: list[str] | None = None, tags: list[str] | None = None) -> list[Question]:
        """Questions in bank order, restricted to any of `topics` and any of `tags` when given."""
        chosen = self.questions
        if topics:
            chosen = tuple(q for q in chosen if q.topic in topics)
        if tags:
            chosen = tuple(q for q in chosen if set(q.tags) & set(tags))
        return list(chosen)

    def search(self, text: str) -> list[Question]:
        """Cards containing every word of `text` (case-insensitive) in any of their text fields."""
        words = text.lower().split()

        def haystack(q: Question) -> str:
            return " ".join((q.id, q.topic, q.question, q.answer, *q.key_points, *q.tags)).lower()

        return [q for q in self.questions if all(w in haystack(q) for w in words)]
