"""Frozen dataclass objects made in bulk without their `__init__`, as pickle (and
`rampctl.manifest.graphcodec`) rebuild them.

A frozen dataclass's `__init__` sets each field through `object.__setattr__`, which costs
about as much again as the object itself; the desired graph makes several such objects for
every manifest (100,000 vendors make half a million). A `Maker` sets the given values on a
new object without the dataclass's `__init__`: a field not given reads its default from the
class (where a dataclass keeps it), or has one made by its default factory. Set one by one,
the values are kept in the object as `__init__` keeps them (a dict of their own as the
object's `__dict__` holds about 350 bytes more). The object is the one `__init__` would make
(equal, hashing and printing alike), for classes with no `__post_init__` and no slots, given
every field that has no default.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")

_new = object.__new__
_set = object.__setattr__


class Maker(Generic[T]):
    """Makes objects of one frozen dataclass from their field values (`make(values)`)."""

    __slots__ = ("cls", "factories")

    def __init__(self, cls: type[T]) -> None:
        params = getattr(cls, "__dataclass_params__", None)
        if params is None or not params.frozen:
            raise TypeError(f"{cls.__qualname__} is not a frozen dataclass")
        if hasattr(cls, "__post_init__") or "__slots__" in cls.__dict__:
            raise TypeError(f"{cls.__qualname__} has a __post_init__ or slots")
        missing = dataclasses.MISSING
        for field in dataclasses.fields(cls):  # type: ignore[arg-type]
            if field.default is not missing and getattr(cls, field.name) is not field.default:
                raise TypeError(f"{cls.__qualname__}.{field.name}: its default is not kept")
        self.cls = cls
        self.factories: tuple[tuple[str, Callable[[], Any]], ...] = tuple(
            (f.name, f.default_factory)
            for f in dataclasses.fields(cls)  # type: ignore[arg-type]
            if f.default_factory is not missing
        )

    def __call__(self, values: dict[str, Any]) -> T:
        """An object whose fields are `values` (given in any order) and defaults."""
        for name, factory in self.factories:
            if name not in values:
                values[name] = factory()
        obj: Any = _new(self.cls)
        for item in values.items():
            _set(obj, *item)
        return obj  # type: ignore[no-any-return]
