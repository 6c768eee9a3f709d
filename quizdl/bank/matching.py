"""Which key points a typed answer mentions: plain lexical matching on word stems."""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    ["a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "has", "have", "how", "in", "into", "is", "it", "its", "of", "on", "or", "than", "that", "the", "their", "them", "then", "there", "these", "this", "to", "too", "was", "were", "what", "when", "where", "which", "while", "who", "why", "will", "with", "without", "you", "your", "more", "less", "most", "each", "every", "also", "not", "no", "all", "any", "some", "one", "two", "only", "both", "very", "much", "many"]
)  # fmt: skip
_STEM = 5  # "regularization" and "regularize" share "regul"; short words must match whole


def _stems(text: str) -> set[str]:
    return {w[:_STEM] for w in _WORD.findall(text.lower()) if w not in _STOP and (len(w) > 2 or w.isdigit())}


def matched_points(typed: str, key_points: tuple[str, ...] | list[str]) -> list[bool]:
    """For each key point, whether at least half of its content words appear in `typed`."""
    said = _stems(typed)
    if not said:
        return [False] * len(key_points)
    result = []
    for point in key_points:
        wanted = _stems(point)
        result.append(bool(wanted) and len(wanted & said) * 2 >= len(wanted))
    return result
