"""The question bank: the Question model, the YAML loader and validation."""

from quizdl.bank.loader import load_bank
from quizdl.bank.model import Bank, Question

__all__ = ["Bank", "Question", "load_bank"]
