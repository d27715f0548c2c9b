"""A fast reader for the plain shape most manifests have, and a refusal for anything else.

`import --split` and most hand-written manifests are block mappings, one `key: value` a
line: plain or quoted text, one-line flow mappings and lists of such text, block lists of
such values or of mappings (`- key: value`), comments, blank lines and `---` between
documents. `read_plain` reads exactly that shape with one regular expression a line (each
distinct short line once) and builds what `yamlparse` builds from libyaml's events (the
same values, key and value positions, in the same order), at well under half the CPU:
libyaml's events come through PyYAML as a Python object and two marks each.

Anything outside that shape (tags, anchors, aliases, block scalars, multi-line text,
escapes in quotes, duplicate keys, tabs, line breaks other than `\\n`, control characters,
directives, `...`, deep nesting, many values) is refused (None), and `yamlparse` reads the
text in full, so every verdict and message is its own. The shape is kept narrow on
purpose: each construct it takes is one on which libyaml and PyYAML's pure-Python parser
agree (tests/manifest/test_yamlfast.py compares them over generated texts).
"""

from __future__ import annotations

import re
from typing import Any

from rampctl.manifest.position import FieldPath, Places, Position

MAX_VALUES = 50_000
"""Most values a text read here may hold (more: the full reader applies its limits; the
values of a text are counted once it is read)."""
MAX_LEVELS = 32
"""Deepest nesting read here (deeper: the full reader applies its limits)."""

#: A plain key of at most 1,024 characters: YAML (libyaml and PyYAML alike) refuses a
#: longer one before its `:`, so a longer key is left to the full reader's error.
_KEY = r"[A-Za-z0-9_][A-Za-z0-9_./-]{0,1023}"
#: What a plain scalar may not begin with (an indicator, or a space).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@` ")
#: Text YAML reads as one plain scalar in a flow collection (no indicator first, no space
#: at either end, none of `,?[]{}`, which end it there; `:` and `#` not at all).
_FLOW_PLAIN = r"[^\s\-?:,\[\]{}#&*!|>'\"%@`](?:[^:#,?\[\]{}]*[^\s:#,?\[\]{}])?"
#: A line: its indentation, then `key:` or `-`, then (after spaces) a value ending in a
#: character that is not a space.
_LINE = re.compile(rf"( *)(?:({_KEY}):|-)(?: +(\S(?:.*\S)?))?")
_BLANK = re.compile(r" *(?:#.*)?")
#: A value in a flow collection: plain, or quoted on one line without escapes.
_FLOW_VALUE = rf"""({_FLOW_PLAIN}|"[^"\\]*"|'(?:[^']|'')*')"""
#: One entry of a flow mapping or list, then `, ` or the end of the collection and line
#: (groups: key, value as written, end), a comment allowed after the end.
_FLOW_MAP_ITEM = re.compile(rf"({_KEY}): {_FLOW_VALUE}(?:, |(\}})(?: +#.*)?\Z)")
_FLOW_SEQ_ITEM = re.compile(rf"(){_FLOW_VALUE}(?:, |(\])(?: +#.*)?\Z)")
_OPENERS = frozenset("{[\"'")
_TRAILER = re.compile(r"(?: +#.*)?")
"""What may follow a value on its line: nothing, or a comment."""
#: Quoted text (on one line, no escapes), a comment allowed after it.
_DOUBLE = re.compile(r'"([^"\\]*)"(?: +#.*)?')
_SINGLE = re.compile(r"'((?:[^']|'')*)'(?: +#.*)?")
#: Every character YAML accepts in a file, less tabs, `\r`, the other line breaks of YAML
#: 1.1 (U+0085, U+2028, U+2029) and a byte order mark.
_CHARS = re.compile(
    "[\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*"
)
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


class _Refused(Exception):
    """The text is not of the plain shape."""


Document = tuple[Any, Position, Places, Places]
"""One document as `read_plain` reads it: value, start, key and value positions."""


def read_plain(text: str, file: str) -> list[Document] | None:
    """The documents of `text` as `yamlfast` reads them (empty ones left out); None when
    `text` is not of the plain shape."""
    if _CHARS.fullmatch(text) is None:
        return None
    lines = text.split("\n")
    if "---" not in lines:  # one document
        try:
            document = _Reader(file).read(lines, 0, len(lines))
        except _Refused:
            return None
        if document is None or len(document[3]) > MAX_VALUES:
            return None
        return [document]
    # documents are separated by `---` lines (a first one may open the text)
    ends = [n for n, line in enumerate(lines) if line == "---"]
    starts = [0, *(n + 1 for n in ends)]
    documents = []
    values = 0
    try:
        for first, end in zip(starts, [*ends, len(lines)], strict=True):
            document = _Reader(file).read(lines, first, end)
            if document is not None:
                documents.append(document)
                values += len(document[3])
    except _Refused:
        return None
    return documents if documents and values <= MAX_VALUES else None


#: What a line is (`_Line.kind`): a plain value, a flow collection or quoted text (read by
#: `_Reader._value`), a `key:` or `-` with nothing after it, `- key: ...` (a mapping as an
#: item of a list, its first key on the line), a blank or comment line, or something this
#: reader refuses.
_VALUE, _FLOW, _PENDING, _ITEM_MAP, _SKIP, _REFUSE = range(6)
_Line = tuple[int, "str | None", "str | None", int, int, Any]
"""A line as `_classify` reads it: indentation, key (None for `-`), the text after it,
the column of that text (of where a null would be, when there is none), kind, and the
value of a plain scalar (for `- key: ...`, the line from `key` on as `_classify` reads it,
at its column)."""
_SEEN: dict[str, _Line] = {}
"""Lines already classified (most lines of a business's manifests are the same few:
`kind: Vendor`, `spec:`, `  country: US`); at most `_SEEN_MAX` of them, none longer
than `_SEEN_LONGEST` characters."""
_SEEN_MAX = 8192
_SEEN_LONGEST = 120


def _classify(line: str) -> _Line:
    """What `line` is, remembered in `_SEEN` while there is room."""
    found = _LINE.fullmatch(line)
    if found is None:
        kind = _SKIP if _BLANK.fullmatch(line) is not None else _REFUSE
        return (0, None, None, 0, kind, None)
    spaces, key, rest = found.groups()
    indent = len(spaces)
    value: Any = None
    if rest is not None and rest[0] == "#":  # nothing but a comment after the key
        rest = None
    if rest is None:
        col, kind = indent + len(key or "-") + 2, _PENDING
    else:
        col, opener = found.start(3) + 1, rest[0]
        if opener not in _OPENERS and " #" in rest:  # plain text, then a comment
            rest = rest[: rest.index(" #")].rstrip(" ")
        if opener in _OPENERS:
            kind = _FLOW  # quoted text or a flow collection (`_value` reads a comment after)
        elif key is None and (": " in rest or rest[-1] == ":"):
            value = _classify(" " * (col - 1) + rest)  # `- key: ...`, or refused
            kind = _ITEM_MAP if value[1] is not None and value[4] != _REFUSE else _REFUSE
        elif opener in _INDICATORS or ": " in rest or rest[-1] == ":":
            kind = _REFUSE  # not one plain scalar: an indicator first, or a key inside
        else:
            kind, value = _VALUE, None if rest in _NULLS else rest
    parsed = (indent, key, rest, col, kind, value)
    if len(line) <= _SEEN_LONGEST and len(_SEEN) < _SEEN_MAX:
        _SEEN[line] = parsed
    return parsed


class _Reader:
    """Reads the plain shape line by line, as a stack of open block collections."""

    __slots__ = ("file", "key_paths", "key_places", "value_paths", "value_places")

    def __init__(self, file: str) -> None:
        self.file = file
        self.key_paths: list[FieldPath] = []
        self.key_places: list[int] = []
        self.value_paths: list[FieldPath] = []
        self.value_places: list[int] = []

    def read(self, lines: list[str], first: int, end: int) -> Document | None:
        """Read the document of `lines[first:end]` (None when it has no content); raise
        _Refused when it is not of the plain shape.

        One loop, its common case inline (a method call a line would add a quarter): the
        open collection is kept in locals (`top`: its indentation, `container`, `path`,
        `is_map`), the ones around it on `stack`; a `key:` with nothing after it is pending
        (`pending_key` and its path, and where its null would be) until the next line says
        whether a collection opens below it.
        """
        key_paths, key_places = self.key_paths, self.key_places
        value_paths, value_places = self.value_paths, self.value_places
        blank = _BLANK.fullmatch
        while first < end and blank(lines[first]) is not None:
            first += 1
        if first == end:
            return None
        if not lines[first][:1].strip():  # indented
            raise _Refused
        root: dict[str, Any] = {}
        value_paths.append(())
        value_places += (first + 1, 1)
        stack: list[tuple[int, Any, FieldPath, bool]] = []
        container: Any = root
        path: FieldPath = ()
        top, is_map = 0, True
        pending_key: str | None = None
        pending_path: FieldPath = ()
        pending_line = pending_col = 0
        here: FieldPath
        made: Any
        seen = _SEEN.get
        for number, line in enumerate(lines[first:end], first + 1):
            indent, key, rest, col, kind, value = seen(line) or _classify(line)
            if kind != _VALUE:
                if kind == _SKIP:
                    continue
                if kind == _REFUSE:
                    raise _Refused
            if pending_key is not None:
                value_paths.append(pending_path)
                if indent > top:  # a collection opens below the key
                    made = {} if key is not None else []
                    container[pending_key] = made
                    value_places += (number, indent + 1)
                    stack.append((top, container, path, is_map))
                    if len(stack) > MAX_LEVELS:
                        raise _Refused
                    top, container, path, is_map = indent, made, pending_path, key is not None
                else:
                    container[pending_key] = None
                    value_places += (pending_line, pending_col)
                pending_key = None
            if indent != top:
                while indent < top:
                    top, container, path, is_map = stack.pop()
                if indent != top:
                    raise _Refused
            if kind == _ITEM_MAP:  # a mapping as an item, its first key on this line
                if is_map:
                    raise _Refused
                here = (*path, len(container))
                key_paths.append(here)
                key_places += (number, col)
                value_paths.append(here)
                value_places += (number, col)
                made = {}
                container.append(made)
                stack.append((top, container, path, is_map))
                if len(stack) > MAX_LEVELS:
                    raise _Refused
                top, container, path, is_map = col - 1, made, here, True
                indent, key, rest, col, kind, value = value
            if key is not None:
                if not is_map or key in container:
                    raise _Refused
                here = (*path, key)
                key_paths.append(here)
                key_places += (number, indent + 1)
                if kind == _PENDING:
                    pending_key, pending_path = key, here
                    pending_line, pending_col = number, col
                    continue
            else:
                if is_map or kind == _PENDING:
                    raise _Refused
                here = (*path, len(container))
                key_paths.append(here)
                key_places += (number, col)
            value_paths.append(here)
            value_places += (number, col)
            if kind == _FLOW:
                value = self._value(str(rest), here, number, col)
            if is_map:
                container[key] = value
            else:
                container.append(value)
        if pending_key is not None:
            container[pending_key] = None
            value_paths.append(pending_path)
            value_places += (pending_line, pending_col)
        keys = Places(self.file, tuple(key_paths), tuple(key_places))
        values = Places(self.file, tuple(value_paths), tuple(value_places))
        return root, Position(self.file, first + 1, 1), keys, values

    def _value(self, text: str, path: FieldPath, line: int, col: int) -> Any:
        """The value written as `text` (a flow collection or quoted text) at `line`:`col`,
        its contents recorded below `path`; raise _Refused for anything else."""
        first = text[0]
        if first == "{":
            return self._flow(text, path, line, col, {}, _FLOW_MAP_ITEM, "{}")
        if first == "[":
            return self._flow(text, path, line, col, [], _FLOW_SEQ_ITEM, "[]")
        found = (_DOUBLE if first == '"' else _SINGLE).fullmatch(text)
        if found is None:
            raise _Refused
        return found.group(1) if first == '"' else found.group(1).replace("''", "'")

    def _flow(
        self, text: str, path: FieldPath, line: int, col: int, made: Any, item: Any, empty: str
    ) -> Any:
        """A one-line flow mapping or list of text (`made` empty, `item` the pattern of one
        entry and what follows it)."""
        if text.startswith(empty) and _TRAILER.fullmatch(text, 2) is not None:
            return made
        key_paths, key_places = self.key_paths, self.key_places
        value_paths, value_places = self.value_paths, self.value_places
        is_map = type(made) is dict
        pos = 1
        while True:
            found = item.match(text, pos)
            if found is None:
                raise _Refused
            key, value, end = found.groups()
            quote = value[0]
            if quote == '"':
                value = value[1:-1]
            elif quote == "'":
                value = value[1:-1].replace("''", "'")
            elif value in _NULLS:
                value = None
            if is_map:
                if key in made:
                    raise _Refused
                here = (*path, key)
                key_places += (line, col + pos)
                made[key] = value
            else:
                here = (*path, len(made))
                key_places += (line, col + pos)
                made.append(value)
            key_paths.append(here)
            value_paths.append(here)
            value_places += (line, col + found.start(2))
            if end:
                return made
            pos = found.end()
