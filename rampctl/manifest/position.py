"""Positions in manifest files and the field paths that point into documents."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
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


class Places(Mapping[FieldPath, Position]):
    """Positions in one file as the YAML reader records them: the paths in the order they
    are written, and their lines and columns in turn in one flat tuple. A `Position` is
    made only when one is asked for (most never are: they are for messages).

    A path is found by a scan while there are few, through an index built on first use
    when there are many (a document with thousands of values and as many problems).
    """

    __slots__ = ("_index", "file", "paths", "places")

    _SCAN = 64
    """Up to this many paths, a path is found by a scan."""

    def __init__(self, file: str, paths: tuple[FieldPath, ...], places: tuple[int, ...]) -> None:
        self.file = file
        self.paths = paths
        self.places = places
        self._index: dict[FieldPath, int] | None = None

    def __getitem__(self, path: FieldPath) -> Position:
        paths = self.paths
        if len(paths) <= self._SCAN:
            try:
                index = paths.index(path)
            except ValueError:
                raise KeyError(path) from None
        else:
            if self._index is None:
                self._index = {}
                for n, each in enumerate(paths):
                    self._index.setdefault(each, n)
            index = self._index[path]
        return Position(self.file, self.places[2 * index], self.places[2 * index + 1])

    def __iter__(self) -> Iterator[FieldPath]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)


#: One tuple per distinct key layout, shared by every document written with that layout.
_LAYOUTS: dict[tuple[FieldPath, ...], tuple[FieldPath, ...]] = {}


def shared_paths(paths: tuple[FieldPath, ...]) -> tuple[FieldPath, ...]:
    """The one tuple kept for the key layout `paths` (documents share their layouts)."""
    return _LAYOUTS.setdefault(paths, paths)


class KeyPositions(Mapping[FieldPath, Position]):
    """Where each key of one document is written, kept compactly: every document lives as
    long as the run, and most are never asked (a position is only read for a message).

    The key paths are one tuple shared by all documents with the same layout; the places
    are a flat tuple of line and column numbers (with the file of each key only when a key
    comes from another file than the document, as an included template's may).
    """

    __slots__ = ("_file", "_files", "_paths", "_places")

    def __init__(
        self,
        file: str,
        paths: tuple[FieldPath, ...],
        places: tuple[int, ...],
        files: tuple[str, ...] | None = None,
    ) -> None:
        self._file = file
        self._paths = shared_paths(paths)
        self._places = places
        self._files = files

    @classmethod
    def of(cls, file: str, keys: Mapping[FieldPath, Position]) -> KeyPositions:
        """The compact form of `keys`, positions in a document of `file`."""
        places = tuple(n for p in keys.values() for n in (p.line, p.col))
        files = tuple(p.file for p in keys.values())
        return cls(file, tuple(keys), places, None if set(files) <= {file} else files)

    @classmethod
    def of_places(cls, places: Places) -> KeyPositions:
        """The compact form of positions as the YAML reader recorded them."""
        return cls(places.file, places.paths, places.places)

    @property
    def file(self) -> str:
        """The file of the document (and of every key unless `files` says otherwise)."""
        return self._file

    @property
    def paths(self) -> tuple[FieldPath, ...]:
        """The key paths, in the order they are written."""
        return self._paths

    @property
    def places(self) -> tuple[int, ...]:
        """Line and column of each key, in turn."""
        return self._places

    @property
    def files(self) -> tuple[str, ...] | None:
        """The file of each key, when some key is written in another file; else None."""
        return self._files

    def __getitem__(self, path: FieldPath) -> Position:
        try:
            index = self._paths.index(path)
        except ValueError:
            raise KeyError(path) from None
        file = self._file if self._files is None else self._files[index]
        return Position(file, self._places[2 * index], self._places[2 * index + 1])

    def __iter__(self) -> Iterator[FieldPath]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return KeyPositions, (self._file, self._paths, self._places, self._files)


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
