"""Which cards to ask today, in what order. Pure: ids, states and a day in; an ordered list out."""

from __future__ import annotations

from collections.abc import Container, Sequence
from datetime import date


def due_ids(ids: Sequence[str], due_dates: dict[str, date], today: date) -> list[str]:
    """Seen cards due on or before `today`, most overdue first (ties keep bank order)."""
    due = [qid for qid in ids if (d := due_dates.get(qid)) is not None and d <= today]
    return sorted(due, key=lambda qid: due_dates[qid])  # sorted() is stable: ties keep bank order


def build_queue(
    ids: Sequence[str],
    seen: Container[str],
    due_dates: dict[str, date],
    today: date,
    *,
    new_allowed: int,
    limit: int | None = None,
    cram: bool = False,
) -> list[str]:
    """Today's queue: due cards, most overdue first; then up to `new_allowed` new cards in bank order.

    `seen` holds every card the learner has started; `due_dates` the due day of at least every seen card due
    by `today` (of every seen card for `cram`, which ignores due dates: every selected card, seen ones
    soonest-due first, then new ones).
    """
    if cram:
        started = sorted((qid for qid in ids if qid in seen), key=lambda qid: due_dates[qid])
        queue = started + [qid for qid in ids if qid not in seen]
    else:
        new = [qid for qid in ids if qid not in seen][: max(0, new_allowed)]
        queue = due_ids(ids, due_dates, today) + new
    return queue[:limit] if limit is not None else queue
