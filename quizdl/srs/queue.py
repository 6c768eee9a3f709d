"""Which cards to ask today, in what order. Pure: ids, states and a day in; an ordered list out."""

from __future__ import annotations

import random
from collections.abc import Container, Sequence
from datetime import date

NEW_ORDERS = ("interleaved", "bank", "random")


def new_card_order(cards: Sequence[tuple[str, str, int]], order: str = "interleaved", seed: int = 0) -> list[str]:
    """The order in which new cards are introduced; `cards` are (id, topic, difficulty) in bank order.

    interleaved: round-robin across topics (in the order topics first appear), basic before advanced within
    a topic (interleaving topics beats blocking them, and no topic waits weeks for its turn); bank: file
    order; random: shuffled with `seed`, the same order every day for the same seed.
    """
    if order == "bank":
        return [qid for qid, _, _ in cards]
    if order == "random":
        ids = [qid for qid, _, _ in cards]
        random.Random(seed).shuffle(ids)
        return ids
    if order != "interleaved":
        raise ValueError(f"unknown new-card order {order!r}")
    by_topic: dict[str, list[tuple[int, int, str]]] = {}
    for position, (qid, topic, difficulty) in enumerate(cards):
        by_topic.setdefault(topic, []).append((difficulty, position, qid))
    lanes = [[qid for _, _, qid in sorted(group)] for group in by_topic.values()]
    out: list[str] = []
    for depth in range(max((len(lane) for lane in lanes), default=0)):
        out.extend(lane[depth] for lane in lanes if depth < len(lane))
    return out


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
    new_order: Sequence[str] | None = None,
) -> list[str]:
    """Today's queue: due cards, most overdue first; then up to `new_allowed` new cards in bank order.

    `seen` holds every card the learner has started; `due_dates` the due day of at least every seen card due
    by `today` (of every seen card for `cram`, which ignores due dates: every selected card, seen ones
    soonest-due first, then new ones). `new_order`: the order of new cards (default: `ids`' order).
    """
    fresh = [qid for qid in (new_order if new_order is not None else ids) if qid not in seen]
    if cram:
        started = sorted((qid for qid in ids if qid in seen), key=lambda qid: due_dates[qid])
        queue = started + fresh
    else:
        new = fresh[: max(0, new_allowed)]
        queue = due_ids(ids, due_dates, today) + new
    return queue[:limit] if limit is not None else queue
