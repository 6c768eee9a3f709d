"""Fixtures for the report tests: the scripted history of tests/reports/history.py in a fresh database."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import Engine

from quizdl.bank.model import Bank
from tests.reports.history import ALICE, BOB, play, small_bank


@dataclass(frozen=True)
class History:
    engine: Engine
    bank: Bank
    alice: int
    bob: int


@pytest.fixture
def history(engine: Engine) -> History:
    return History(engine, small_bank(), play(engine, "alice", ALICE), play(engine, "bob", BOB))
