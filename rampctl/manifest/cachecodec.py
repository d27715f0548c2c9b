"""How the manifest cache writes a file's outcome: plain values for `marshal`, read back
without running pydantic's validators again.

Reading back a pickled outcome costs about 100 µs a file (pickle's per-object overhead on
positions, dataclasses and models), which at 100,000 files is most of a warm load. Outcomes
are written instead as tuples, lists, dicts, text and numbers (`marshal`, several times
faster), and rebuilt as pickle would rebuild them: models take their fields, fields-set,
extra and private values as stored. A model's fields are written as its values in its
class's field order, without their names (a third of an entry's bytes, and as much of
the time to write it, were names every entry repeats); one whose `__dict__` holds other
keys, or another order, is written by name. A value of a type this codec does not know raises
Unsupported, and the outcome is not kept (no pickle: reading an entry runs no code it could
choose). Entries are signed before they are read (`rampctl.manifest.cache`); classes are
only ever pydantic models looked up inside rampctl.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import marshal
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from rampctl.errors import Problem
from rampctl.manifest.document import Document
from rampctl.manifest.position import FieldPath, KeyPositions, Position, shared_paths
from rampctl.manifest.validate import Checked, Identity

_FORMAT = 4
#: What is written and read as it is.
_ATOMS = frozenset({str, int, float, bool, type(None)})
_PROBLEM_FIELDS = tuple(f.name for f in dataclasses.fields(Problem))
_CLASSES: dict[str, type[BaseModel]] = {}
_FIELD_SETS: dict[tuple[Any, ...], set[str]] = {}
#: By model class: its field names in order, and the name it is written under.
_FIELD_NAMES: dict[type[BaseModel], tuple[str, ...]] = {}
_NAME_OF: dict[type[BaseModel], str] = {}
#: Key layouts as written (by the id of the shared layout, kept with it) and as read.
_LAYOUT_BYTES: dict[int, tuple[tuple[FieldPath, ...], bytes]] = {}
_LAYOUTS_READ: dict[bytes, tuple[FieldPath, ...]] = {}
_new_tuple = tuple.__new__
_set = object.__setattr__


class Unsupported(Exception):
    """A value this codec does not write."""


# -- writing ------------------------------------------------------------------------------


def dumps(checked: list[Checked], problems: list[Problem], failed: bool) -> bytes:
    """The outcome as marshal bytes; Unsupported when it holds a value of an unknown type."""
    body = ([_checked(c) for c in checked], [_problem(p) for p in problems], failed)
    return marshal.dumps((_FORMAT, body))


def _checked(item: Checked) -> tuple[Any, ...]:
    identity = item.identity
    ident = None
    if identity is not None:
        ident = (identity.kind, identity.name, identity.address, tuple(identity.position))
    return (ident, _document(item.document), [_problem(p) for p in item.problems])


def _document(doc: Document | None) -> tuple[Any, ...] | None:
    if doc is None:
        return None
    keys = doc.keys
    if not isinstance(keys, KeyPositions):
        keys = KeyPositions.of(doc.position.file, keys)
    head = (doc.kind, doc.name, doc.address, _value(doc.spec), tuple(doc.position))
    return (head, _layout(keys.paths), keys.places, keys.files, tuple(doc.previously))


def _layout(paths: tuple[FieldPath, ...]) -> bytes:
    """A key layout as marshal bytes, made once per layout: most documents share a few
    layouts (`shared_paths`), which would otherwise be written object by object in every
    entry (a third of its bytes)."""
    known = _LAYOUT_BYTES.get(id(paths))
    if known is not None and known[0] is paths:
        return known[1]
    data = marshal.dumps(paths)
    _LAYOUT_BYTES[id(paths)] = (paths, data)
    return data


def _problem(problem: Problem) -> tuple[Any, ...]:
    values = tuple(getattr(problem, name) for name in _PROBLEM_FIELDS)
    if not all(isinstance(v, str | int) for v in values):
        raise Unsupported
    return values


def _value(value: Any) -> Any:
    """Tagged tuples for everything that is not text, a number, a bool, None or a list."""
    kind = type(value)
    if kind in _ATOMS:
        return value
    if kind is list:
        return [v if type(v) in _ATOMS else _value(v) for v in value]
    if isinstance(value, BaseModel):
        return _model(value)
    if kind is tuple:
        return ("T", [_value(v) for v in value])
    if kind is dict and all(type(k) is str for k in value):
        return ("D", {k: _value(v) for k, v in value.items()})
    if kind is Decimal:
        return ("N", str(value))
    if kind is dt.date:
        return ("d", value.isoformat())
    raise Unsupported(kind.__name__)


def _model(model: BaseModel) -> tuple[Any, ...]:
    """A model as its class, its field values in the class's order (no names: the class
    gives them back) and its fields-set; its `__dict__` by name when that holds other keys
    or another order."""
    cls = type(model)
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _field_names(cls)
    if model.__pydantic_extra__ or model.__pydantic_private__:
        raise Unsupported(cls.__name__)
    fields = model.__dict__
    values: Any
    if tuple(fields) == names:
        values = tuple([v if type(v) in _ATOMS else _value(v) for v in fields.values()])
    else:
        values = {k: _value(v) for k, v in fields.items()}
    return ("M", _NAME_OF[cls], values, tuple(sorted(model.__pydantic_fields_set__)))


def _field_names(cls: type[BaseModel]) -> tuple[str, ...]:
    """The field names of a rampctl model, in order (Unsupported for any other class)."""
    if not cls.__module__.startswith("rampctl."):
        raise Unsupported(cls.__name__)
    name = f"{cls.__module__}:{cls.__qualname__}"
    _NAME_OF[cls] = name
    names = _FIELD_NAMES[cls] = tuple(cls.model_fields)
    return names


# -- reading ------------------------------------------------------------------------------


def loads(data: bytes) -> tuple[list[Checked], list[Problem], bool]:
    """The outcome `dumps` wrote; ValueError (or another error) for bytes it did not write."""
    version, (checked, problems, failed) = marshal.loads(data)
    if version != _FORMAT:
        raise ValueError("another cache format")
    return [_read_checked(c) for c in checked], [_read_problem(p) for p in problems], bool(failed)


def _read_problem(values: tuple[Any, ...]) -> Problem:
    return Problem(**dict(zip(_PROBLEM_FIELDS, values, strict=True)))


def _read_checked(item: tuple[Any, ...]) -> Checked:
    ident, doc, problems = item
    identity = None
    if ident is not None:
        kind, name, address, position = ident
        where = _new_tuple(Position, position)
        identity = Identity(kind=kind, name=name, address=address, position=where)
    return Checked(
        identity=identity,
        document=_read_document(doc),
        problems=[_read_problem(p) for p in problems],
    )


def _read_document(item: tuple[Any, ...] | None) -> Document | None:
    if item is None:
        return None
    (kind, name, address, spec, position), paths, places, files, previously = item
    return Document(
        kind=kind,
        name=name,
        address=address,
        spec=_read_value(spec),
        position=_new_tuple(Position, position),
        keys=KeyPositions(position[0], _read_layout(paths), places, files),
        previously=previously,
    )


def _read_layout(data: bytes) -> tuple[FieldPath, ...]:
    """The key layout `_layout` wrote, read once per layout (ValueError for another
    value)."""
    known = _LAYOUTS_READ.get(data)
    if known is None:
        paths = marshal.loads(data)
        if type(paths) is not tuple or not set(map(type, paths)) <= {tuple}:
            raise ValueError("not a key layout")
        known = _LAYOUTS_READ[data] = shared_paths(paths)
    return known


def _read_value(value: Any) -> Any:
    kind = type(value)
    if kind is list:
        return [v if type(v) in _ATOMS else _read_value(v) for v in value]
    if kind is not tuple:
        return value
    tag = value[0]
    if tag == "M":
        return _read_model(value)
    if tag == "T":
        return tuple(_read_value(v) for v in value[1])
    if tag == "D":
        return {k: _read_value(v) for k, v in value[1].items()}
    if tag == "N":
        return Decimal(value[1])
    if tag == "d":
        return dt.date.fromisoformat(value[1])
    raise ValueError(f"unknown tag {tag!r}")


def _read_model(value: tuple[Any, ...]) -> BaseModel:
    _, name, fields, fields_set = value
    cls = _CLASSES.get(name) or _model_class(name)
    model = cls.__new__(cls)
    _set(model, "__pydantic_fields_set__", _fields_set(cls, fields_set))
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    if type(fields) is tuple:
        names = _FIELD_NAMES[cls]
        if len(fields) != len(names):
            raise ValueError(f"{name}: {len(fields)} fields")
        values = [v if type(v) in _ATOMS else _read_value(v) for v in fields]
        _set(model, "__dict__", dict(zip(names, values, strict=True)))
    else:
        _set(model, "__dict__", {k: _read_value(v) for k, v in fields.items()})
    return model


def _fields_set(cls: type[BaseModel], names: tuple[str, ...]) -> set[str]:
    """The fields-set of a model read back: one set shared by every frozen model with the
    same fields set (a frozen model's set is never changed, and pydantic copies it before a
    `model_copy` adds to it), a new one for others."""
    if not cls.model_config.get("frozen"):
        return set(names)
    key = (cls, *names)
    found = _FIELD_SETS.get(key)
    if found is None:
        found = _FIELD_SETS[key] = set(names)
    return found


def _model_class(name: str) -> type[BaseModel]:
    module, _, qualname = name.partition(":")
    if not module.startswith("rampctl.") or "." in qualname:
        raise ValueError(f"not a rampctl model: {name}")
    cls = getattr(importlib.import_module(module), qualname)
    if not (isinstance(cls, type) and issubclass(cls, BaseModel)):
        raise ValueError(f"not a rampctl model: {name}")
    _CLASSES[name] = cls
    _NAME_OF[cls] = name
    _FIELD_NAMES[cls] = tuple(cls.model_fields)
    return cls
