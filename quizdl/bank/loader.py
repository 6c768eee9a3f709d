"""Load and validate question files. Every problem is reported as `file:line: message`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from quizdl.bank import yamlsafe
from quizdl.bank.model import Bank, Erratum, Question, SourceRef
from quizdl.errors import BankError
from quizdl.vocab import MAX_QUESTION_ID

KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
DOC = re.compile(r"^\d{3}$")
CARD_FIELDS = {
    "id", "question", "answer", "key_points", "difficulty", "tags", "demo", "origin", "sources", "errata",
}  # fmt: skip
FILE_FIELDS = {"topic", "title", "questions"}
MAX_FILE_BYTES = 5 * 1024 * 1024  # the whole shipped bank is ~0.5 MB; anything this large is a mistake


def shipped_bank_dir() -> Path:
    """The question files that ship with quizdl: quizdl/bank_data in a built wheel, questions/ in a checkout."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "bank_data"
    return installed if installed.is_dir() else package.parent / "questions"


YAML_SUFFIXES = (".yaml", ".yml")


def question_files(paths: Iterable[Path]) -> list[Path]:
    """The YAML files named by `paths`: files as given, directories by their top-level *.yaml and *.yml
    files. A file reached twice (named twice, or named and also inside a named folder) is read once."""
    found: list[Path] = []
    seen: set[Path] = set()

    def add(file: Path) -> None:
        key = file.resolve()
        if key not in seen:
            seen.add(key)
            found.append(file)

    for path in paths:
        if path.is_dir():
            for file in sorted(p for p in path.iterdir() if p.suffix.lower() in YAML_SUFFIXES and p.is_file()):
                add(file)
        elif path.is_file():
            add(path)
        else:
            raise BankError([f"{path}: no such file or directory (check the --bank path)"])
    return found


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, file: Path, line: int, message: str) -> None:
        self.items.append(f"{file}:{line}: {message}")


def _read_text(file: Path, problems: _Problems) -> str | None:
    try:
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.add(file, 1, f"file is {size / 1e6:.1f} MB; question files must be under 5 MB (split it)")
            return None
        data = file.read_bytes()
    except OSError as err:
        problems.add(file, 1, f"cannot read file: {err.strerror}")
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        problems.add(file, line, f"not valid UTF-8 (byte 0x{data[err.start]:02x}); save the file as UTF-8")
        return None


def _text(card: yamlsafe.Located, key: str, file: Path, problems: _Problems, where: str) -> str | None:
    value = card.value.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.add(file, card.line_of(key), f"{where}: '{key}' must be non-empty text")
        return None
    return value.strip()


def _str_list(
    card: yamlsafe.Located, key: str, file: Path, problems: _Problems, where: str, lo: int, hi: int
) -> tuple[str, ...]:
    value = card.value.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.add(file, card.line_of(key), f"{where}: '{key}' must be a list of non-empty text items")
        return ()
    if not lo <= len(value) <= hi:
        problems.add(file, card.line_of(key), f"{where}: '{key}' needs {lo} to {hi} items, has {len(value)}")
    return tuple(v.strip() for v in value)


def _key_points(
    card: yamlsafe.Located, file: Path, problems: _Problems, where: str
) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """`key_points`: each item a string, or `{point: text, also: [other wording, ...]}`. Returns the points and,
    if any point has other wordings, one tuple of them per point (else an empty tuple)."""
    value = card.value.get("key_points")
    line = card.line_of("key_points")
    if not isinstance(value, list):
        problems.add(file, line, f"{where}: 'key_points' must be a list of non-empty text items")
        return (), ()
    points: list[str] = []
    alternatives: list[tuple[str, ...]] = []
    for item in value:
        if isinstance(item, str) and item.strip():
            points.append(item.strip())
            alternatives.append(())
            continue
        fields = item.value if isinstance(item, yamlsafe.Located) else {}
        point, also = fields.get("point"), fields.get("also", [])
        if not fields or not set(fields) <= {"point", "also"} or not isinstance(point, str) or not point.strip():
            at = item.line if isinstance(item, yamlsafe.Located) else line
            problems.add(file, at, f'{where}: each key point must be text or {{point: "text", also: ["wording"]}}')
            return (), ()
        if not isinstance(also, list) or not all(isinstance(a, str) and a.strip() for a in also):
            problems.add(file, item.line_of("also"), f"{where}: a key point's 'also' must be a list of non-empty text")
            return (), ()
        points.append(point.strip())
        alternatives.append(tuple(a.strip() for a in also))
    if not 1 <= len(points) <= 12:
        problems.add(file, line, f"{where}: 'key_points' needs 1 to 12 items, has {len(points)}")
    return tuple(points), tuple(alternatives) if any(alternatives) else ()


MAX_DEMOS = 4


def _demo_names(card: yamlsafe.Located, file: Path, problems: _Problems, where: str) -> tuple[str, ...]:
    """`demo: name` or `demo: [name, other]`: the demos a card links, the most relevant first."""
    value = card.value.get("demo")
    if value is None:
        return ()
    names = [value] if isinstance(value, str) else value
    line = card.line_of("demo")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) and KEBAB.match(n) for n in names):
        problems.add(file, line, f"{where}: 'demo' must be a demo name such as 'dying-relu', or a list of names")
        return ()
    if len(set(names)) != len(names):
        problems.add(file, line, f"{where}: 'demo' lists a demo twice")
    if len(names) > MAX_DEMOS:
        problems.add(file, line, f"{where}: 'demo' links {len(names)} demos; link at most {MAX_DEMOS}")
    return tuple(names)


def _refs(card: yamlsafe.Located, file: Path, problems: _Problems, where: str) -> tuple[SourceRef, ...]:
    value = card.value.get("sources", [])
    refs: list[SourceRef] = []
    if not isinstance(value, list):
        problems.add(file, card.line_of("sources"), f"{where}: 'sources' must be a list of {{doc, n}}")
        return ()
    for item in value:
        fields = item.value if isinstance(item, yamlsafe.Located) else None
        line = item.line if isinstance(item, yamlsafe.Located) else card.line_of("sources")
        if fields is None or set(fields) != {"doc", "n"}:
            problems.add(file, line, f'{where}: each source must be {{doc: "NNN", n: N}}')
            continue
        doc, n = fields["doc"], fields["n"]
        if not isinstance(doc, str) or not DOC.match(doc) or not isinstance(n, int) or isinstance(n, bool):
            problems.add(file, line, f'{where}: source needs doc as quoted 3 digits ("003") and n as a number')
            continue
        refs.append(SourceRef(doc, n))
    return tuple(refs)


def _errata(card: yamlsafe.Located, file: Path, problems: _Problems, where: str) -> tuple[Erratum, ...]:
    value = card.value.get("errata", [])
    out: list[Erratum] = []
    if not isinstance(value, list):
        problems.add(file, card.line_of("errata"), f"{where}: 'errata' must be a list")
        return ()
    for item in value:
        fields = item.value if isinstance(item, yamlsafe.Located) else {}
        line = item.line if isinstance(item, yamlsafe.Located) else card.line_of("errata")
        if set(fields) != {"doc", "n", "claim", "correction"}:
            problems.add(file, line, f"{where}: each erratum needs exactly doc, n, claim and correction")
            continue
        doc, n, claim, correction = fields["doc"], fields["n"], fields["claim"], fields["correction"]
        if not (isinstance(doc, str) and DOC.match(doc) and isinstance(n, int)):
            problems.add(file, line, f'{where}: erratum needs doc as quoted 3 digits ("003") and n as a number')
        elif not (isinstance(claim, str) and claim.strip() and isinstance(correction, str) and correction.strip()):
            problems.add(file, line, f"{where}: erratum claim and correction must be non-empty text")
        else:
            out.append(Erratum(doc, n, claim.strip(), correction.strip()))
    return tuple(out)


def _card(item: Any, topic: str, file: Path, problems: _Problems, fallback_line: int) -> Question | None:
    if not isinstance(item, yamlsafe.Located):
        line = getattr(item, "line", fallback_line)
        problems.add(file, line, "each entry under 'questions' must be a mapping of card fields")
        return None
    before = len(problems.items)
    raw_id = item.value.get("id")
    where = f"card {raw_id!r}" if isinstance(raw_id, str) else "card"
    for key in item.value:
        if key not in CARD_FIELDS:
            hint = f"; allowed: {', '.join(sorted(CARD_FIELDS))}"
            problems.add(file, item.line_of(key), f"{where}: unknown field {key!r}{hint}")
    if not isinstance(raw_id, str) or not KEBAB.match(raw_id):
        problems.add(file, item.line_of("id"), f"{where}: 'id' must be kebab-case text such as 'dropout-scaling'")
    elif len(raw_id) > MAX_QUESTION_ID:
        problems.add(
            file, item.line_of("id"),
            f"card id is {len(raw_id)} characters; ids are at most {MAX_QUESTION_ID} (shorten it)",
        )  # fmt: skip
    question = _text(item, "question", file, problems, where)
    answer = _text(item, "answer", file, problems, where)
    key_points, alternatives = _key_points(item, file, problems, where)
    tags = _str_list(item, "tags", file, problems, where, 1, 20)
    for tag in tags:
        if not KEBAB.match(tag):
            problems.add(file, item.line_of("tags"), f"{where}: tag {tag!r} must be kebab-case")
    difficulty = item.value.get("difficulty")
    if difficulty not in (1, 2, 3) or isinstance(difficulty, bool):
        problems.add(file, item.line_of("difficulty"), f"{where}: 'difficulty' must be 1, 2 or 3, got {difficulty!r}")
    demos = _demo_names(item, file, problems, where)
    origin = item.value.get("origin", "source")
    if origin not in ("source", "added"):
        problems.add(file, item.line_of("origin"), f"{where}: 'origin' must be 'source' or 'added'")
    sources = _refs(item, file, problems, where)
    errata = _errata(item, file, problems, where)
    if origin == "source" and not sources and "sources" not in item.value:
        problems.add(file, item.line, f"{where}: needs 'sources' (or 'origin: added' for a card of our own)")
    if origin == "added" and sources:
        problems.add(file, item.line_of("sources"), f"{where}: an 'origin: added' card cannot cite sources")
    for erratum in errata:
        if SourceRef(erratum.doc, erratum.n) not in sources:
            problems.add(
                file, item.line_of("errata"), f"{where}: erratum {erratum.doc}/{erratum.n} is not in 'sources'"
            )
    if len(problems.items) > before:
        return None
    assert question and answer and isinstance(raw_id, str)
    return Question(
        id=raw_id, topic=topic, question=question, answer=answer, key_points=key_points,
        difficulty=difficulty, tags=tags, demos=demos, origin=origin, sources=sources, errata=errata,
        key_point_alternatives=alternatives, file=file, line=item.line,
    )  # fmt: skip


def _load_file(file: Path, problems: _Problems) -> tuple[str | None, str | None, list[Question]]:
    text = _read_text(file, problems)
    if text is None:
        return None, None, []
    try:
        doc = yamlsafe.load(text)
    except yamlsafe.YamlProblem as err:
        problems.add(file, err.line, err.message)
        return None, None, []
    if not isinstance(doc, yamlsafe.Located):
        problems.add(file, 1, "a question file is a mapping with 'topic', 'title' and 'questions'")
        return None, None, []
    for key in doc.value:
        if key not in FILE_FIELDS:
            problems.add(file, doc.line_of(key), f"unknown top-level field {key!r}; allowed: topic, title, questions")
    topic = doc.value.get("topic")
    if not isinstance(topic, str) or not KEBAB.match(topic):
        problems.add(file, doc.line_of("topic"), "'topic' must be kebab-case text such as 'optimization'")
        topic = None
    title = doc.value.get("title")
    if title is not None and not isinstance(title, str):
        problems.add(file, doc.line_of("title"), "'title' must be text")
        title = None
    items = doc.value.get("questions")
    if not isinstance(items, list) or not items:
        problems.add(file, doc.line_of("questions"), "'questions' must be a non-empty list of cards")
        return topic, title, []
    if topic is None:
        return None, title, []
    cards = [_card(item, topic, file, problems, doc.line_of("questions")) for item in items]
    return topic, title, [c for c in cards if c is not None]


def collect(files: Iterable[Path]) -> tuple[Bank, list[str]]:
    """Load `files`, returning the valid cards and every problem found (bank order = file order)."""
    problems = _Problems()
    questions: list[Question] = []
    titles: dict[str, str] = {}
    first_seen: dict[str, Question] = {}
    for file in files:
        topic, title, cards = _load_file(file, problems)
        if topic is not None:
            titles.setdefault(topic, title or topic.replace("-", " ").capitalize())
        for card in cards:
            if card.id in first_seen:
                other = first_seen[card.id]
                problems.add(
                    file, card.line, f"duplicate id '{card.id}' (also at {other.location}); ids must be unique"
                )
                continue
            first_seen[card.id] = card
            questions.append(card)
    return Bank(tuple(questions), titles), problems.items


def load_bank(extra: Iterable[Path] = (), *, include_shipped: bool = True, cache_dir: Path | None = None) -> Bank:
    """The shipped bank plus a learner's own files; any problem raises BankError (nothing half-loaded).

    With `cache_dir`, a validated bank is kept as a pickle keyed on every file's path, size and mtime, so
    the next start skips YAML parsing (~3 ms instead of ~40 ms for the shipped bank).
    """
    paths = ([shipped_bank_dir()] if include_shipped else []) + [Path(p) for p in extra]
    files = question_files(paths)
    key = _cache_key(files)
    if cache_dir is not None and (cached := _read_cache(cache_dir, key)) is not None:
        return cached
    bank, problems = collect(files)
    if problems:
        raise BankError(problems)
    if cache_dir is not None:
        _write_cache(cache_dir, key, bank)
    return bank


CACHE_FILE = "bank-cache.pickle"


def _cache_key(files: list[Path]) -> tuple[object, ...]:
    from dataclasses import fields

    from quizdl import __version__

    # The card model's field names are part of the key: a code change that reshapes Question must not
    # unpickle a cache written by the old shape.
    shape = tuple(f.name for f in fields(Question))
    stats = []
    for file in files:
        st = file.stat()
        stats.append((str(file.resolve()), st.st_size, st.st_mtime_ns))
    return (__version__, shape, tuple(stats))


def _read_cache(cache_dir: Path, key: tuple[object, ...]) -> Bank | None:
    import pickle

    try:
        with (cache_dir / CACHE_FILE).open("rb") as handle:
            stored_key, bank = pickle.load(handle)
    except Exception:  # missing, stale format or damaged: the cache is only ever a shortcut
        return None
    return bank if stored_key == key and isinstance(bank, Bank) else None


def _write_cache(cache_dir: Path, key: tuple[object, ...], bank: Bank) -> None:
    import os
    import pickle
    import tempfile

    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".bank-cache-")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump((key, bank), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache_dir / CACHE_FILE)  # atomic: a concurrent reader sees the old or the new file
    except OSError:
        return  # a read-only data dir just means no cache
