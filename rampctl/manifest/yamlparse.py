"""Lossless, bounded YAML parsing that remembers where every key and value came from.

libyaml's parser (or PyYAML's pure-Python one) gives the events of the text (never
`yaml.load`); this module builds plain values from them in one pass: every scalar stays the
text it was written as (`NO`, `02134`, `+14155550100`, `12:30`), only a
plain `null`/`~`/empty value becomes None. Typing is left to the pydantic specs. Duplicate keys,
tags other than `!!str`, merge keys, complex keys, too many aliases, too deep nesting, too many
nodes and oversized files are reported as problems.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from rampctl.errors import Problem
from rampctl.manifest.position import FieldPath, Places, Position
from rampctl.manifest.yamlfast import read_plain

_CParser: Any
try:  # libyaml's parser alone: events are all this module reads (no constructor, no resolver)
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _CParser = None

MAX_FILE_BYTES = 1_048_576
"""Largest manifest, variables file or rendered template accepted (1 MiB)."""
MAX_ALIASES = 32
"""Most aliases (`*name`) one file may use."""
MAX_DEPTH = 48
"""Deepest nesting of mappings and sequences."""
MAX_NODES = 100_000
"""Most values one file may expand to (counting aliased content each time it is used)."""

_STD = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {None, "!", _STD + "str", _STD + "map", _STD + "seq"}
_NULL_TAG = _STD + "null"
_MERGE_TAG = _STD + "merge"
_CLoader: Any = _CParser
_FAST = True
"""Whether `parse_yaml` tries `yamlfast.read_plain` first (tests turn it off to read every
text through the events)."""
_SCALAR_EVENT = yaml.ScalarEvent
_MAPPING_START = yaml.MappingStartEvent
_SEQUENCE_START = yaml.SequenceStartEvent
_ENDS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


@dataclass(frozen=True, kw_only=True)
class RawDocument:
    """One YAML document as plain values, with the position of every key and value (the
    keys in the order they are written)."""

    value: Any
    start: Position
    keys: Mapping[FieldPath, Position] = field(default_factory=dict)
    values: Mapping[FieldPath, Position] = field(default_factory=dict)


class ParseFailure(Exception):
    """The file cannot be read as YAML; carries the problems found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems


class _Fatal(Exception):
    """A limit was passed or an alias cannot be resolved: the file is not read further."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _pos(file: str, mark: Any) -> Position:
    return Position(file, mark.line + 1, mark.column + 1)


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_STD) :] if tag.startswith(_STD) else tag


def _problem(file: str, mark: Any, message: str) -> Problem:
    return Problem(file=file, line=mark.line + 1, col=mark.column + 1, message=message)


_WANT_KEY: Any = object()
"""A mapping frame's `key` while its next node is a key."""
_SKIP: Any = object()
"""A mapping frame's `key` while its next value is dropped (after a rejected key)."""


class _Frame:
    """An open mapping or sequence: where its children go and what it is (`container` is
    None while a dropped subtree is skipped)."""

    __slots__ = ("anchor", "container", "depth", "first", "key", "path")

    def __init__(self, container: Any, path: FieldPath, depth: int, anchor: str | None) -> None:
        self.container = container
        self.path = path
        self.depth = depth
        self.anchor = anchor
        #: In a mapping: _WANT_KEY, _SKIP or the key whose value comes next; else None.
        self.key: Any = _WANT_KEY if type(container) is dict else None
        self.first: dict[str, int] = {}


@dataclass
class _Anchor:
    """An anchored node: its events (`start`..`end` in the document's log) and position."""

    start: int
    mark: Any
    scalar: tuple[str, bool, bool] | None = None
    end: int | None = None


class _Builder:
    """Builds plain values and positions from a YAML event stream in one pass.

    Events come from libyaml or from PyYAML's pure-Python parser; both are turned into
    values the same way. Checks follow the YAML text as written (tags, aliases, nesting);
    values count as they expand (an alias counts its whole content each time it is used).
    Anchored content is logged while it is read and replayed where an alias uses it.
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self.nodes = 0
        self.aliases = 0
        self.tag_problems: list[Problem] = []
        self.problems: list[Problem] = []
        self.documents: list[RawDocument] = []
        # One list each for the whole stream (`feed` holds them), emptied at each document.
        self.stack: list[_Frame] = []
        #: Key and value positions as read: paths, and their lines and columns in turn.
        self.key_paths: list[FieldPath] = []
        self.key_places: list[int] = []
        self.value_paths: list[FieldPath] = []
        self.value_places: list[int] = []
        self._start_document()

    def _start_document(self) -> None:
        for each in (self.stack, self.key_paths, self.key_places):
            each.clear()
        self.value_paths.clear()
        self.value_places.clear()
        self.anchors: dict[str, _Anchor] = {}
        self.log: list[tuple[Any, ...]] = []
        self.recording = 0
        self.root: Any = None
        self.start: Position | None = None
        self.deferred: Problem | None = None

    def feed(self, next_event: Callable[[], Any]) -> list[RawDocument]:
        """Consume every event of a stream (`next_event` gives None after the last); raise
        _Fatal or yaml.YAMLError on a problem.

        The common case is done inline, in this loop (a file is mostly such events, and a
        method call for each cost about 3 us a vendor file more): an untagged, unanchored
        node that is a new plain key, the value of a key or an item, not while anchored
        content is recorded and away from every limit. Anything else goes through the
        methods below.
        """
        stack, key_paths, key_places = self.stack, self.key_paths, self.key_places
        value_paths, value_places = self.value_paths, self.value_places
        while (event := next_event()) is not None:
            kind = type(event)
            if kind is _SCALAR_EVENT or kind is _MAPPING_START or kind is _SEQUENCE_START:
                if (
                    event.anchor is None
                    and event.tag is None
                    and stack
                    and not self.recording
                    and self.deferred is None
                    and len(stack) < MAX_DEPTH
                    and self.nodes < MAX_NODES
                ):
                    parent = stack[-1]
                    container, key, mark = parent.container, parent.key, event.start_mark
                    if container is None or parent.depth >= MAX_DEPTH or key is _SKIP:
                        pass
                    elif key is _WANT_KEY:
                        value = event.value if kind is _SCALAR_EVENT else None
                        if value is not None and value not in container and value != "<<":
                            parent.first[value] = mark.line + 1
                            key_paths.append((*parent.path, value))
                            key_places += (mark.line + 1, mark.column + 1)
                            parent.key = value
                            continue
                    else:
                        self.nodes += 1
                        if kind is _SCALAR_EVENT:
                            value = event.value
                            made = None if event.implicit[0] and value in _NULLS else value
                        else:
                            made = {} if kind is _MAPPING_START else []
                        if key is None:  # an item of a sequence
                            path = (*parent.path, len(container))
                            key_paths.append(path)
                            key_places += (mark.line + 1, mark.column + 1)
                            container.append(made)
                        else:
                            path = (*parent.path, key)
                            container[key] = made
                            parent.key = _WANT_KEY
                        value_paths.append(path)
                        value_places += (mark.line + 1, mark.column + 1)
                        if kind is not _SCALAR_EVENT:
                            stack.append(_Frame(made, path, parent.depth + 1, None))
                        continue
                if kind is _SCALAR_EVENT:
                    self._scalar_event(event)
                else:
                    self._start_event(event, kind is _MAPPING_START)
            elif kind in _ENDS:
                self._end_event()
            elif kind is yaml.AliasEvent:
                self._alias_event(event)
            elif kind is yaml.DocumentEndEvent:
                self._end_document()
        return self.documents

    # -- the text as written: checks and the log of anchored content ------------------------

    def _scalar_event(self, event: Any) -> None:
        anchor = self._text_node(event)
        null, merge = _scalar_flags(event)
        if self.recording or anchor is not None:
            self.log.append(("scalar", event.value, null, merge, event.start_mark))
        if anchor is not None:
            anchor.scalar = (event.value, null, merge)
            anchor.end = len(self.log)
        self._scalar(event.value, null, merge, event.start_mark)

    def _start_event(self, event: Any, mapping: bool) -> None:
        anchor = self._text_node(event)
        if anchor is not None:
            self.recording += 1
        if self.recording:
            self.log.append(("open", mapping, event.start_mark))
        self._open(mapping, event.start_mark, event.anchor)

    def _end_event(self) -> None:
        if self.recording:
            self.log.append(("close",))
        frame = self.stack.pop()
        if frame.anchor is not None:
            self.anchors[frame.anchor].end = len(self.log)
            self.recording -= 1

    def _text_node(self, event: Any) -> _Anchor | None:
        tag = event.tag
        if tag not in _ALLOWED_TAGS:
            message = f"tag '{_show_tag(str(tag))}' is not allowed; values are read as text"
            self.tag_problems.append(_problem(self.file, event.start_mark, message))
        if len(self.stack) >= MAX_DEPTH:
            self._fatal(event.start_mark, f"nesting deeper than {MAX_DEPTH} levels")
        return None if event.anchor is None else self._define(event.anchor, event)

    def _alias_event(self, event: Any) -> None:
        self.aliases += 1
        if self.aliases > MAX_ALIASES:
            self._fatal(event.start_mark, f"more than {MAX_ALIASES} aliases in one file")
        if len(self.stack) >= MAX_DEPTH:
            self._fatal(event.start_mark, f"nesting deeper than {MAX_DEPTH} levels")
        if event.anchor not in self.anchors:
            raise yaml.composer.ComposerError(
                None, None, f"found undefined alias {event.anchor!r}", event.start_mark
            )
        if self.recording:
            self.log.append(("alias", event.anchor))
        self._alias(event.anchor)

    def _define(self, anchor: str, event: Any) -> _Anchor:
        if anchor in self.anchors:
            raise yaml.composer.ComposerError(
                f"found duplicate anchor {anchor!r}; first occurrence",
                self.anchors[anchor].mark,
                "second occurrence",
                event.start_mark,
            )
        entry = _Anchor(start=len(self.log), mark=event.start_mark)
        self.anchors[anchor] = entry
        return entry

    def _fatal(self, mark: Any, message: str) -> None:
        raise _Fatal(_problem(self.file, mark, message))

    # -- building values ----------------------------------------------------------------------

    def _scalar(self, value: str, null: bool, merge: bool, mark: Any) -> None:
        parent = self.stack[-1] if self.stack else None
        if parent is not None and parent.key is _WANT_KEY and parent.container is not None:
            self._key(parent, value, merge, mark)
            return
        path, _ = self._place(parent, mark)
        if path is not None:
            self._attach(parent, path, None if null else value)
        elif parent is not None and parent.key is _SKIP:
            parent.key = _WANT_KEY

    def _open(self, mapping: bool, mark: Any, anchor: str | None) -> None:
        parent = self.stack[-1] if self.stack else None
        if parent is not None and parent.key is _WANT_KEY and parent.container is not None:
            self.problems.append(_problem(self.file, mark, "keys must be plain text"))
            parent.key = _SKIP
            self.stack.append(_Frame(None, (), 0, anchor))
            return
        path, depth = self._place(parent, mark)
        container: dict[str, Any] | list[Any] | None = None
        if path is not None:
            container = {} if mapping else []
            self._attach(parent, path, container)
        elif parent is not None and parent.key is _SKIP:
            parent.key = _WANT_KEY
        self.stack.append(_Frame(container, path or (), depth, anchor))

    def _place(self, parent: _Frame | None, mark: Any) -> tuple[FieldPath | None, int]:
        """The path and depth of a value node about to be built; None when it is dropped."""
        if self.deferred is not None:
            return None, 0
        if parent is None:
            path: FieldPath = ()
            depth = 0
            self.start = self.start or _pos(self.file, mark)
        elif parent.container is None or parent.key is _SKIP:
            return None, 0
        elif parent.key is None:  # an item of a sequence
            path = (*parent.path, len(parent.container))
            depth = parent.depth + 1
            self.key_paths.append(path)
            self.key_places += (mark.line + 1, mark.column + 1)
        else:
            path = (*parent.path, parent.key)
            depth = parent.depth + 1
        self.nodes += 1
        if self.nodes > MAX_NODES:
            return self._defer(mark, f"more than {MAX_NODES} values in one file")
        if depth > MAX_DEPTH:
            return self._defer(mark, f"nesting deeper than {MAX_DEPTH} levels")
        self.value_paths.append(path)
        self.value_places += (mark.line + 1, mark.column + 1)
        return path, depth

    def _defer(self, mark: Any, message: str) -> tuple[None, int]:
        """Stop building this document; the problem is raised when its text is all read."""
        self.deferred = _problem(self.file, mark, message)
        return None, 0

    def _attach(self, parent: _Frame | None, path: FieldPath, value: Any) -> None:
        if parent is None:
            self.root = value
        elif type(parent.container) is list:
            parent.container.append(value)
        else:
            parent.container[path[-1]] = value
            parent.key = _WANT_KEY

    def _key(self, parent: _Frame, key: str, merge: bool, mark: Any) -> None:
        if merge:
            message = "merge keys (<<) are not supported; use a template instead"
            self.problems.append(_problem(self.file, mark, message))
            parent.key = _SKIP
        elif key in parent.container:
            message = f"duplicate key '{key}' (first at line {parent.first[key]})"
            self.problems.append(_problem(self.file, mark, message))
            parent.key = _SKIP
        else:
            parent.first[key] = mark.line + 1
            self.key_paths.append((*parent.path, key))
            self.key_places += (mark.line + 1, mark.column + 1)
            parent.key = key

    def _alias(self, name: str) -> None:
        """Use an anchored node here: its content is built again at this path."""
        anchor = self.anchors[name]
        parent = self.stack[-1] if self.stack else None
        if self.deferred is not None or (parent is not None and parent.container is None):
            return
        if parent is not None and parent.key is _SKIP:
            parent.key = _WANT_KEY
        elif parent is not None and parent.key is _WANT_KEY and anchor.scalar is None:
            self.problems.append(_problem(self.file, anchor.mark, "keys must be plain text"))
            parent.key = _SKIP
        elif anchor.end is None:  # the alias is inside its own anchor: endless nesting
            self._defer(anchor.mark, f"nesting deeper than {MAX_DEPTH} levels")
        else:
            self._replay(anchor)

    def _replay(self, anchor: _Anchor) -> None:
        depth = len(self.stack)
        for entry in self.log[anchor.start : anchor.end]:
            if self.deferred is not None:
                del self.stack[depth:]  # nothing more is built in this document
                return
            if entry[0] == "scalar":
                self._scalar(entry[1], entry[2], entry[3], entry[4])
            elif entry[0] == "open":
                self._open(entry[1], entry[2], None)
            elif entry[0] == "close":
                self.stack.pop()
            else:
                self._alias(entry[1])

    def _end_document(self) -> None:
        if self.deferred is not None:
            raise _Fatal(self.deferred)
        if self.root is not None:
            assert self.start is not None
            keys = Places(self.file, tuple(self.key_paths), tuple(self.key_places))
            values = Places(self.file, tuple(self.value_paths), tuple(self.value_places))
            doc = RawDocument(value=self.root, start=self.start, keys=keys, values=values)
            self.documents.append(doc)
        self._start_document()


def _scalar_flags(event: Any) -> tuple[bool, bool]:
    """Whether a scalar event is a null and whether it is a merge key (`<<`), as YAML's
    resolver reads a plain scalar; anything else stays text."""
    tag = event.tag
    if tag is None or tag == "!":
        plain = event.implicit[0]
        return plain and event.value in _NULLS, plain and event.value == "<<"
    return tag == _NULL_TAG, tag == _MERGE_TAG


_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


def parse_yaml(text: str, file: str, *, accelerated: bool = True) -> list[RawDocument]:
    """Parse every document of `text` in one pass; raise ParseFailure with all problems found.

    A text of the plain shape most manifests have is read by `yamlfast.read_plain`
    (`accelerated`), to the same values and positions. Else the events come from libyaml's
    C parser when it is installed (`accelerated`), else from PyYAML's pure-Python parser;
    one builder turns either into values and positions. A file with any problem is read
    again by the pure-Python parser, whose verdict and messages rampctl reports (the two
    parsers differ on a few malformed inputs, e.g. tabs).
    """
    if len(text) > MAX_FILE_BYTES // 4:  # else short enough whatever its characters
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > MAX_FILE_BYTES:
            raise ParseFailure([_too_big(file, size)])
    if accelerated and _FAST:
        plain = read_plain(text, file)
        if plain is not None:
            return [
                RawDocument(value=value, start=start, keys=keys, values=values)
                for value, start, keys, values in plain
            ]
    if accelerated and _CLoader is not None:
        try:
            return _parse(text, file, _CLoader)
        except (ParseFailure, yaml.YAMLError, UnicodeError):
            pass  # judged and described by the pure-Python parser below
    return _parse(text, file, yaml.SafeLoader)


def _parse(text: str, file: str, loader: Any) -> list[RawDocument]:
    builder = _Builder(file)
    try:
        documents = builder.feed(loader(text).get_event)
    except _Fatal as exc:
        raise ParseFailure([exc.problem]) from None
    except yaml.YAMLError as exc:
        if loader is not yaml.SafeLoader:
            raise
        raise ParseFailure([_syntax_problem(file, text, exc)]) from None
    problems = builder.tag_problems + builder.problems
    if problems:
        raise ParseFailure(problems)
    return documents


def _too_big(file: str, size: int) -> Problem:
    message = f"file is {size} bytes; the limit is {MAX_FILE_BYTES} bytes"
    return Problem(file=file, line=1, col=1, message=message)


def _syntax_problem(file: str, text: str, exc: yaml.YAMLError) -> Problem:
    if isinstance(exc, yaml.reader.ReaderError):
        line, col = _line_col(text, exc.position)
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        message = f"character U+{char:04X} is not allowed in YAML"
        return Problem(file=file, line=line, col=col, message=message)
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        if "'\\t'" in problem:
            message = "tab character where YAML expects spaces (indent with spaces)"
        else:
            context = f" ({exc.context})" if exc.context else ""
            message = f"YAML syntax error: {problem}{context}"
        if mark is not None:
            return _problem(file, mark, message)
        return Problem(file=file, line=1, col=1, message=message)
    return Problem(file=file, line=1, col=1, message=f"YAML error: {exc}")


def _line_col(text: str, index: int) -> tuple[int, int]:
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


def decode(data: bytes, file: str) -> str:
    """Decode a file's bytes as UTF-8 (a BOM is allowed), or raise ParseFailure."""
    if len(data) > MAX_FILE_BYTES:
        raise ParseFailure([_too_big(file, len(data))])
    body = data.removeprefix(codecs.BOM_UTF8)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        # where an editor shows the byte: the line, and the characters before it on that line
        # (all valid UTF-8: the first bad byte is this one), the BOM not counted
        start = body.rfind(b"\n", 0, exc.start) + 1
        line = body.count(b"\n", 0, exc.start) + 1
        col = len(body[start : exc.start].decode("utf-8")) + 1
        message = f"not valid UTF-8 (byte 0x{body[exc.start]:02X})"
        raise ParseFailure([Problem(file=file, line=line, col=col, message=message)]) from None
