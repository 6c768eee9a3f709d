"""`quizdl export anki` checked by Anki itself: the `anki` package imports the .apkg into a fresh collection.

Without `anki` (`pip install anki`) these tests are skipped locally but FAIL under CI=true, like PostgreSQL's.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterator
from html import escape
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from quizdl.bank.loader import load_bank
from quizdl.bank.model import Bank, Question
from quizdl.reports.anki import DECK_ROOT, ID_SEED, MODEL_ID, anki_tag, markdown_to_html, write_apkg
from tests.reports.history import small_bank

T0 = 1_767_225_600.0  # 2026-01-01 00:00 UTC, the first export; a later one is "newer" to Anki's importer

RICH_ANSWER = """\
A paragraph the YAML source wraps
over three lines, with `code <b>` and
**bold** text.

1. first step, also
   wrapped
2. second step

```python
loss = (y - p) ** 2
loss.backward()
```

| loss | use |
|------|-----|
| MSE  | `regression` |

<i>raw HTML</i> stays text."""


def rich_bank() -> Bank:
    """small_bank() plus a card using every Markdown construct an answer may hold."""
    bank = small_bank()
    rich = dataclasses.replace(bank.questions[0], id="a4", question="Rich answer?", answer=RICH_ANSWER)
    return Bank((*bank.questions, rich), bank.topic_titles)


@pytest.fixture
def anki_collection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A fresh, empty Anki collection under tmp_path (HOME points there too: nothing touches the real home)."""
    try:
        from anki.collection import Collection
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("the `anki` package is not installed: CI must import the .apkg with Anki (pip install anki)")
        pytest.skip("the Anki import tests need the `anki` package (pip install anki; CI installs it)")
    home = tmp_path / "anki-home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    col = Collection(str(home / "collection.anki2"))
    try:
        yield col
    finally:
        col.close()


def import_apkg(col: Any, apkg: Path) -> Any:
    """Import as Anki's desktop dialog does by default: update notes and note types only when newer."""
    # Their home module: anki.collection re-exports the options only in later releases (23.10 lacks them).
    from anki.import_export_pb2 import IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER as IF_NEWER
    from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    options = ImportAnkiPackageOptions(
        merge_notetypes=False, update_notes=IF_NEWER, update_notetypes=IF_NEWER, with_scheduling=False
    )
    return col.import_anki_package(ImportAnkiPackageRequest(package_path=str(apkg), options=options)).log


def notes_by_id(col: Any) -> dict[str, Any]:
    """Every note of the collection, keyed by its quizdl question id (the Id field)."""
    notes = [col.get_note(nid) for nid in col.find_notes("")]
    by_id = {note["Id"]: note for note in notes}
    assert len(by_id) == len(notes)
    return by_id


def our_decks(col: Any) -> dict[str, int]:
    return {d.name: d.id for d in col.decks.all_names_and_ids() if d.name != "Default"}


def test_anki_imports_every_note_with_its_fields_and_decks(anki_collection: Any, tmp_path: Path) -> None:
    import genanki

    col, bank = anki_collection, rich_bank()
    write_apkg(bank, tmp_path / "deck.apkg", timestamp=T0)
    log = import_apkg(col, tmp_path / "deck.apkg")
    assert (len(log.new), len(log.updated), len(log.duplicate), len(log.conflicting)) == (8, 0, 0, 0)
    assert col.note_count() == col.card_count() == len(bank.questions) == 8
    # One deck per topic, under the root deck (which Anki creates as their parent).
    titles = bank.topic_titles
    assert set(our_decks(col)) == {DECK_ROOT} | {f"{DECK_ROOT}::{t}" for t in titles.values()}
    notes = notes_by_id(col)
    assert sorted(notes) == sorted(q.id for q in bank.questions)
    for q in bank.questions:
        note = notes[q.id]
        assert note.note_type()["id"] == MODEL_ID and note.note_type()["name"] == "quizdl card"
        assert note.guid == genanki.guid_for(ID_SEED, q.id) and note.mod == int(T0)
        assert note.keys() == ["Question", "Answer", "Key points", "Topic", "Id"]
        assert note["Question"] == escape(q.question) and note["Answer"] == markdown_to_html(q.answer)
        assert note["Key points"] == "".join(f"<li>{escape(p)}</li>" for p in q.key_points)
        assert note["Topic"] == escape(titles[q.topic]) and note["Id"] == q.id
        assert sorted(note.tags) == sorted({anki_tag(t) for t in ("quizdl", q.topic, *q.tags)})
        (card,) = note.cards()
        assert col.decks.name(card.did) == f"{DECK_ROOT}::{titles[q.topic]}"
    assert notes["a2"]["Question"] == "Why is &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; | a &amp; b?"
    rich = notes["a4"]["Answer"]
    assert rich.startswith(
        "<p>A paragraph the YAML source wraps over three lines, with <code>code &lt;b&gt;</code> and "
        "<strong>bold</strong> text.</p>\n<ol>\n<li>first step, also wrapped</li>\n<li>second step</li>\n</ol>\n"
        '<pre><code class="language-python">loss = (y - p) ** 2\nloss.backward()\n</code></pre>\n<table>'
    )
    assert "<td><code>regression</code></td>" in rich and rich.endswith(
        "<p>&lt;i&gt;raw HTML&lt;/i&gt; stays text.</p>"
    )
    # Anki's own renderer puts the answer HTML, untouched, on the back of the card.
    (card,) = notes["a4"].cards()
    assert rich in card.answer() and '<ul class="points"><li>first point</li>' in card.answer()


def test_a_newer_export_updates_the_notes_in_place(anki_collection: Any, tmp_path: Path) -> None:
    col, bank = anki_collection, rich_bank()
    write_apkg(bank, tmp_path / "v1.apkg", timestamp=T0)
    import_apkg(col, tmp_path / "v1.apkg")
    before = {qid: note.id for qid, note in notes_by_id(col).items()}
    decks = our_decks(col)
    # The next release rewords one answer; the export is written later (the notes' mtime is newer).
    edited = [dataclasses.replace(q, answer="A reworded\nanswer.") if q.id == "b1" else q for q in bank.questions]
    write_apkg(Bank(tuple(edited), bank.topic_titles), tmp_path / "v2.apkg", timestamp=T0 + 86_400)
    log = import_apkg(col, tmp_path / "v2.apkg")
    assert (len(log.new), len(log.updated), len(log.conflicting)) == (0, 8, 0)
    assert col.note_count() == col.card_count() == 8 and our_decks(col) == decks  # nothing duplicated
    after = notes_by_id(col)
    assert {qid: note.id for qid, note in after.items()} == before  # the same notes (and so the same review history)
    assert after["b1"]["Answer"] == "<p>A reworded answer.</p>"
    assert after["a1"]["Answer"] == markdown_to_html(bank.questions[0].answer)
    # Re-importing the same export again is a no-op: Anki only takes strictly newer notes.
    again = import_apkg(col, tmp_path / "v2.apkg")
    assert (len(again.new), len(again.updated), len(again.duplicate)) == (0, 0, 8) and col.note_count() == 8


def line_breaks(source: str) -> dict[str, int]:
    """The Markdown's soft breaks (source wrapping) and hard breaks (trailing backslash or two spaces)."""
    inline = [c for tok in MarkdownIt("commonmark").enable("table").parse(source) for c in tok.children or ()]
    return {kind: sum(c.type == kind for c in inline) for kind in ("softbreak", "hardbreak")}


def assert_reflowed(html: str, source: str, where: str) -> None:
    """No source line break survives inside a paragraph, list item or cell: only <pre> keeps its newlines."""
    for paragraph in re.findall(r"<p>(.*?)</p>", html, flags=re.DOTALL):
        assert "\n" not in paragraph, f"{where}: a line break inside <p>{paragraph}</p>"
    outside_pre = re.sub(r"<pre>.*?</pre>", "", html, flags=re.DOTALL)
    for text in re.findall(r">([^<]*)<", outside_pre):  # every text run between two tags
        assert "\n" not in text.strip(), f"{where}: a line break inside the text {text!r}"
    assert html.count("<br") == line_breaks(source)["hardbreak"], f"{where}: a <br> from no explicit hard break"


def test_no_exported_answer_keeps_a_source_line_break(anki_collection: Any, tmp_path: Path) -> None:
    """The whole shipped bank (plus the rich card), as Anki stores it: every paragraph reflows on a phone."""
    shipped = load_bank()
    bank = Bank((*shipped.questions, rich_bank().questions[-1]), {**shipped.topic_titles, "alpha": "Alpha"})
    write_apkg(bank, tmp_path / "all.apkg", timestamp=T0)
    import_apkg(anki_collection, tmp_path / "all.apkg")
    notes = notes_by_id(anki_collection)
    assert len(notes) == len(bank.questions) and len(our_decks(anki_collection)) == len(bank.topics) + 1
    by_id: dict[str, Question] = {q.id: q for q in bank.questions}
    for qid, note in notes.items():
        assert_reflowed(note["Answer"], by_id[qid].answer, qid)
    assert sum(line_breaks(q.answer)["softbreak"] for q in bank.questions) > 100  # the bank does wrap its answers
