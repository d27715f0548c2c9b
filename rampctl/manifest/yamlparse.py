"""Lossless, bounded YAML parsing that remembers where every key and value came from.

PyYAML composes the node graph (never `yaml.load`); this module builds plain values from it:
every scalar stays the text it was written as (`NO`, `02134`, `+14155550100`, `12:30`), only a
plain `null`/`~`/empty value becomes None. Typing is left to the pydantic specs. Duplicate keys,
tags other than `!!str`, merge keys, complex keys, too many aliases, too deep nesting, too many
nodes and oversized files are reported as problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from rampctl.errors import Problem
from rampctl.manifest.position import FieldPath, Position

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
_CLoader: Any = getattr(yaml, "CSafeLoader", None)


@dataclass(frozen=True, kw_only=True)
class RawDocument:
    """One YAML document as plain values, with the position of every key and value."""

    value: Any
    start: Position
    keys: dict[FieldPath, Position] = field(default_factory=dict)
    values: dict[FieldPath, Position] = field(default_factory=dict)


class ParseFailure(Exception):
    """The file cannot be read as YAML; carries the problems found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems


class _Fatal(Exception):
    """A limit was exceeded while composing; stops reading the file."""

    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


def _pos(file: str, mark: Any) -> Position:
    return Position(file, mark.line + 1, mark.column + 1)


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_STD) :] if tag.startswith(_STD) else tag


class _Composer(yaml.SafeLoader):
    """A SafeLoader that only composes nodes, counting aliases and depth and checking tags."""

    def __init__(self, text: str, file: str) -> None:
        super().__init__(text)
        self.file = file
        self.aliases = 0
        self.depth = 0
        self.problems: list[Problem] = []

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event: Any = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise _Fatal(event.start_mark, f"more than {MAX_ALIASES} aliases in one file")
        else:
            self._check_tag(event)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _Fatal(event.start_mark, f"nesting deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def _check_tag(self, event: Any) -> None:
        tag = getattr(event, "tag", None)
        if tag not in _ALLOWED_TAGS:
            message = f"tag '{_show_tag(str(tag))}' is not allowed; values are read as text"
            self.problems.append(_problem(self.file, event.start_mark, message))


def _problem(file: str, mark: Any, message: str) -> Problem:
    return Problem(file=file, line=mark.line + 1, col=mark.column + 1, message=message)


class _Builder:
    """Turns composed nodes into plain values, recording positions and structural problems."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.nodes = 0
        self.problems: list[Problem] = []

    def document(self, node: Node) -> RawDocument:
        doc = RawDocument(value=None, start=_pos(self.file, node.start_mark))
        value = self._build(node, (), doc, 0)
        return RawDocument(value=value, start=doc.start, keys=doc.keys, values=doc.values)

    def _build(self, node: Node, path: FieldPath, doc: RawDocument, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Fatal(node.start_mark, f"more than {MAX_NODES} values in one file")
        if depth > MAX_DEPTH:
            raise _Fatal(node.start_mark, f"nesting deeper than {MAX_DEPTH} levels")
        doc.values.setdefault(path, _pos(self.file, node.start_mark))
        if isinstance(node, MappingNode):
            return self._mapping(node, path, doc, depth)
        if isinstance(node, SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                doc.keys.setdefault((*path, index), _pos(self.file, item.start_mark))
                items.append(self._build(item, (*path, index), doc, depth + 1))
            return items
        if node.tag == _NULL_TAG:
            return None
        return str(node.value)

    def _mapping(self, node: MappingNode, path: FieldPath, doc: RawDocument, depth: int) -> Any:
        result: dict[str, Any] = {}
        first: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node)
            if key is None:
                continue
            if key in result:
                message = f"duplicate key '{key}' (first at line {first[key]})"
                self.problems.append(_problem(self.file, key_node.start_mark, message))
                continue
            first[key] = key_node.start_mark.line + 1
            doc.keys.setdefault((*path, key), _pos(self.file, key_node.start_mark))
            result[key] = self._build(value_node, (*path, key), doc, depth + 1)
        return result

    def _key(self, node: Node) -> str | None:
        if not isinstance(node, ScalarNode):
            self.problems.append(_problem(self.file, node.start_mark, "keys must be plain text"))
            return None
        if node.tag == _MERGE_TAG:
            message = "merge keys (<<) are not supported; use a template instead"
            self.problems.append(_problem(self.file, node.start_mark, message))
            return None
        return str(node.value)


def parse_yaml(text: str, file: str) -> list[RawDocument]:
    """Parse every document of `text`; raise ParseFailure with all problems found.

    Well-formed files take libyaml's C parser when it is installed (about ten times
    faster); anything it objects to is parsed again by the pure-Python composer, so
    every problem is reported the same way either way.
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise ParseFailure([_too_big(file, len(text.encode("utf-8", "surrogatepass")))])
    if _CLoader is not None:
        fast = _parse_fast(text, file, _CLoader)
        if fast is not None:
            return fast
    return _parse_checked(text, file)


def _parse_fast(text: str, file: str, loader_class: Any) -> list[RawDocument] | None:
    """Parse with libyaml; None when the file needs the careful path (any problem)."""
    try:
        if not _events_ok(yaml.parse(text, Loader=loader_class)):
            return None
        builder = _Builder(file)
        loader = loader_class(text)
        try:
            documents = []
            while loader.check_node():
                node = loader.get_node()
                if node is not None and (doc := builder.document(node)).value is not None:
                    documents.append(doc)
        finally:
            loader.dispose()
    except (yaml.YAMLError, _Fatal):
        return None
    return None if builder.problems else documents


def _events_ok(events: Any) -> bool:
    """Within the alias and depth limits, and only allowed tags."""
    aliases = depth = 0
    for event in events:
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
        elif isinstance(event, yaml.NodeEvent) and getattr(event, "tag", None) not in _ALLOWED_TAGS:
            return False
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        if aliases > MAX_ALIASES or depth > MAX_DEPTH:
            return False
    return True


def _parse_checked(text: str, file: str) -> list[RawDocument]:
    """Parse with the pure-Python composer, collecting every problem."""
    builder = _Builder(file)
    documents: list[RawDocument] = []
    try:
        composer = _Composer(text, file)
        try:
            while composer.check_node():
                node = composer.get_node()
                document = builder.document(node) if node is not None else None
                if document is not None and document.value is not None:  # else: empty
                    documents.append(document)
        finally:
            composer.dispose()
    except _Fatal as exc:
        raise ParseFailure([_problem(file, exc.mark, exc.message)]) from None
    except yaml.YAMLError as exc:
        raise ParseFailure([_syntax_problem(file, text, exc)]) from None
    problems = composer.problems + builder.problems
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
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"not valid UTF-8 (byte 0x{data[exc.start]:02X})"
        raise ParseFailure([Problem(file=file, line=line, col=col, message=message)]) from None
