"""Positions in manifest files and the field paths that point into documents."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

FieldPath = tuple[str | int, ...]
"""A path into a document: mapping keys are strings, list indexes are integers."""

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


class Position(NamedTuple):
    """A 1-based `file:line:col` location; `file` is shown as the user gave the manifests path.

    A named tuple: one is made for every key and value of every manifest, so it must be cheap.
    """

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Rebuilt by tuple.__new__ (C) rather than the named tuple's Python __new__: the
        # manifest cache reads back hundreds of thousands of positions.
        return tuple.__new__, (Position, tuple(self))


def format_path(path: FieldPath) -> str:
    """Render a field path as `spec.address.city` or `spec.ignore_changes[1]`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def parse_path(text: str) -> FieldPath:
    """Inverse of format_path (keys containing dots or brackets are not supported)."""
    parts: list[str | int] = []
    for match in _PART.finditer(text):
        key, index = match.groups()
        parts.append(int(index) if index is not None else key)
    return tuple(parts)
