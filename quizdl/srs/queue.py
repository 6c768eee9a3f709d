"""Which cards to ask today, in what order. Pure: ids, states and a day in; an ordered list out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from quizdl.srs.sm2 import CardState


def due_ids(ids: Sequence[str], states: dict[str, CardState], today: date) -> list[str]:
    """Seen cards due on or before `today`, most overdue first (ties keep bank order)."""
    order = {qid: i for i, qid in enumerate(ids)}
    due = [qid for qid in ids if (s := states.get(qid)) is not None and s.due is not None and s.due <= today]
    return sorted(due, key=lambda qid: (states[qid].due, order[qid]))


def build_queue(
    ids: Sequence[str],
    states: dict[str, CardState],
    today: date,
    *,
    new_allowed: int,
    limit: int | None = None,
    cram: bool = False,
) -> list[str]:
    """Today's queue: due cards, most overdue first; then up to `new_allowed` new cards in bank order.

    `cram` ignores due dates: every selected card, seen ones soonest-due first, then new ones.
    """
    if cram:
        seen = sorted((qid for qid in ids if qid in states), key=lambda qid: states[qid].due or today)
        queue = seen + [qid for qid in ids if qid not in states]
    else:
        new = [qid for qid in ids if qid not in states][: max(0, new_allowed)]
        queue = due_ids(ids, states, today) + new
    return queue[:limit] if limit is not None else queue
