"""Domain errors. The CLI turns each into a one-line message and an exit code; nothing else catches them."""

from __future__ import annotations


class QuizdlError(Exception):
    """A problem the user can fix: shown as one line, exit code 2."""

    exit_code = 2


class BankError(QuizdlError):
    """One or more problems in question files, each already formatted as `file:line: message`."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        first = problems[0] if problems else "invalid question bank"
        more = f" (and {len(problems) - 1} more problems; run `quizdl bank validate`)" if len(problems) > 1 else ""
        super().__init__(first + more)


class StoreError(QuizdlError):
    """The database cannot be opened, migrated or written."""


class DemoError(QuizdlError):
    """An unknown demo or an unavailable device."""
