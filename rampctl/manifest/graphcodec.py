"""How the desired graph kept in the manifest cache is written: plain data for `marshal`, read
back without running any code of its own.

A kept graph is read on every warm run, from a file a CI cache may hand from one job to the
next, so reading it must never run code the file chooses (pickle would: a pickle names any
callable to call). Here the file holds only text, numbers, lists, tuples, sets and dicts;
objects are rebuilt field by field as instances of a fixed list of rampctl's own classes (the
desired objects, their values, where their documents are written), without calling any
constructor or method of theirs.

The form is made to be read fast (a warm run reads 100,000 objects and more): every value
that is not plain data (an object, a `Position`, a `Decimal`, a container holding one) is a
node, numbered so that a node only refers to nodes before it, and nodes are written in groups
of one kind and class, field by field (a column per field). Reading then builds a whole group
at a time with C-level loops, and plain values (text, numbers, tuples of them: most of a
graph) come out of `marshal` as they are. A node is written once however often the graph
holds it, so shared objects (key layouts, field sets) stay shared, and `marshal` keeps shared
plain values shared. A value of a type this codec does not know raises Unsupported, and the
graph is then not kept.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import marshal
import types
from collections.abc import Iterator
from decimal import Decimal
from itertools import repeat
from typing import Any

from rampctl.manifest.document import Origin
from rampctl.manifest.position import KeyPositions, Position, shared_paths
from rampctl.model.bills import DesiredBill
from rampctl.model.desired import (
    DesiredAccountingVendor,
    DesiredGraph,
    DesiredUser,
    DesiredVendor,
)
from rampctl.model.kinds import Values

_VERSION = 2
#: Node kinds. A group of nodes shares one kind (and, for objects, one class).
_CONST, _OBJECT, _POSITION, _KEYS, _DECIMAL, _DATE, _TUPLE, _FROZENSET, _LIST, _DICT = range(10)
#: How a column of an object group is written: its values as they are, or node numbers.
_PLAIN, _REFS = 0, 1
_ATOMS = frozenset({str, int, float, bool, type(None)})
_PLAIN_TYPES = _ATOMS | {tuple, frozenset, list, dict}
_CONTAINERS = {tuple: _TUPLE, frozenset: _FROZENSET, list: _LIST}
_KEY_SLOTS = ("_file", "_paths", "_places", "_files")
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


def _slot(cls: type, name: str) -> Any:
    """The slot descriptor of `name` on `cls`, or None when the field lives in `__dict__`."""
    for klass in cls.__mro__:
        found = klass.__dict__.get(name)
        if isinstance(found, types.MemberDescriptorType):
            return found
    return None


@dataclasses.dataclass(frozen=True)
class _Layout:
    """How one class is rebuilt: its field names in order, the setter of each slotted field
    (None for one kept in `__dict__`), and the names kept in `__dict__`."""

    cls: type
    names: tuple[str, ...]
    setters: tuple[Any, ...]
    dict_names: tuple[str, ...]


def _layout(cls: type) -> _Layout:
    names = tuple(f.name for f in dataclasses.fields(cls))
    slots = tuple(_slot(cls, n) for n in names)
    dict_names = tuple(n for n, s in zip(names, slots, strict=True) if s is None)
    if dict_names and cls.__dictoffset__ == 0:
        raise TypeError(f"{cls.__qualname__}: a field with no slot and no __dict__")
    setters = tuple(None if s is None else s.__set__ for s in slots)
    return _Layout(cls, names, setters, dict_names)


_CLASSES = _classes()
_LAYOUTS = {name: _layout(cls) for name, cls in _CLASSES.items()}
_NAMES = {cls: name for name, cls in _CLASSES.items()}
_KEY_SETTERS = tuple(getattr(KeyPositions, s).__set__ for s in _KEY_SLOTS)


# -- writing ------------------------------------------------------------------------------


class _Ref(int):
    """A reference to a node, by its number as first met (renumbered when written)."""

    __slots__ = ()


@dataclasses.dataclass(slots=True)
class _Node:
    """One value that is not plain data: its kind (and class), its height (1 + the highest of
    the nodes it refers to; plain values count 0) and its parts."""

    kind: int
    sub: int
    height: int
    parts: Any


def dumps(graph: DesiredGraph) -> bytes:
    """The graph as marshal bytes; Unsupported when it holds a value of an unknown type."""
    return dumps_value(graph)


def dumps_value(value: Any) -> bytes:
    """A value made of graph objects, containers and plain data, as marshal bytes (a part
    of a graph: some of its objects by address); Unsupported as `dumps`."""
    return _Writer().dumps(value)


class _Writer:
    """One graph's encoding: each node written once, however often the graph holds it."""

    def __init__(self) -> None:
        self.classes: dict[str, int] = {}
        self.of_class: dict[type, tuple[int, tuple[str, ...]]] = {}
        self.nodes: list[_Node] = []
        self.heights: list[int] = []
        self.memo: dict[int, Any] = {}  # by id: a `_Ref`, or the value when plain
        self.plain_memo: dict[int, bool] = {}
        self.alive: list[Any] = []  # the values memoised by id, kept alive meanwhile

    def dumps(self, value: Any) -> bytes:
        root = self.value(value)
        if type(root) is not _Ref:
            raise Unsupported("plain data alone")
        groups, numbers = self.groups()
        return marshal.dumps((_VERSION, tuple(self.classes), groups, numbers[root]))

    # - the walk

    def value(self, value: Any) -> Any:
        """`value` as it is when it is plain data, else a `_Ref` to its node."""
        kind = type(value)
        if kind in _ATOMS:
            return value
        found = self.memo.get(id(value))
        if found is None:
            if self.plain(value, kind):
                self.memo[id(value)] = value
                return value
            node = self.node(value, kind)
            found = self.memo[id(value)] = _Ref(len(self.nodes))
            self.nodes.append(node)
            self.heights.append(node.height)
            self.alive.append(value)
        return found

    def plain(self, value: Any, kind: type) -> bool:
        """Whether `value` is text, a number, None, or a tuple, set, list or dict of those
        (dicts by text only): written and read by `marshal` as it is."""
        if kind in _ATOMS:
            return True
        if kind not in _PLAIN_TYPES:
            return False
        known = self.plain_memo.get(id(value))
        if known is None:
            items = value.values() if kind is dict else value
            if kind is dict and not set(map(type, value)) <= {str}:
                known = False
            elif set(map(type, items)) <= _ATOMS:
                known = True
            else:
                known = all(self.plain(v, type(v)) for v in items)
            self.plain_memo[id(value)] = known
            self.alive.append(value)
        return known

    def node(self, value: Any, kind: type) -> _Node:
        if kind in _CONTAINERS:
            return self.container(_CONTAINERS[kind], 0, value)
        if kind is dict:
            if not all(type(k) is str for k in value):
                raise Unsupported("dict")
            node = self.container(_DICT, 0, value.values())
            node.parts = (list(value), node.parts)
            return node
        if kind is Decimal:
            return _Node(_DECIMAL, 0, 1, str(value))
        if kind is dt.date:
            return _Node(_DATE, 0, 1, value.isoformat())
        if kind is Position:
            return _Node(_POSITION, 0, 1, tuple(value))
        if kind is KeyPositions:
            return _Node(_KEYS, 0, 1, self.keys(value))
        index, names = self.of_class.get(kind) or self.add_class(kind)
        return self.container(_OBJECT, index, map(getattr, repeat(value), names))

    def add_class(self, kind: type) -> tuple[int, tuple[str, ...]]:
        """The number and field names of a class on the list, numbered when first met."""
        name = _NAMES.get(kind)
        if name is None:
            raise Unsupported(kind.__qualname__)
        found = self.of_class[kind] = (len(self.classes), _LAYOUTS[name].names)
        self.classes[name] = found[0]
        return found

    def container(self, kind: int, sub: int, values: Any) -> _Node:
        """A node of `values` (kept as plain values and `_Ref`s), one higher than the highest
        node it refers to."""
        value, atoms = self.value, _ATOMS
        items = [item if type(item) in atoms else value(item) for item in values]
        refs = [item for item in items if type(item) is _Ref]
        height = max(map(self.heights.__getitem__, refs), default=0)
        return _Node(kind, sub, height + 1, items)

    def keys(self, keys: KeyPositions) -> tuple[Any, ...]:
        """Key positions as they are kept: plain tuples of text and numbers."""
        parts = (keys.file, keys.paths, keys.places, keys.files)
        if type(keys.file) is not str or not self.plain(parts, tuple):
            raise Unsupported("KeyPositions")
        return parts

    # - the groups

    def groups(self) -> tuple[list[Any], list[int]]:
        """The nodes in groups of one height, kind and class (lowest first) and each node's
        number; plain values that stand among references become constants (numbered first,
        from 0, in a group of their own)."""
        self.consts: list[Any] = []
        self.const_of: dict[int, int] = {}
        grouped: list[tuple[int, int, list[_Node]]] = []
        last: tuple[int, int, int] | None = None
        keys = [(n.height, n.kind, n.sub) for n in self.nodes]
        order = sorted(range(len(self.nodes)), key=keys.__getitem__)
        for index in order:
            node = self.nodes[index]
            if (node.height, node.kind, node.sub) != last:
                grouped.append((node.kind, node.sub, []))
                last = (node.height, node.kind, node.sub)
            grouped[-1][2].append(node)
        shaped = [(kind, sub, self._shape(kind, nodes)) for kind, sub, nodes in grouped]
        numbers = [0] * len(self.nodes)
        for number, index in enumerate(order, start=len(self.consts)):
            numbers[index] = number
        out: list[Any] = [(_CONST, 0, self.consts)] if self.consts else []
        for kind, sub, shape in shaped:
            out.append((kind, sub, self._resolve(kind, shape, numbers)))
        return out, numbers

    def _const(self, value: Any) -> int:
        """The number of a plain value standing among references."""
        found = self.const_of.get(id(value))
        if found is None:
            found = self.const_of[id(value)] = len(self.consts)
            self.consts.append(value)
        return found

    def _as_refs(self, items: Any) -> list[Any]:
        """`items` as references: `_Ref`s, and the numbers of constants for plain values."""
        return [i if type(i) is _Ref else self._const(i) for i in items]

    def _shape(self, kind: int, nodes: list[_Node]) -> list[Any]:
        """A group as it is written, references still `_Ref`s."""
        if kind in (_DECIMAL, _DATE, _POSITION, _KEYS):
            return [n.parts for n in nodes]
        if kind == _DICT:
            return [(n.parts[0], self._as_refs(n.parts[1])) for n in nodes]
        if kind != _OBJECT:
            return [self._as_refs(n.parts) for n in nodes]
        columns: list[Any] = []  # field by field: plain values, or references
        for column in zip(*(n.parts for n in nodes), strict=True):
            if _Ref in set(map(type, column)):
                columns.append((_REFS, self._as_refs(column)))
            else:
                columns.append((_PLAIN, list(column)))
        return columns

    def _resolve(self, kind: int, shape: list[Any], numbers: list[int]) -> list[Any]:
        """A shaped group with its `_Ref`s replaced by node numbers."""

        def refs(items: list[Any]) -> list[int]:
            return [numbers[i] if type(i) is _Ref else i for i in items]

        if kind in (_DECIMAL, _DATE, _POSITION, _KEYS):
            return shape
        if kind == _DICT:
            return [(keys, refs(items)) for keys, items in shape]
        if kind != _OBJECT:
            return [refs(items) for items in shape]
        return [(mode, refs(col) if mode == _REFS else col) for mode, col in shape]


# -- reading ------------------------------------------------------------------------------


def loads(data: bytes | memoryview) -> DesiredGraph:
    """The graph `dumps` wrote; ValueError (or another error) for bytes it did not write."""
    graph = loads_value(data)
    if type(graph) is not DesiredGraph:
        raise ValueError("not a desired graph")
    return graph


def loads_value(data: bytes | memoryview) -> Any:
    """The value `dumps_value` wrote; ValueError (or another error) for bytes it did not
    write."""
    version, names, groups, root = marshal.loads(data)
    if version != _VERSION:
        raise ValueError("another graph format")
    layouts = [_LAYOUTS[name] for name in names]  # KeyError: a class not on the list
    nodes: list[Any] = []
    for kind, sub, items in groups:
        nodes += _read_group(kind, sub, items, layouts, nodes)
    return nodes[root]


def _plain(values: list[Any]) -> list[Any]:
    """`values`, checked to be plain data at their top level."""
    if type(values) is not list or not set(map(type, values)) <= _PLAIN_TYPES:
        raise ValueError("not plain data")
    return values


def _refs(numbers: list[int], nodes: list[Any]) -> list[Any]:
    """The nodes `numbers` name: only nodes already built (each group refers back)."""
    if numbers and (min(numbers) < 0 or max(numbers) >= len(nodes)):
        raise ValueError("a reference to a node not built before")
    return list(map(nodes.__getitem__, numbers))


def _read_group(
    kind: int, sub: int, items: list[Any], layouts: list[_Layout], nodes: list[Any]
) -> list[Any]:
    """One group of nodes, built whole."""
    if kind == _CONST:
        return _plain(items)
    if kind == _OBJECT:
        return _objects(layouts[sub], items, nodes)
    if kind == _POSITION:
        return list(map(_new_tuple, repeat(Position), _plain(items)))
    if kind == _KEYS:
        return _key_positions(_plain(items))
    if kind == _DECIMAL:
        return list(map(Decimal, _plain(items)))
    if kind == _DATE:
        return list(map(dt.date.fromisoformat, _plain(items)))
    if kind == _DICT:
        return [dict(zip(_plain(keys), _refs(refs, nodes), strict=True)) for keys, refs in items]
    if kind == _TUPLE:
        return [tuple(_refs(refs, nodes)) for refs in items]
    if kind == _FROZENSET:
        return [frozenset(_refs(refs, nodes)) for refs in items]
    if kind == _LIST:
        return [_refs(refs, nodes) for refs in items]
    raise ValueError(f"unknown kind {kind!r}")


def _objects(layout: _Layout, columns: list[Any], nodes: list[Any]) -> list[Any]:
    """A group of instances of `layout.cls`, no constructor run (as pickle does): slotted
    fields set column by column, the others as one `__dict__` each."""
    if len(columns) != len(layout.names):
        raise ValueError(f"{layout.cls.__qualname__}: {len(columns)} fields")
    values = [_plain(col) if mode == _PLAIN else _refs(col, nodes) for mode, col in columns]
    count = len(values[0]) if values else 0
    if any(len(col) != count for col in values):
        raise ValueError(f"{layout.cls.__qualname__}: columns of different lengths")
    objs: list[Any] = list(map(_new, repeat(layout.cls, count)))
    in_dict = []
    for setter, column in zip(layout.setters, values, strict=True):
        if setter is None:
            in_dict.append(column)
        else:
            list(map(setter, objs, column))
    if in_dict:
        dicts = map(dict, map(zip, repeat(layout.dict_names), zip(*in_dict, strict=True)))
        list(map(_set, objs, repeat("__dict__"), dicts))
    return objs


def _key_positions(items: list[Any]) -> list[KeyPositions]:
    """Key positions from their parts, with each key layout shared as `KeyPositions` does."""
    objs = list(map(_new, repeat(KeyPositions, len(items))))
    columns: list[tuple[Any, ...]] = list(zip(*items, strict=True)) if items else [()] * 4
    if len(columns) != len(_KEY_SETTERS):
        raise ValueError("key positions of another form")
    distinct = dict(zip(map(id, columns[1]), columns[1], strict=True))
    shared = {i: shared_paths(p) for i, p in distinct.items()}
    columns[1] = tuple(map(shared.__getitem__, map(id, columns[1])))
    for setter, column in zip(_KEY_SETTERS, columns, strict=True):
        list(map(setter, objs, column))
    return objs
