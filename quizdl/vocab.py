"""The stored vocabularies: one definition shared by the code that writes them, the database's CHECK
constraints (migrations 0003 and 0005) and the progress-file validator.

A value outside these sets cannot be stored at all. When a vocabulary grows, add the value here AND in a
new migration that widens the constraint (a migration is a frozen snapshot and never imports this module);
tests/store/test_vocab.py checks that the database accepts exactly these values.
"""

from __future__ import annotations

from enum import StrEnum


class SessionMode(StrEnum):
    """What kind of session a `sessions` row records."""

    SCHEDULED = "scheduled"  # an ordinary session: due cards, then new ones
    CRAM = "cram"  # practice regardless of due dates; the schedule is left alone


class ReviewKind(StrEnum):
    """What kind of answer a `reviews` row records. Only `scheduled` answers move the SM-2 schedule."""

    SCHEDULED = "scheduled"
    REDRILL = "redrill"  # SuperMemo's step 7: asked again the same day until graded 4 or more
    CRAM = "cram"
    PREP = "prep"  # an interview plan's final days: recall on the day predicted below target; schedule untouched


class SchedulerName(StrEnum):
    """Which scheduler sets a profile's due dates (profiles.scheduler)."""

    SM2 = "sm2"  # the default: SuperMemo 2, exactly
    FSRS = "fsrs"  # FSRS-6 through py-fsrs, at the profile's desired retention


# Review kinds that leave the SM-2 schedule alone (only SCHEDULED moves it).
UNSCHEDULED_KINDS = (ReviewKind.REDRILL, ReviewKind.CRAM, ReviewKind.PREP)

# Spellings that older files used for a value that has one canonical spelling now. Progress files written
# before the vocabulary was unified may carry these; they are read as the canonical value.
LEGACY_SESSION_MODES = {"review": SessionMode.SCHEDULED}

MAX_QUESTION_ID = 200  # characters: reviews.question_id and cards.question_id are VARCHAR(200)
MAX_PROFILE_NAME = 100  # profiles.name is VARCHAR(100)


def sql_in(column: str, values: type[StrEnum]) -> str:
    """`column IN ('a', 'b')`: the text of a CHECK constraint admitting exactly `values`."""
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"
