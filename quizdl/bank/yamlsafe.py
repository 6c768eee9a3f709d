"""Strict YAML reading for question files: plain data only, with the line of every node.

yaml.safe_load alone is not enough for a bank: it silently keeps the last of two duplicate keys, expands
aliases (a "billion laughs" file would make validation walk billions of nodes), and gives no line numbers.
Here the C composer (when PyYAML has it) builds the node tree, and our own small constructor turns it into
Python objects, refusing aliases, duplicate keys and any tag outside the YAML core schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

try:  # the C parser is 5-10x faster; fall back to pure Python where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}


class YamlProblem(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class LocatedList(list):  # type: ignore[type-arg]
    """A list read from YAML, with the line where it starts (1-based)."""

    line: int = 0


@dataclass
class Located:
    """A mapping read from YAML, with the line of the mapping and of each key (1-based)."""

    value: dict[str, Any]
    line: int
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


def load(text: str) -> Any:
    """Parse `text`; mappings come back as `Located`. Raises YamlProblem with a 1-based line."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else 1
        context = ""
        if err.context and err.context_mark and err.context_mark is not mark:
            context = f" ({err.context} started at line {err.context_mark.line + 1})"
        raise YamlProblem(line, f"YAML syntax error: {err.problem or err.context}{context}") from None
    except yaml.reader.ReaderError as err:  # a control character such as NUL in the text
        line = text[: err.position].count("\n") + 1
        raise YamlProblem(line, f"character {err.character!r} is not allowed in YAML; remove it") from None
    except yaml.YAMLError as err:
        raise YamlProblem(1, f"YAML error: {str(err).splitlines()[0]}") from None
    if node is None:
        return None
    return _build(node, set(), _Loader(""))


def _build(node: yaml.Node, seen: set[int], loader: Any) -> Any:
    line = node.start_mark.line + 1
    if id(node) in seen:  # the composer reuses the anchored node object for every alias
        raise YamlProblem(line, "YAML anchors and aliases are not allowed in question files")
    seen.add(id(node))
    allowed = _SCALAR_TAGS if isinstance(node, yaml.ScalarNode) else {f"{_CORE}seq", f"{_CORE}map"}
    if node.tag not in allowed:
        tag = node.tag.replace(_CORE, "!!")
        raise YamlProblem(line, f"unsupported YAML tag {tag!r}: question files hold plain YAML values only")
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_object(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        items = LocatedList(_build(item, seen, loader) for item in node.value)
        items.line = line
        return items
    if isinstance(node, yaml.MappingNode):
        value: dict[str, Any] = {}
        key_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = _build(key_node, seen, loader)
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                raise YamlProblem(key_line, f"mapping keys must be text, got {key!r}")
            if key == "<<":
                raise YamlProblem(key_line, "YAML merge keys (<<) are not allowed in question files")
            if key in value:
                raise YamlProblem(key_line, f"duplicate key {key!r} (first at line {key_lines[key]})")
            value[key] = _build(value_node, seen, loader)
            key_lines[key] = key_line
        return Located(value, line, key_lines)
    raise YamlProblem(line, "unsupported YAML node")  # pragma: no cover
