"""A fast reader for the plain shape most manifests have, and a refusal for anything else.

`import --split` and most hand-written manifests are one document of block mappings, one
`key: value` a line: plain or quoted text, one-line flow mappings and lists of plain text,
block lists of such values, blank and comment lines. `read_plain` reads exactly that shape
with one regular expression a line and builds what `yamlparse` builds from libyaml's events
(the same values, key and value positions, in the same order), at about a third of the CPU:
libyaml's events come through PyYAML as a Python object and two marks each.

Anything outside that shape (tags, anchors, aliases, block scalars, multi-line text,
duplicate keys, a `#` after a value, tabs, line breaks other than `\\n`, control
characters, more than one document, deep nesting, many values) is refused (None), and
`yamlparse` reads the text in full, so every verdict and message is its own. The shape is
kept narrow on purpose: each construct it takes is one on which libyaml and PyYAML's
pure-Python parser agree (tests/manifest/test_yamlfast.py compares them over generated
texts).
"""

from __future__ import annotations

import re
from typing import Any

from rampctl.manifest.position import FieldPath, Places, Position

MAX_VALUES = 50_000
"""Most values a text read here may hold (more: the full reader applies its limits)."""
MAX_LEVELS = 32
"""Deepest nesting read here (deeper: the full reader applies its limits)."""

_KEY = r"[A-Za-z0-9_][A-Za-z0-9_./-]*"
#: What a plain scalar may not begin with (an indicator, or a space).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@` ")
#: Text YAML reads as one plain scalar in a flow collection (no indicator first, no space
#: at either end, none of `,?[]{}`, which end it there; `:` and `#` not at all).
_FLOW_PLAIN = r"[^\s\-?:,\[\]{}#&*!|>'\"%@`](?:[^:#,?\[\]{}]*[^\s:#,?\[\]{}])?"
#: A line: its indentation, then `key:` or `-`, then (after spaces) a value ending in a
#: character that is not a space.
_LINE = re.compile(rf"( *)(?:({_KEY}):|-)(?: +(\S(?:.*\S)?))?")
_BLANK = re.compile(r" *(?:#.*)?")
_FLOW_MAP = re.compile(rf"\{{(?:{_KEY}: {_FLOW_PLAIN}(?:, {_KEY}: {_FLOW_PLAIN})*)?\}}")
_FLOW_MAP_ITEM = re.compile(rf"({_KEY}): ({_FLOW_PLAIN})")
_FLOW_SEQ = re.compile(rf"\[(?:{_FLOW_PLAIN}(?:, {_FLOW_PLAIN})*)?\]")
_FLOW_SEQ_ITEM = re.compile(_FLOW_PLAIN)
_DOUBLE = re.compile(r'"([^"\\]*)"')
_SINGLE = re.compile(r"'((?:[^']|'')*)'")
#: Every character YAML accepts in a file, less tabs, `\r`, the other line breaks of YAML
#: 1.1 (U+0085, U+2028, U+2029) and a byte order mark.
_CHARS = re.compile(
    "[\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*"
)
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


class _Refused(Exception):
    """The text is not of the plain shape."""


def read_plain(text: str, file: str) -> tuple[Any, Position, Places, Places] | None:
    """The one document of `text` as (value, start, key positions, value positions), as
    `yamlparse` reads it; None when `text` is not of the plain shape."""
    if _CHARS.fullmatch(text) is None:
        return None
    try:
        return _Reader(file).read(text)
    except _Refused:
        return None


class _Reader:
    """Reads the plain shape line by line, as a stack of open block collections."""

    __slots__ = ("file", "key_paths", "key_places", "value_paths", "value_places")

    def __init__(self, file: str) -> None:
        self.file = file
        self.key_paths: list[FieldPath] = []
        self.key_places: list[int] = []
        self.value_paths: list[FieldPath] = []
        self.value_places: list[int] = []

    def read(self, text: str) -> tuple[Any, Position, Places, Places]:
        """Read the whole text; raise _Refused when it is not of the plain shape."""
        key_paths, key_places = self.key_paths, self.key_places
        value_paths, value_places = self.value_paths, self.value_places
        root: dict[str, Any] = {}
        start: Position | None = None
        # Open collections, innermost last: (indentation, container, path).
        stack: list[tuple[int, Any, FieldPath]] = []
        # A `key:` with nothing after it, whose value is on the lines below or is null:
        # (indentation, mapping, key, path, line, column of its null).
        pending: tuple[int, dict[str, Any], str, FieldPath, int, int] | None = None
        match_line, blank = _LINE.fullmatch, _BLANK.fullmatch
        for number, line in enumerate(text.split("\n"), 1):
            found = match_line(line)
            if found is None:
                if blank(line) is None:
                    raise _Refused
                continue
            spaces, key, rest = found.groups()
            indent = len(spaces)
            if pending is not None:
                if indent > pending[0]:
                    made: Any = {} if key is not None else []
                    pending[1][pending[2]] = made
                    value_paths.append(pending[3])
                    value_places += (number, indent + 1)
                    stack.append((indent, made, pending[3]))
                    if len(stack) > MAX_LEVELS:
                        raise _Refused
                else:
                    pending[1][pending[2]] = None
                    value_paths.append(pending[3])
                    value_places += (pending[4], pending[5])
                pending = None
            elif start is None:
                if indent or key is None:
                    raise _Refused
                start = Position(self.file, number, 1)
                value_paths.append(())
                value_places += (number, 1)
                stack.append((0, root, ()))
            while indent < stack[-1][0]:
                stack.pop()
                if not stack:
                    raise _Refused
            top, container, path = stack[-1]
            if indent != top:
                raise _Refused
            if key is not None:
                if type(container) is not dict or key in container:
                    raise _Refused
                here: FieldPath = (*path, key)
                key_paths.append(here)
                key_places += (number, indent + 1)
                if rest is None:
                    pending = (indent, container, key, here, number, indent + len(key) + 2)
                    continue
                container[key] = self._value(rest, here, number, found.start(3) + 1)
            else:
                if type(container) is not list or rest is None:
                    raise _Refused
                here = (*path, len(container))
                key_paths.append(here)
                key_places += (number, found.start(3) + 1)
                container.append(self._value(rest, here, number, found.start(3) + 1))
        if start is None:
            raise _Refused
        if pending is not None:
            pending[1][pending[2]] = None
            value_paths.append(pending[3])
            value_places += (pending[4], pending[5])
        if len(value_paths) > MAX_VALUES:
            raise _Refused
        keys = Places(self.file, tuple(key_paths), tuple(key_places))
        values = Places(self.file, tuple(value_paths), tuple(value_places))
        return root, start, keys, values

    def _value(self, text: str, path: FieldPath, line: int, col: int) -> Any:
        """The value written as `text` at `line`:`col` (the rest of a line), recorded at
        `path`; raise _Refused for anything but one-line text and flow collections."""
        self.value_paths.append(path)
        self.value_places += (line, col)
        first = text[0]
        if first == "{":
            return self._flow_mapping(text, path, line, col)
        if first == "[":
            return self._flow_sequence(text, path, line, col)
        if first == '"':
            found = _DOUBLE.fullmatch(text)
            if found is None:
                raise _Refused
            return found.group(1)
        if first == "'":
            found = _SINGLE.fullmatch(text)
            if found is None:
                raise _Refused
            return found.group(1).replace("''", "'")
        # one plain scalar: no indicator first, no `: ` (a key) or ` #` (a comment) inside,
        # no `:` last (a key); `_LINE` took it without spaces at either end
        if first in _INDICATORS or ": " in text or " #" in text or text[-1] == ":":
            raise _Refused
        return None if text in _NULLS else text

    def _flow_mapping(self, text: str, path: FieldPath, line: int, col: int) -> dict[str, Any]:
        if _FLOW_MAP.fullmatch(text) is None:
            raise _Refused
        made: dict[str, Any] = {}
        for item in _FLOW_MAP_ITEM.finditer(text):
            key, value = item.groups()
            if key in made:
                raise _Refused
            here = (*path, key)
            self.key_paths.append(here)
            self.key_places += (line, col + item.start(1))
            self.value_paths.append(here)
            self.value_places += (line, col + item.start(2))
            made[key] = None if value in _NULLS else value
        return made

    def _flow_sequence(self, text: str, path: FieldPath, line: int, col: int) -> list[Any]:
        if _FLOW_SEQ.fullmatch(text) is None:
            raise _Refused
        made: list[Any] = []
        for item in _FLOW_SEQ_ITEM.finditer(text):
            value = item.group()
            here = (*path, len(made))
            self.key_paths.append(here)
            self.key_places += (line, col + item.start())
            self.value_paths.append(here)
            self.value_places += (line, col + item.start())
            made.append(None if value in _NULLS else value)
        return made
