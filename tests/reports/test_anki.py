"""`quizdl export anki`: a valid .apkg (a zip holding an Anki SQLite collection) with notes and tags."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizdl.errors import QuizdlError
from quizdl.reports.anki import DECK_ROOT, MODEL_ID, anki_tag, markdown_to_html, stable_id, write_apkg
from tests.conftest import invoke
from tests.reports.history import small_bank
from tests.reports.test_cli import write_small_bank


def notes_in(apkg: Path, tmp_path: Path) -> list[tuple[str, list[str], list[str]]]:
    """(guid, fields, tags) of every note in the package."""
    with zipfile.ZipFile(apkg) as package:
        assert package.testzip() is None
        names = package.namelist()
        assert "collection.anki2" in names and "media" in names
        package.extract("collection.anki2", tmp_path)
    db = sqlite3.connect(tmp_path / "collection.anki2")
    try:
        rows = db.execute("SELECT guid, flds, tags, mid FROM notes ORDER BY id").fetchall()
        decks = db.execute("SELECT decks FROM col").fetchone()[0]
        cards = db.execute("SELECT count(*) FROM cards").fetchone()[0]
    finally:
        db.close()
    assert cards == len(rows) and all(mid == MODEL_ID for *_, mid in rows)
    ours = {int(i): d["name"] for i, d in json.loads(decks).items() if d["name"] != "Default"}
    assert ours and all(name.startswith(f"{DECK_ROOT}::") for name in ours.values())
    assert all(2**20 <= i < 2**31 for i in ours)  # stable_id("deck", topic), not genanki's time-based ids
    return [(guid, flds.split("\x1f"), tags.split()) for guid, flds, tags, _ in rows]


def test_apkg_holds_every_card_with_tags(tmp_path: Path) -> None:
    apkg = tmp_path / "deck.apkg"
    assert write_apkg(small_bank(), apkg) == (7, 3)
    notes = {fields[4]: (guid, fields, tags) for guid, fields, tags in notes_in(apkg, tmp_path)}
    assert sorted(notes) == ["a1", "a2", "a3", "b1", "b2", "g1", "g2"]
    _, fields, tags = notes["a2"]
    assert tags == ["alpha", "basics", "quizdl", "tricky_edge"]  # no spaces in Anki tags
    assert fields[0] == "Why is &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; | a &amp; b?"
    answer = "<p>The answer to a2: <strong>bold</strong> and <code>code</code>.</p>\n<ul>\n<li>a point</li>\n</ul>"
    assert fields[1] == answer
    assert fields[2] == "<li>first point</li><li>second point</li>" and fields[3] == "Alpha &amp; &lt;friends&gt;"
    # Stable ids: a second export has the same note guids (Anki updates instead of duplicating).
    again = tmp_path / "again.apkg"
    write_apkg(small_bank(), again)
    (tmp_path / "second").mkdir()
    assert sorted(g for g, *_ in notes_in(again, tmp_path / "second")) == sorted(g for g, *_ in notes.values())


def test_topic_filter_and_helpers(tmp_path: Path) -> None:
    apkg = tmp_path / "beta.apkg"
    assert write_apkg(small_bank(), apkg, ["beta"]) == (2, 1)
    assert sorted(f[4] for _, f, _ in notes_in(apkg, tmp_path)) == ["b1", "b2"]
    assert anki_tag(" two  words ") == "two_words" and markdown_to_html("<b>") == "<p>&lt;b&gt;</p>"
    assert stable_id("deck", "beta") == stable_id("deck", "beta") != stable_id("deck", "alpha")
    assert 2**20 <= MODEL_ID < 2**31


def test_deck_ids_are_stable_per_topic(tmp_path: Path) -> None:
    write_apkg(small_bank(), tmp_path / "deck.apkg")
    with zipfile.ZipFile(tmp_path / "deck.apkg") as package:
        package.extract("collection.anki2", tmp_path)
    db = sqlite3.connect(tmp_path / "collection.anki2")
    try:
        decks = json.loads(db.execute("SELECT decks FROM col").fetchone()[0])
    finally:
        db.close()
    titles = small_bank().topic_titles
    expected = {f"{DECK_ROOT}::{title}": stable_id("deck", topic) for topic, title in titles.items()}
    assert {d["name"]: int(i) for i, d in decks.items() if d["name"] != "Default"} == expected


def test_answers_render_as_markdown() -> None:
    """Paragraphs reflow (a source line break is a space), lists, code and tables are real HTML, raw HTML is text."""
    wrapped = markdown_to_html("A paragraph wrapped\nin the YAML source,\nthree lines.\n\nA second one.")
    assert wrapped == "<p>A paragraph wrapped in the YAML source, three lines.</p>\n<p>A second one.</p>"
    bullets = "Intro:\n- one, whose text\n  wraps\n- two"
    assert markdown_to_html(bullets) == "<p>Intro:</p>\n<ul>\n<li>one, whose text wraps</li>\n<li>two</li>\n</ul>"
    assert markdown_to_html("1. first\n2. second") == "<ol>\n<li>first</li>\n<li>second</li>\n</ol>"
    assert markdown_to_html("Use `x <= y` and **bold**, *it*, ~~not~~.") == (
        "<p>Use <code>x &lt;= y</code> and <strong>bold</strong>, <em>it</em>, <s>not</s>.</p>"
    )
    fence = "```python\nx = a < b\ny = 2\n```"
    assert markdown_to_html(fence) == '<pre><code class="language-python">x = a &lt; b\ny = 2\n</code></pre>'
    table = markdown_to_html("| loss | use |\n|---|---|\n| MSE | `reg` |")
    assert table.startswith("<table>\n<thead>\n<tr>\n<th>loss</th>") and "<td><code>reg</code></td>" in table
    assert table.endswith("</tbody>\n</table>")
    raw = markdown_to_html('<script>alert("x")</script>\n\nText with <b>tags</b> & <!-- a comment -->')
    assert "<script" not in raw and "<b>" not in raw and "<!--" not in raw
    assert raw == (
        "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>\n"
        "<p>Text with &lt;b&gt;tags&lt;/b&gt; &amp; &lt;!-- a comment --&gt;</p>"
    )
    assert markdown_to_html("[link](javascript:alert(1))") == "<p>[link](javascript:alert(1))</p>"
    # Only an explicit hard break (trailing backslash) gives a <br>, and no newline inside the paragraph.
    assert markdown_to_html("line one\\\nline two\nsame line") == "<p>line one<br>line two same line</p>"


def test_missing_genanki_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "genanki", None)  # `import genanki` now raises ImportError
    with pytest.raises(QuizdlError, match=r"pip install 'quizdl\[anki\]'"):
        write_apkg(small_bank(), tmp_path / "deck.apkg")
    assert not list(tmp_path.iterdir())


def test_cli(runner: CliRunner, tmp_path: Path) -> None:
    bank = write_small_bank(tmp_path / "bank")
    apkg = tmp_path / "deck.apkg"
    result = invoke(runner, ["export", "anki", "-o", str(apkg), "--topic", "gamma", "--bank", str(bank)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"wrote 2 notes in 1 decks to {apkg}"
    assert sorted(f[4] for _, f, _ in notes_in(apkg, tmp_path)) == ["g1", "g2"]
    bad = invoke(runner, ["export", "anki", "-o", str(apkg), "--topic", "nope", "--bank", str(bank)])
    assert bad.exit_code == 2 and bad.output.startswith("quizdl: error: --topic 'nope' is not a topic")
