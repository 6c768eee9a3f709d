"""A demo behind every answer that can show one: counted over the whole shipped bank."""

from __future__ import annotations

from collections import Counter

import pytest

from quizdl.bank.loader import load_bank
from quizdl.demos import registry

OVERALL = 0.75  # share of all shipped cards linking at least one demo
PER_TOPIC = 0.50  # and of every topic's cards


@pytest.fixture(scope="module")
def demos() -> dict[str, registry.Demo]:
    return registry.load_all()


def test_at_least_60_demos_each_linked_by_a_card(demos: dict[str, registry.Demo]) -> None:
    linked = {name for q in load_bank().questions for name in q.demos}
    assert len(demos) >= 60
    assert sorted(set(demos) - linked) == [], "demos no card links"
    assert sorted(linked - set(demos)) == [], "cards link unknown demos"


def test_three_quarters_of_the_cards_and_half_of_each_topic_link_a_demo() -> None:
    bank = load_bank()
    total, linked = Counter(q.topic for q in bank.questions), Counter(q.topic for q in bank.questions if q.demos)
    assert sum(linked.values()) / sum(total.values()) >= OVERALL
    thin = {t: f"{linked[t]}/{total[t]}" for t in total if linked[t] / total[t] < PER_TOPIC}
    assert thin == {}, f"topics under {PER_TOPIC:.0%}: {thin}"


def test_every_demo_topic_is_a_bank_topic(demos: dict[str, registry.Demo]) -> None:
    topics = set(load_bank().topics)
    assert {d.name: d.topic for d in demos.values() if d.topic not in topics} == {}
