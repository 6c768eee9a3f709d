"""Backups: one profile's whole history as a JSON file, and its import (fresh, --merge or --replace).

File layout (docs/reports.md documents every field):
    {"format": "quizdl-progress", "version": 1, "sha256": "<hex>", "payload": {...}}
`sha256` is taken over the canonical JSON of `payload` (sorted keys, no spaces, UTF-8), so any edit or
truncation is detected. Import validates the whole file (version, checksum, counts, every field's type,
session references) before it writes anything, then writes everything in ONE transaction.

Merge identity: a review is the same review when (question_id, reviewed_at to the microsecond in UTC, kind,
grade) match; a session when (started_at, mode) match. Duplicates are counted, never inserted twice.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

from quizdl.errors import QuizdlError
from quizdl.reports.render_csv import utc_iso
from quizdl.srs.sm2 import GRADES
from quizdl.store import repo
from quizdl.store.schema import Card, Profile, Review, StudySession
from quizdl.vocab import LEGACY_SESSION_MODES, MAX_PROFILE_NAME, MAX_QUESTION_ID, ReviewKind, SessionMode

FORMAT = "quizdl-progress"
VERSION = 2
READABLE_VERSIONS = (1, 2)  # version 1 had no suggested_grade (read as null)
INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # the schema's INTEGER columns

# field -> kind of value; a trailing "?" allows null.
SESSION_FIELDS = {"id": "int", "started_at": "datetime", "ended_at": "datetime?", "mode": "mode"}
REVIEW_FIELDS = {
    "session_id": "int?", "question_id": "id", "reviewed_at": "datetime", "study_day": "date", "kind": "kind",
    "grade": "grade", "response_ms": "int?", "typed_answer": "str?", "ef_before": "float",
    "interval_before": "int", "repetitions_before": "int", "due_before": "date?", "ef_after": "float",
    "interval_after": "int", "repetitions_after": "int", "due_after": "date?", "suggested_grade": "grade?",
}  # fmt: skip
ADDED_IN_VERSION_2 = {"suggested_grade"}
CARD_FIELDS = {
    "question_id": "id", "ef": "float", "interval": "int", "repetitions": "int", "due": "date", "lapses": "int",
    "last_review": "date", "introduced_on": "date",
}  # fmt: skip

Progress = Callable[[str], None]


class ProgressFileError(QuizdlError):
    """A progress file that cannot be imported: nothing was written."""


def _no_progress(_step: str) -> None:
    return None


def canonical(payload: Any) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _out(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind.startswith("datetime"):
        return utc_iso(value)
    if kind.startswith("date"):
        return value.isoformat()
    if kind.startswith("float"):
        return float(value)
    return value


def export_progress(
    engine: Engine, profile_id: int, now: datetime, progress: Progress = _no_progress
) -> dict[str, Any]:
    """The whole history of one profile as a progress document (see the module docstring)."""
    with engine.connect() as conn:
        profile = conn.execute(select(Profile.name, Profile.created_at).where(Profile.id == profile_id)).one()
        progress("sessions")
        sessions = conn.execute(
            select(*(getattr(StudySession, f) for f in SESSION_FIELDS))
            .where(StudySession.profile_id == profile_id)
            .order_by(StudySession.id)
        ).all()
        progress("reviews")
        reviews = conn.execute(
            select(*(getattr(Review, f) for f in REVIEW_FIELDS))
            .where(Review.profile_id == profile_id)
            .order_by(Review.reviewed_at, Review.id)
        ).all()
        progress("cards")
        cards = conn.execute(
            select(*(getattr(Card, f) for f in CARD_FIELDS))
            .where(Card.profile_id == profile_id)
            .order_by(Card.question_id)
        ).all()

    def rows(records: list[Any], spec: dict[str, str]) -> list[dict[str, Any]]:
        return [{f: _out(k, v) for (f, k), v in zip(spec.items(), r, strict=True)} for r in records]

    payload = {
        "profile": {"name": profile.name, "created_at": utc_iso(profile.created_at)},
        "exported_at": utc_iso(now),
        "counts": {"sessions": len(sessions), "reviews": len(reviews), "cards": len(cards)},
        "sessions": rows(sessions, SESSION_FIELDS),
        "reviews": rows(reviews, REVIEW_FIELDS),
        "cards": rows(cards, CARD_FIELDS),
    }
    return {
        "format": FORMAT,
        "version": VERSION,
        "sha256": hashlib.sha256(canonical(payload)).hexdigest(),
        "payload": payload,
    }


def dump_progress(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


# -- reading and validating ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressFile:
    profile_name: str
    profile_created_at: datetime
    sessions: list[dict[str, Any]]
    reviews: list[dict[str, Any]]
    cards: list[dict[str, Any]]


def _parse(kind: str, value: Any, where: str) -> Any:
    """Check one value against its kind and convert it to the Python value the store takes."""
    base = kind.rstrip("?")
    if value is None:
        if kind.endswith("?"):
            return None
        raise ProgressFileError(f"{where}: missing value")
    if base in ("int", "grade"):
        if not isinstance(value, int) or isinstance(value, bool) or not INT_MIN <= value <= INT_MAX:
            raise ProgressFileError(f"{where}: expected a whole number, got {value!r}")
        if base == "grade" and value not in GRADES:
            raise ProgressFileError(f"{where}: a grade must be 0 to 5, got {value!r}")
        return value
    if base == "float":
        if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
            raise ProgressFileError(f"{where}: expected a number, got {value!r}")
        return float(value)
    if not isinstance(value, str):
        raise ProgressFileError(f"{where}: expected a string, got {value!r}")
    if base == "id" and not 0 < len(value) <= MAX_QUESTION_ID:
        raise ProgressFileError(f"{where}: expected a question id of 1 to {MAX_QUESTION_ID} characters")
    if base == "kind":
        if value not in set(ReviewKind):
            raise ProgressFileError(f"{where}: expected one of {', '.join(ReviewKind)}, got {value!r}")
        return ReviewKind(value)
    if base == "mode":
        value = LEGACY_SESSION_MODES.get(value, value)  # files from before the vocabulary was unified
        if value not in set(SessionMode):
            raise ProgressFileError(f"{where}: expected one of {', '.join(SessionMode)}, got {value!r}")
        return SessionMode(value)
    if base == "date":
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ProgressFileError(f"{where}: expected a date YYYY-MM-DD, got {value!r}") from None
    if base == "datetime":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise ProgressFileError(f"{where}: expected an ISO-8601 time with a zone, got {value!r}")
        return moment.astimezone(UTC)
    return value


def _rows(
    payload: dict[str, Any], name: str, spec: dict[str, str], source: str, absent: set[str] | None = None
) -> list[dict[str, Any]]:
    """Validated records; fields in `absent` are not in this file's version and are read as null."""
    absent = absent or set()
    records = payload.get(name)
    if not isinstance(records, list):
        raise ProgressFileError(f"{source}: payload.{name} must be a list")
    out = []
    for i, record in enumerate(records):
        where = f"{source}: {name}[{i}]"
        if not isinstance(record, dict):
            raise ProgressFileError(f"{where}: expected an object")
        expected = set(spec) - absent
        if set(record) != expected:
            odd = sorted(set(record) ^ expected)[0]
            raise ProgressFileError(f"{where}: unexpected or missing field {odd!r}")
        out.append({f: _parse(kind, record.get(f), f"{where}.{f}") for f, kind in spec.items()})
    return out


def load_progress(text: str, source: str) -> ProgressFile:
    """Parse and validate a whole progress file; any problem is one ProgressFileError naming the place."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise ProgressFileError(
            f"{source}: not valid JSON (truncated or edited?): {err.msg} at line {err.lineno}"
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ProgressFileError(f'{source}: not a quizdl progress file (expected "format": "{FORMAT}")')
    if document.get("version") not in READABLE_VERSIONS:
        raise ProgressFileError(
            f"{source}: progress file version {document.get('version')!r} is not supported (this quizdl reads version {VERSION})"
        )
    payload = document.get("payload")
    if not isinstance(payload, dict) or not isinstance(document.get("sha256"), str):
        raise ProgressFileError(f"{source}: the file has no payload or no sha256 checksum")
    if hashlib.sha256(canonical(payload)).hexdigest() != document["sha256"]:
        raise ProgressFileError(f"{source}: checksum mismatch: the file was edited or damaged after export")
    profile = payload.get("profile")
    if not isinstance(profile, dict):
        raise ProgressFileError(f"{source}: payload.profile must be an object")
    name = profile.get("name")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_PROFILE_NAME:
        raise ProgressFileError(f"{source}: payload.profile.name must be a name of 1 to {MAX_PROFILE_NAME} characters")
    created = _parse("datetime", profile.get("created_at"), f"{source}: profile.created_at")
    sessions = _rows(payload, "sessions", SESSION_FIELDS, source)
    reviews = _rows(payload, "reviews", REVIEW_FIELDS, source, ADDED_IN_VERSION_2 if document["version"] == 1 else None)
    cards = _rows(payload, "cards", CARD_FIELDS, source)
    counts = payload.get("counts")
    actual = {"sessions": len(sessions), "reviews": len(reviews), "cards": len(cards)}
    if counts != actual:
        raise ProgressFileError(f"{source}: the counts {counts!r} do not match the content {actual!r}")
    session_ids = [s["id"] for s in sessions]
    if len(set(session_ids)) != len(session_ids):
        raise ProgressFileError(f"{source}: two sessions share an id")
    known = set(session_ids)
    for i, r in enumerate(reviews):
        if r["session_id"] is not None and r["session_id"] not in known:
            raise ProgressFileError(f"{source}: reviews[{i}].session_id {r['session_id']} is not a session of the file")
    card_ids = [c["question_id"] for c in cards]
    if len(set(card_ids)) != len(card_ids):
        raise ProgressFileError(f"{source}: two cards share a question_id")
    return ProgressFile(name.strip(), created, sessions, reviews, cards)


# -- writing ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    profile: str
    mode: str  # "new", "merge" or "replace"
    sessions_added: int
    reviews_added: int
    reviews_skipped: int  # already present (merge)
    cards: int


def review_key(question_id: str, reviewed_at: datetime, kind: str, grade: int) -> tuple[str, str, str, int]:
    """What identifies a review when merging (see the module docstring)."""
    return (question_id, utc_iso(reviewed_at), kind, grade)


def _has_history(conn: Connection, profile_id: int) -> bool:
    reviews = conn.execute(select(func.count()).where(Review.profile_id == profile_id)).scalar_one()
    cards = conn.execute(select(func.count()).where(Card.profile_id == profile_id)).scalar_one()
    return bool(reviews or cards)


def import_progress(
    engine: Engine, data: ProgressFile, profile_name: str, *, merge: bool = False, replace: bool = False,
    progress: Progress = _no_progress,
) -> ImportResult:  # fmt: skip
    """Write a validated progress file into `profile_name`, all in one transaction."""
    if merge and replace:
        raise QuizdlError("--merge and --replace exclude each other; choose one")
    try:
        return _import(engine, data, profile_name, merge, replace, progress)
    except (OperationalError, IntegrityError, DataError) as err:  # rolled back: nothing was written
        reason = str(getattr(err, "orig", err) or err).strip().splitlines()[0]
        raise QuizdlError(f"the import was rolled back, nothing was written: {reason}") from None


def _import(
    engine: Engine, data: ProgressFile, profile_name: str, merge: bool, replace: bool, progress: Progress
) -> ImportResult:
    reviews_t, cards_t, sessions_t = Review.__table__, Card.__table__, StudySession.__table__
    with engine.begin() as conn:
        pid = conn.execute(select(Profile.id).where(Profile.name == profile_name)).scalar()
        had_history = pid is not None and _has_history(conn, pid)
        if had_history and not (merge or replace):
            raise QuizdlError(
                f"profile {profile_name!r} already has history; use --merge to add the file's reviews "
                "(duplicates skipped) or --replace to overwrite it"
            )
        if pid is None:
            pid = conn.execute(
                insert(Profile).values(name=profile_name, created_at=data.profile_created_at).returning(Profile.id)
            ).scalar_one()
        mode = "merge" if merge and had_history else "replace" if replace and had_history else "new"
        if mode == "replace":
            progress("removing the old history")
            conn.execute(delete(reviews_t).where(reviews_t.c.profile_id == pid))
            conn.execute(delete(cards_t).where(cards_t.c.profile_id == pid))
            conn.execute(delete(sessions_t).where(sessions_t.c.profile_id == pid))
        progress("sessions")
        existing_sessions: dict[tuple[str, str], int] = {}
        if mode != "replace":  # a profile with only empty sessions has no history, but its sessions still count
            rows = conn.execute(
                select(sessions_t.c.id, sessions_t.c.started_at, sessions_t.c.mode).where(
                    sessions_t.c.profile_id == pid
                )
            )
            existing_sessions = {(utc_iso(r.started_at), r.mode): r.id for r in rows}
        session_map: dict[int, int] = {}
        added_sessions = 0
        for s in data.sessions:
            found = existing_sessions.get((utc_iso(s["started_at"]), s["mode"]))
            if found is None:
                found = conn.execute(
                    insert(sessions_t)
                    .values(profile_id=pid, started_at=s["started_at"], ended_at=s["ended_at"], mode=s["mode"])
                    .returning(sessions_t.c.id)
                ).scalar_one()
                added_sessions += 1
            session_map[s["id"]] = found
        progress("reviews")
        present: Counter[tuple[str, str, str, int]] = Counter()
        if mode == "merge":
            rows = conn.execute(
                select(reviews_t.c.question_id, reviews_t.c.reviewed_at, reviews_t.c.kind, reviews_t.c.grade).where(
                    reviews_t.c.profile_id == pid
                )
            )
            present = Counter(review_key(*r) for r in rows)
        new_rows = []
        skipped = 0
        for r in data.reviews:
            key = review_key(r["question_id"], r["reviewed_at"], r["kind"], r["grade"])
            if present[key] > 0:
                present[key] -= 1
                skipped += 1
                continue
            sid = r["session_id"]
            new_rows.append({**r, "profile_id": pid, "session_id": session_map[sid] if sid is not None else None})
        if new_rows:
            conn.execute(insert(reviews_t), new_rows)
        progress("cards")
        if mode == "merge":
            cards = repo.replay_cards(conn, pid)
        else:
            if data.cards:
                conn.execute(insert(cards_t), [{**c, "profile_id": pid} for c in data.cards])
            cards = len(data.cards)
        repo.replay_memory(conn, pid)  # derived from the log, so never carried in the file
    return ImportResult(profile_name, mode, added_sessions, len(new_rows), skipped, cards)
