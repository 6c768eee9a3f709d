"""The question bank as an Anki deck (.apkg), through genanki (optional: `pip install 'quizdl[anki]'`).

Ids are stable: the model and deck ids derive from fixed constants (and the topic), and each note's guid
from the question id, so importing a newer export into Anki updates the notes instead of duplicating them.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from quizdl.bank.model import Bank, Question
from quizdl.errors import QuizdlError
from quizdl.reports.files import atomic_path

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

ID_SEED = "quizdl.anki.v1"
DECK_ROOT = "quizdl: deep-learning interviews"
FIELDS = ("Question", "Answer", "Key points", "Topic", "Id")
CSS = """.card{font-family:system-ui,-apple-system,sans-serif;font-size:18px;text-align:left;color:#1f2328;
background:#fff;line-height:1.45;padding:8px}.topic{color:#57606a;font-size:13px}code{font-size:15px}
ul.points{margin-top:10px;color:#1a7f37}pre{overflow-x:auto;background:#f6f8fa;padding:6px 8px}
table{border-collapse:collapse}th,td{border:1px solid #d0d7de;padding:2px 6px}"""
QFMT = '<div class="topic">{{Topic}}</div>{{Question}}'
AFMT = '{{FrontSide}}<hr id="answer">{{Answer}}<ul class="points">{{Key points}}</ul>'


def stable_id(*parts: str) -> int:
    """A 31-bit positive id (what Anki expects for models and decks) derived from ID_SEED and `parts`."""
    digest = hashlib.sha256("/".join((ID_SEED, *parts)).encode("utf-8")).digest()
    return (int.from_bytes(digest[:8], "big") % (2**31 - 2**20)) + 2**20


MODEL_ID = stable_id("model")


def anki_tag(text: str) -> str:
    """Anki tags cannot contain spaces: runs of whitespace become '_'."""
    return re.sub(r"\s+", "_", text.strip())


@cache
def _markdown() -> MarkdownIt:
    """CommonMark with GFM tables and strikethrough (what the terminal renders, through rich), no raw HTML."""
    from markdown_it import MarkdownIt  # installed with rich

    md = MarkdownIt("commonmark", {"html": False, "xhtmlOut": False}).enable(["table", "strikethrough"])
    # A source line break inside a paragraph is only YAML wrapping: a space, so the text reflows on a phone.
    md.add_render_rule("softbreak", lambda *_: " ")
    # An explicit hard break (a trailing backslash or two spaces) is the author's: kept, as one tag.
    md.add_render_rule("hardbreak", lambda *_: "<br>")
    return md


def markdown_to_html(text: str) -> str:
    """An answer's Markdown as HTML: reflowed <p>, <ul>/<ol>, <code>, <pre><code>, <table>; HTML in the text is escaped."""
    return _markdown().render(text).strip()


def _note_fields(q: Question, title: str) -> list[str]:
    points = "".join(f"<li>{escape(p)}</li>" for p in q.key_points)
    return [escape(q.question), markdown_to_html(q.answer), points, escape(title), escape(q.id)]


def write_apkg(
    bank: Bank, path: Path, topics: list[str] | None = None, *, timestamp: float | None = None
) -> tuple[int, int]:
    """Write the (optionally topic-restricted) bank as an .apkg, whole or not at all; returns (notes, decks).

    Every note gets `timestamp` (default: now) as its modification time. Anki's importer updates an existing
    note (same guid) only when the incoming one is strictly newer, so a later export replaces the cards' text.
    """
    try:
        import genanki
    except ImportError:
        raise QuizdlError("the Anki export needs genanki: run `pip install 'quizdl[anki]'`") from None
    model = genanki.Model(
        MODEL_ID,
        "quizdl card",
        fields=[{"name": f} for f in FIELDS],
        templates=[{"name": "Recall", "qfmt": QFMT, "afmt": AFMT}],
        css=CSS,
    )
    questions = bank.select(topics)
    decks: dict[str, genanki.Deck] = {}
    for q in questions:
        title = bank.topic_titles.get(q.topic, q.topic)
        if q.topic not in decks:
            decks[q.topic] = genanki.Deck(stable_id("deck", q.topic), f"{DECK_ROOT}::{title}")
        tags = sorted({anki_tag(t) for t in ("quizdl", q.topic, *q.tags) if t.strip()})
        decks[q.topic].add_note(
            genanki.Note(model=model, fields=_note_fields(q, title), tags=tags, guid=genanki.guid_for(ID_SEED, q.id))
        )
    if not questions:
        raise QuizdlError("no card to export (check --topic)")
    with atomic_path(Path(path), ".apkg") as tmp:
        genanki.Package(list(decks.values())).write_to_file(str(tmp), timestamp=timestamp)
    return len(questions), len(decks)
