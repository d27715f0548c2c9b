"""Frozen dataclass objects made in bulk without their `__init__`, as pickle (and
`rampctl.manifest.graphcodec`) rebuild them.

A frozen dataclass's `__init__` sets each field through `object.__setattr__`, which costs
about as much again as the object itself; the desired graph makes several such objects for
every manifest (100,000 vendors make half a million). A `Maker` puts the given values and the
class's defaults straight into a new object's `__dict__`: the object is the one `__init__`
would make (equal, hashing and printing alike), for classes with no `__post_init__` and no
slots, given every field that has no default.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

T = TypeVar("T")

_new = object.__new__


class Maker(Generic[T]):
    """Makes objects of one frozen dataclass from their field values (`make(values)`)."""

    __slots__ = ("cls", "defaults", "factories", "names", "required")

    def __init__(self, cls: type[T]) -> None:
        params = getattr(cls, "__dataclass_params__", None)
        if params is None or not params.frozen:
            raise TypeError(f"{cls.__qualname__} is not a frozen dataclass")
        if hasattr(cls, "__post_init__") or "__slots__" in cls.__dict__:
            raise TypeError(f"{cls.__qualname__} has a __post_init__ or slots")
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        missing = dataclasses.MISSING
        self.cls = cls
        self.names = frozenset(f.name for f in fields)
        self.defaults = {f.name: f.default for f in fields if f.default is not missing}
        self.factories: tuple[tuple[str, Callable[[], Any]], ...] = tuple(
            (f.name, f.default_factory) for f in fields if f.default_factory is not missing
        )
        self.required = self.names - self.defaults.keys() - {n for n, _ in self.factories}

    def __call__(self, values: Mapping[str, Any]) -> T:
        """An object with `values` and, for the fields not among them, their defaults."""
        obj: Any = _new(self.cls)
        given = obj.__dict__
        given.update(self.defaults)
        for name, factory in self.factories:
            given[name] = factory()
        given.update(values)
        return obj  # type: ignore[no-any-return]
