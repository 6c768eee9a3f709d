"""A grade to suggest after the reveal, from how much of the model answer the typed answer covered.

Pure and cheap. The learner still decides: Enter takes the suggestion, a digit overrides it, and the
suggestion is logged next to the grade (reviews.suggested_grade) so whether it was taken can be counted.
"""

from __future__ import annotations

from collections.abc import Sequence

# share of key points covered -> SM-2 grade (5 perfect, 4 right with hesitation, 3 right with difficulty,
# 2 wrong but close, 1 wrong). Coverage cannot see hesitation, so a full answer suggests 5, not 4.
THRESHOLDS = ((1.0, 5), (0.75, 4), (0.5, 3), (0.01, 2))


def suggest_grade(matched: Sequence[bool], typed: str) -> int | None:
    """The grade the coverage suggests; None without a typed answer (thinking one is not measurable)."""
    if not typed.strip() or not matched:
        return None
    share = sum(matched) / len(matched)
    for least, grade in THRESHOLDS:
        if share >= least - 1e-9:
            return grade
    return 1
