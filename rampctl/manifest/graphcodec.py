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
from collections.abc import Iterable, Iterator
from decimal import Decimal
from itertools import chain, repeat
from operator import attrgetter
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
#: Containers that are plain data when every item is an atom.
_FLAT = frozenset(_CONTAINERS)
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
    #: The plain, immutable defaults the class itself holds, by field: an object whose
    #: `__dict__` lacks such a field reads the default, as one given it would.
    defaults: dict[str, Any]


def _layout(cls: type) -> _Layout:
    names = tuple(f.name for f in dataclasses.fields(cls))
    slots = tuple(_slot(cls, n) for n in names)
    dict_names = tuple(n for n, s in zip(names, slots, strict=True) if s is None)
    if dict_names and cls.__dictoffset__ == 0:
        raise TypeError(f"{cls.__qualname__}: a field with no slot and no __dict__")
    setters = tuple(None if s is None else s.__set__ for s in slots)
    defaults = {n: d for n in dict_names if _immutable(d := _class_value(cls, n))}
    return _Layout(cls, names, setters, dict_names, defaults)


_MISSING = object()


def _class_value(cls: type, name: str) -> Any:
    """What the class holds under `name` (a dataclass field's default), else `_MISSING`."""
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
    return _MISSING


def _immutable(value: Any) -> bool:
    """Whether `value` is text, a number, a bool, None, or an empty tuple or frozenset."""
    kind = type(value)
    return kind in _ATOMS or (kind in (tuple, frozenset) and not value)


_CLASSES = _classes()
_LAYOUTS = {name: _layout(cls) for name, cls in _CLASSES.items()}
_NAMES = {cls: name for name, cls in _CLASSES.items()}
_KEY_SETTERS = tuple(getattr(KeyPositions, s).__set__ for s in _KEY_SLOTS)
_KEY_GETTERS = tuple(attrgetter(s) for s in _KEY_SLOTS)


# -- writing ------------------------------------------------------------------------------


def dumps(graph: DesiredGraph) -> bytes:
    """The graph as marshal bytes; Unsupported when it holds a value of an unknown type."""
    return dumps_value(graph)


def dumps_value(value: Any) -> bytes:
    """A value made of graph objects, containers and plain data, as marshal bytes (a part
    of a graph: some of its objects by address); Unsupported as `dumps`."""
    return _Writer().dumps(value)


class _Writer:
    """One encoding, a group at a time: the objects of one class that the graph holds at one
    place (a field of the objects of the group above) are written together, field by field,
    after what they refer to; each node is written once, however often the graph holds it.
    Everything it walks is held by the value being written, so ids stay unique meanwhile."""

    def __init__(self) -> None:
        self.classes: dict[str, int] = {}
        self.of_class: dict[type, tuple[int, tuple[str, ...]]] = {}
        self.groups: list[tuple[int, int, Any]] = []
        self.count = 0
        self.memo: dict[int, int] = {}  # by id: the number of a node written
        self.plain_memo: dict[int, bool] = {}

    def dumps(self, value: Any) -> bytes:
        (root,) = self.refs([value])
        return marshal.dumps((_VERSION, tuple(self.classes), self.groups, root))

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
        return known

    def refs(self, values: list[Any]) -> list[int]:
        """The node numbers of `values`, writing those not written yet (plain values as
        constants)."""
        ids = list(map(id, values))
        memo = self.memo
        new = dict(zip(ids, values, strict=True))
        for known in new.keys() & memo.keys():
            del new[known]
        if new:
            self.write_new(list(new.values()))
        return list(map(memo.__getitem__, ids))

    def write_new(self, values: list[Any]) -> None:
        """Write `values`, none written yet: plain ones as constants, the others by type.
        Values all of one class (most columns of a graph), or all plain, are told apart in
        one pass rather than value by value."""
        kinds = set(map(type, values))
        if len(kinds) == 1 and (kind := next(iter(kinds))) not in _PLAIN_TYPES:
            self.group(kind, values)
            return
        if kinds <= _ATOMS or self.all_plain(values, kinds):
            self.emit(_CONST, 0, values, values)
            return
        consts: list[Any] = []
        by_type: dict[type, list[Any]] = {}
        for value in values:
            kind = type(value)
            if self.plain(value, kind):
                consts.append(value)
            else:
                by_type.setdefault(kind, []).append(value)
        if consts:
            self.emit(_CONST, 0, consts, consts)
        for kind, objs in by_type.items():
            self.group(kind, objs)

    @staticmethod
    def all_plain(values: Iterable[Any], kinds: set[type]) -> bool:
        """Whether `values` (of types `kinds`) are all atoms, or tuples, sets and lists of
        atoms: checked in one pass (False says only that this quick check does not tell)."""
        if not kinds <= _ATOMS | _FLAT:
            return False
        items = chain.from_iterable(v for v in values if type(v) in _FLAT)
        return set(map(type, items)) <= _ATOMS

    def emit(self, kind: int, sub: int, data: Any, objs: list[Any]) -> None:
        """Write a group: `objs` are numbered in turn."""
        numbers = range(self.count, self.count + len(objs))
        self.memo.update(zip(map(id, objs), numbers, strict=True))
        self.groups.append((kind, sub, data))
        self.count += len(objs)

    def group(self, kind: type, objs: list[Any]) -> None:
        """Write `objs`, all of type `kind` and none plain data, after what they refer to."""
        if kind in _CONTAINERS:
            data: Any = [self.refs(list(c)) for c in objs]
            self.emit(_CONTAINERS[kind], 0, data, objs)
        elif kind is dict:
            if not all(set(map(type, d)) <= {str} for d in objs):
                raise Unsupported("dict")
            data = [(list(d), self.refs(list(d.values()))) for d in objs]
            self.emit(_DICT, 0, data, objs)
        elif kind is Decimal:
            self.emit(_DECIMAL, 0, list(map(str, objs)), objs)
        elif kind is dt.date:
            self.emit(_DATE, 0, [d.isoformat() for d in objs], objs)
        elif kind is Position:
            self.emit(_POSITION, 0, list(map(tuple, objs)), objs)
        elif kind is KeyPositions:
            self.emit(_KEYS, 0, self.keys(objs), objs)
        else:
            index, names = self.of_class.get(kind) or self.add_class(kind)
            columns = [self.column(list(map(attrgetter(n), objs))) for n in names]
            self.emit(_OBJECT, index, columns, objs)

    def column(self, values: list[Any]) -> tuple[int, list[Any]]:
        """One field of a group: its values as they are when all are plain data, else the
        node numbers of its values."""
        kinds = set(map(type, values))
        if kinds <= _ATOMS:
            return (_PLAIN, values)
        if kinds <= _PLAIN_TYPES:
            distinct = dict(zip(map(id, values), values, strict=True)).values()
            if self.all_plain(distinct, kinds) or all(self.plain(v, type(v)) for v in distinct):
                return (_PLAIN, values)
        return (_REFS, self.refs(values))

    def add_class(self, kind: type) -> tuple[int, tuple[str, ...]]:
        """The number and field names of a class on the list, numbered when first met."""
        name = _NAMES.get(kind)
        if name is None:
            raise Unsupported(kind.__qualname__)
        found = self.of_class[kind] = (len(self.classes), _LAYOUTS[name].names)
        self.classes[name] = found[0]
        return found

    def keys(self, objs: list[KeyPositions]) -> list[tuple[Any, ...]]:
        """Key positions as they are kept: plain tuples of text and numbers (file, paths,
        places, files), checked a column at a time."""
        columns = [list(map(get, objs)) for get in _KEY_GETTERS]
        files, paths, places, key_files = columns
        if not set(map(type, files)) <= {str}:
            raise Unsupported("KeyPositions")
        for column in (paths, places, key_files):
            distinct = dict(zip(map(id, column), column, strict=True)).values()
            kinds = set(map(type, distinct))
            plain = self.all_plain(distinct, kinds)
            if not plain and not all(self.plain(v, type(v)) for v in distinct):
                raise Unsupported("KeyPositions")
        return list(zip(files, paths, places, key_files, strict=True))


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
    names, in_dict = [], []
    for name, setter, column in zip(layout.names, layout.setters, values, strict=True):
        if setter is not None:
            list(map(setter, objs, column))
        elif not _all_default(column, layout.defaults.get(name, _MISSING)):
            names.append(name)
            in_dict.append(column)
    dicts = map(dict, map(zip, repeat(names), zip(*in_dict, strict=True)))
    list(map(_set, objs, repeat("__dict__"), dicts))
    return objs


def _all_default(column: list[Any], default: Any) -> bool:
    """Whether every value of `column` is the class's default (of its type too: False is
    not 0), so the objects' `__dict__`s can leave the field out and read the default."""
    return (
        default is not _MISSING
        and column.count(default) == len(column)
        and set(map(type, column)) <= {type(default)}
    )


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
