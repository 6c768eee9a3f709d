"""Checks beyond the schema: demo names, manifest sources, answer length, and coverage of the manifest."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from quizdl.bank.loader import collect, question_files, shipped_bank_dir
from quizdl.bank.model import Bank, SourceRef

ANSWER_WORDS = (60, 250)  # the shipped bank's rule for a model answer
KEY_POINTS = (3, 6)


@dataclass(frozen=True)
class ManifestEntry:
    doc: str
    n: int
    question: str
    topic: str


def manifest_path() -> Path:
    return shipped_bank_dir() / "sources" / "manifest.yaml"


def load_manifest(path: Path | None = None) -> dict[SourceRef, ManifestEntry]:
    data = yaml.load((path or manifest_path()).read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    entries: dict[SourceRef, ManifestEntry] = {}
    for document in data["documents"]:
        doc = str(document["file"])[:3]
        for item in document["questions"]:
            entries[SourceRef(doc, int(item["n"]))] = ManifestEntry(
                doc, int(item["n"]), item["question"], item["topic"]
            )
    return entries


def check_bank(
    bank: Bank,
    *,
    demo_names: set[str] | None,
    manifest: dict[SourceRef, ManifestEntry] | None,
    strict: bool,
    require_coverage: bool,
) -> list[str]:
    """Problems as `file:line: message`. `strict` adds the shipped bank's rules on length and key points."""
    problems: list[str] = []
    cited: dict[SourceRef, str] = {}
    for q in bank.questions:
        if demo_names is not None and q.demo is not None and q.demo not in demo_names:
            problems.append(f"{q.location}: card '{q.id}': unknown demo '{q.demo}' (see `quizdl demo list`)")
        for ref in q.sources:
            if manifest is not None and ref not in manifest:
                problems.append(f"{q.location}: card '{q.id}': source {ref} is not in the manifest")
            if ref in cited:
                problems.append(f"{q.location}: card '{q.id}': source {ref} is already answered by '{cited[ref]}'")
            cited.setdefault(ref, q.id)
        if strict:
            words = len(q.answer.split())
            if not ANSWER_WORDS[0] <= words <= ANSWER_WORDS[1]:
                problems.append(f"{q.location}: card '{q.id}': answer has {words} words; keep it to 60-250")
            if not KEY_POINTS[0] <= len(q.key_points) <= KEY_POINTS[1]:
                problems.append(f"{q.location}: card '{q.id}': {len(q.key_points)} key points; give 3 to 6")
    if require_coverage and manifest is not None:
        for ref, entry in manifest.items():
            if ref not in cited:
                problems.append(f"{manifest_path()}:1: source {ref} ({entry.question!r}) is answered by no card")
    return problems


def validate_paths(paths: Iterable[Path], *, demo_names: set[str] | None) -> tuple[Bank, list[str]]:
    """Everything `quizdl bank validate` checks. With no paths: the shipped bank, strictly, with coverage."""
    chosen = list(paths)
    shipped = not chosen
    files = question_files(chosen or [shipped_bank_dir()])
    bank, problems = collect(files)
    manifest = load_manifest()
    problems += check_bank(bank, demo_names=demo_names, manifest=manifest, strict=shipped, require_coverage=shipped)
    return bank, problems
