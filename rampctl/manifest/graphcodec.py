"""How the desired graph kept in the manifest cache is written: plain data for `marshal`, read
back without running any code of its own.

A kept graph is read on every warm run, from a file a CI cache may hand from one job to the
next, so reading it must never run code the file chooses (pickle would: a pickle names any
callable to call). Here the file holds only text, numbers, lists, tuples and dicts; objects
are rebuilt field by field as instances of a fixed list of rampctl's own classes (the desired
objects, their values, where their documents are written), without calling any constructor.
A value of any other type raises Unsupported, and the graph is then not kept. Objects shared
in the graph (key layouts, field sets) stay shared: each is written once and `marshal` keeps
the references.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import marshal
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from rampctl.manifest.document import Origin
from rampctl.manifest.position import KeyPositions, Position
from rampctl.model.bills import DesiredBill
from rampctl.model.desired import (
    DesiredAccountingVendor,
    DesiredGraph,
    DesiredUser,
    DesiredVendor,
)
from rampctl.model.kinds import Values

_VERSION = 1
_TUPLE, _FROZENSET, _DICT, _DECIMAL, _DATE, _POSITION, _KEYS, _OBJECT = range(8)
_ATOMS = frozenset({str, int, float, bool, type(None)})
_new = object.__new__
_set = object.__setattr__
_new_tuple = tuple.__new__


class Unsupported(Exception):
    """A value this codec does not write."""


def _subclasses(cls: type) -> Iterator[type]:
    subs: list[type] = cls.__subclasses__()
    for sub in subs:
        yield sub
        yield from _subclasses(sub)


def _classes() -> dict[str, type]:
    """The classes a kept graph may hold, by name: nothing else is ever built from one."""
    fixed = [DesiredGraph, DesiredVendor, DesiredAccountingVendor, DesiredUser, DesiredBill, Origin]
    found = [*fixed, *_subclasses(Values)]
    return {f"{c.__module__}:{c.__qualname__}": c for c in found if dataclasses.is_dataclass(c)}


@dataclasses.dataclass(frozen=True)
class _Layout:
    """How one class is rebuilt: its field names, and whether it keeps them in a `__dict__`."""

    cls: type
    names: tuple[str, ...]
    has_dict: bool


def _layout(cls: type) -> _Layout:
    names = tuple(f.name for f in dataclasses.fields(cls))
    return _Layout(cls, names, cls.__dictoffset__ != 0)


_CLASSES = _classes()
_LAYOUTS = {name: _layout(cls) for name, cls in _CLASSES.items()}
_NAMES = {cls: name for name, cls in _CLASSES.items()}


# -- writing ------------------------------------------------------------------------------


def dumps(graph: DesiredGraph) -> bytes:
    """The graph as marshal bytes; Unsupported when it holds a value of an unknown type."""
    return _Writer().dumps(graph)


class _Writer:
    """One graph's encoding: each object written once, however often the graph holds it."""

    def __init__(self) -> None:
        self.classes: dict[str, int] = {}
        self.memo: dict[int, Any] = {}
        self.alive: list[Any] = []  # the objects memoised by id, kept alive meanwhile

    def dumps(self, graph: DesiredGraph) -> bytes:
        body = self.value(graph)
        return marshal.dumps((_VERSION, tuple(self.classes), body))

    def value(self, value: Any) -> Any:
        kind = type(value)
        if kind in _ATOMS:
            return value
        if kind is list:
            return [self.value(v) for v in value]
        found = self.memo.get(id(value))
        if found is None:
            found = self.memo[id(value)] = self.encode(value, kind)
            self.alive.append(value)
        return found

    def encode(self, value: Any, kind: type) -> Any:
        if kind is tuple:
            return (_TUPLE, [self.value(v) for v in value])
        if kind is frozenset:
            return (_FROZENSET, [self.value(v) for v in value])
        if kind is dict and all(type(k) is str for k in value):
            return (_DICT, {k: self.value(v) for k, v in value.items()})
        if kind is Decimal:
            return (_DECIMAL, str(value))
        if kind is dt.date:
            return (_DATE, value.isoformat())
        if kind is Position:
            return (_POSITION, *value)
        if kind is KeyPositions:
            return self.keys(value)
        name = _NAMES.get(kind)
        if name is None:
            raise Unsupported(kind.__qualname__)
        index = self.classes.setdefault(name, len(self.classes))
        fields = [self.value(getattr(value, n)) for n in _LAYOUTS[name].names]
        return (_OBJECT, index, fields)

    def keys(self, keys: KeyPositions) -> tuple[Any, ...]:
        """Key positions as they are kept: plain tuples of text and numbers."""
        paths, places, files = keys.paths, keys.places, keys._files
        plain = all(type(p) is tuple for p in paths) and all(
            type(k) in (str, int) for p in paths for k in p
        )
        if not plain or not all(type(n) is int for n in places):
            raise Unsupported("KeyPositions")
        if files is not None and not all(type(f) is str for f in files):
            raise Unsupported("KeyPositions")
        return (_KEYS, keys.file, paths, places, files)


# -- reading ------------------------------------------------------------------------------


def loads(data: bytes | memoryview) -> DesiredGraph:
    """The graph `dumps` wrote; ValueError (or another error) for bytes it did not write."""
    version, names, body = marshal.loads(data)
    if version != _VERSION:
        raise ValueError("another graph format")
    layouts = [_LAYOUTS[name] for name in names]  # KeyError: a class not on the list
    graph = _Reader(layouts).value(body)
    if type(graph) is not DesiredGraph:
        raise ValueError("not a desired graph")
    return graph


class _Reader:
    """One graph's decoding: an object written once is rebuilt once and shared."""

    def __init__(self, layouts: list[_Layout]) -> None:
        self.layouts = layouts
        self.memo: dict[int, Any] = {}

    def values(self, items: list[Any]) -> list[Any]:
        """`items` read back (text and numbers, most of a graph, as they are)."""
        value = self.value
        return [v if type(v) in _ATOMS else value(v) for v in items]

    def value(self, value: Any) -> Any:
        kind = type(value)
        if kind is list:
            return self.values(value)
        if kind is not tuple:
            if kind is dict or kind not in _ATOMS:
                raise ValueError(f"unexpected {kind.__name__}")
            return value
        found = self.memo.get(id(value))
        if found is None:
            found = self.memo[id(value)] = self.decode(value)
        return found

    def decode(self, value: tuple[Any, ...]) -> Any:
        tag = value[0]
        if tag == _OBJECT:
            return self.build(self.layouts[value[1]], value[2])
        if tag == _TUPLE:
            return tuple(self.values(value[1]))
        if tag == _FROZENSET:
            return frozenset(self.values(value[1]))
        if tag == _DICT:
            return {str(k): self.value(v) for k, v in value[1].items()}
        if tag == _POSITION:
            _, file, line, col = value
            return _new_tuple(Position, (str(file), int(line), int(col)))
        if tag == _KEYS:
            _, file, paths, places, files = value
            return KeyPositions(file, paths, places, files)
        if tag == _DECIMAL:
            return Decimal(value[1])
        if tag == _DATE:
            return dt.date.fromisoformat(value[1])
        raise ValueError(f"unknown tag {tag!r}")

    def build(self, layout: _Layout, fields: list[Any]) -> Any:
        """An instance of `layout.cls` with `fields`, no constructor run (as pickle does)."""
        if len(fields) != len(layout.names):
            raise ValueError(f"{layout.cls.__qualname__}: {len(fields)} fields")
        obj: Any = _new(layout.cls)
        values = self.values(fields)
        if layout.has_dict:
            obj.__dict__.update(zip(layout.names, values, strict=True))
        else:
            for name, item in zip(layout.names, values, strict=True):
                _set(obj, name, item)
        return obj
