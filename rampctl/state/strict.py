"""Reading a state document as strict JSON: no key repeated in an object, no NaN or Infinity.

Python's `json` and pydantic's parser both accept a repeated key (the last value wins) and the
non-JSON constants `NaN`, `Infinity` and `-Infinity`. In a state file edited by hand, an address
written twice would silently drop the first managed object (rampctl would no longer know its
Ramp id), and a non-finite number cannot be written back as JSON. `loads` refuses both, naming
where in the document (and on which line) the problem is.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator

from rampctl.errors import StateError

_Path = tuple[str | int, ...]


class _NotStrict(Exception):
    """Raised inside the parser at the first repeated key or non-finite number."""


def loads(data: bytes, *, document: bytes | None = None) -> object:
    """`data` parsed as JSON; StateError naming the first repeated key or non-finite number.

    `document` is the whole document `data` is a part of, for the message (paths and lines
    are given in it). A syntax error raises `ValueError` as `json.loads` does.
    """
    try:
        return json.loads(
            data, object_pairs_hook=_unique, parse_constant=_refuse, parse_float=_finite
        )
    except _NotStrict:
        raise StateError(describe(data if document is None else document)) from None


def _unique(pairs: list[tuple[str, object]]) -> dict[str, object]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise _NotStrict
    return found


def _refuse(constant: str) -> float:
    raise _NotStrict


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # e.g. 1e999
        raise _NotStrict
    return value


class _Constant:
    """Stands in for a non-finite number while a document is examined."""

    def __init__(self, text: str) -> None:
        self.text = text


def describe(document: bytes) -> str:
    """What is not strict JSON in `document` (already known to parse as lenient JSON)."""
    repeated: list[tuple[int, str]] = []  # (id of the object, the key it repeats)

    def pairs(items: list[tuple[str, object]]) -> dict[str, object]:
        found: dict[str, object] = {}
        for key, value in items:
            if key in found and not repeated:
                repeated.append((id(found), key))
            found[key] = value
        return found

    def number(text: str) -> object:
        value = float(text)
        return value if math.isfinite(value) else _Constant(text)

    doc = json.loads(
        document, object_pairs_hook=pairs, parse_constant=_Constant, parse_float=number
    )
    for path, value in _walk(doc, ()):
        if repeated and id(value) == repeated[0][0]:
            return _repeated(document, path, repeated[0][1])
        if isinstance(value, _Constant):
            line = _line(document, _position(document, path))
            return f"{_where(path)} is {value.text}, which is not a JSON number (line {line})"
    return "it is not strict JSON"  # pragma: no cover - the caller saw a problem


def _walk(value: object, path: _Path) -> Iterator[tuple[_Path, object]]:
    yield path, value
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _walk(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _walk(inner, (*path, index))


def _repeated(document: bytes, path: _Path, key: str) -> str:
    start = _position(document, path)
    pattern = _key(key)
    first = pattern.search(document, start)
    second = pattern.search(document, first.end()) if first else None
    lines = ""
    if first and second:
        one, two = _line(document, first.start()), _line(document, second.start())
        lines = f" (line {one})" if one == two else f" (lines {one} and {two})"
    if path == ("resources",):
        return f"the address {key} appears twice in resources{lines}; each may appear once"
    where = f"in {_where(path)}" if path else "at the top level"
    return f"the key {json.dumps(key)} appears twice {where}{lines}; each may appear once"


def _where(path: _Path) -> str:
    return ".".join(str(part) for part in path) or "the top level"


def _position(document: bytes, path: _Path) -> int:
    """Where the last key of `path` is written (found key by key; 0 when not found)."""
    position = 0
    for part in path:
        if isinstance(part, int):
            continue
        found = _key(part).search(document, position)
        if found is None:
            return position
        position = found.end()
    return position


def _key(key: str) -> re.Pattern[bytes]:
    return re.compile(re.escape(json.dumps(key, ensure_ascii=False).encode()) + rb"\s*:")


def _line(document: bytes, position: int) -> int:
    return document.count(b"\n", 0, position) + 1
