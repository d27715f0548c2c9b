"""The shape of a kind declaration: `KindSpec` lists its `FieldSpec`s."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Self

from pydantic import JsonValue

from rampctl.model import normalise as norm


class OnClear(StrEnum):
    """What plan does when a manifest sets a field to null (asks Ramp to clear it)."""

    SEND = "send"  #: Ramp's update takes the clear (`clear_value` is sent)
    PROBLEM = "problem"  #: Ramp's update cannot clear it: a plan problem names the field
    MANUAL = "manual"  #: only a person in Ramp can clear it: a `manual` change says so


class Input(StrEnum):
    """What a manifest may write for a plain (not nested) field; `rampctl.manifest` checks it."""

    TEXT = "text"  #: any text
    NONEMPTY = "nonempty"  #: text that is not empty
    EMAIL = "email"  #: an email address (lower-cased)
    PHONE = "phone"  #: a phone number in E.164 form
    COUNTRY = "country"  #: an ISO 3166-1 alpha-2 country code
    FLAG = "flag"  #: true/false, yes/no or on/off
    CURRENCY = "currency"  #: an ISO 4217 currency code Ramp accepts
    DATE = "date"  #: a date, YYYY-MM-DD


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True, kw_only=True)
class FieldSpec:
    """One managed field of a kind.

    `path` is the manifest's name (and the live view's), `ramp` Ramp's field name in reads
    and request bodies. `normalise` is applied to the manifest's value and to Ramp's, so
    equal things compare equal. `sensitive` values never reach output, plan or state files;
    `drift` says Ramp (a person in Ramp, or Ramp itself) can change the value, so a
    difference from the last apply is reported as drift.
    """

    path: str
    ramp: str
    normalise: Callable[[Any], Any] = _same
    sensitive: bool = False
    drift: bool = True
    #: Written by Ramp's create request; otherwise a follow-up update sets it after create.
    create: bool = True
    #: Ramp's update request can change it; otherwise a change is `manual`.
    update: bool = True
    on_clear: OnClear = OnClear.SEND
    #: Why a person must make a change in Ramp (for `update=False` or `OnClear.MANUAL`).
    manual_reason: str = ""
    #: What the update request carries to clear the field (Ramp takes no null for some).
    clear_value: Any = None
    #: Ramp's value when a create leaves the field out (a follow-up is needed only if different).
    ramp_default: Any = None
    #: In the manifest's spec (False: a value only Ramp holds, shown in the live view).
    manifest: bool = True
    #: In the live view (False: read and compared on its own, e.g. the vendor contact).
    view: bool = True
    #: Whether `ignore_changes` may name it (and its parts).
    ignorable: bool = True
    #: Another object it names, resolved by the engine: `user` (by email), `accounting_vendor`.
    reference: str | None = None
    #: Sub-fields of a nested value (a postal address), compared part by part.
    parts: tuple[FieldSpec, ...] = ()
    #: The `Values` class of a nested value (its parts' typed form).
    value_type: type[Values] | None = None
    #: What the field is for, as the JSON Schema (`rampctl schema`) and editors show it.
    description: str = ""
    #: What a manifest may write; None: what `normalise` reads (`Input.TEXT` for text).
    input: Input | None = None
    #: A manifest must give it (otherwise it defaults to null: not managed).
    required: bool = False
    #: The only values a manifest may write (e.g. the roles Ramp accepts), when limited.
    choices: tuple[str, ...] = ()
    #: The most characters a manifest may write (Ramp's own limit), when limited.
    max_length: int | None = None

    def manifest_input(self) -> Input:
        """What a manifest may write for this plain field."""
        if self.parts:
            raise TypeError(f"{self.path} is nested: its manifest model is written by hand")
        return self.input or _INPUTS.get(self.normalise, Input.TEXT)

    def part(self, path: str) -> FieldSpec:
        """The sub-field named `path`."""
        for part in self.parts:
            if part.path == path:
                return part
        raise KeyError(f"{self.path} has no part {path!r}")


_INPUTS: dict[Callable[[Any], Any], Input] = {
    norm.email: Input.EMAIL,
    norm.phone: Input.PHONE,
    norm.flag: Input.FLAG,
}
_SPEC = "rampctl.field"


def declared(ramp: str, *, default: Any = None, **options: Any) -> Any:
    """An attribute of a `Values` class declared as a managed field: `FieldSpec` options.

    `parts_of=<Values class>` declares a nested value compared part by part.
    """
    return dataclasses.field(default=default, metadata={_SPEC: {"ramp": ramp, **options}})


_DECLARED: dict[type, tuple[FieldSpec, ...]] = {}


def declared_fields(values: type[Values]) -> tuple[FieldSpec, ...]:
    """The `FieldSpec`s of a `Values` class, in attribute order (worked out once per class)."""
    if values not in _DECLARED:
        _DECLARED[values] = _declare(values)
    return _DECLARED[values]


def _declare(values: type[Values]) -> tuple[FieldSpec, ...]:
    found: list[FieldSpec] = []
    for attribute in dataclasses.fields(values):
        if _SPEC not in attribute.metadata:
            continue  # not a field of the kind: what a value keeps about itself
        options = dict(attribute.metadata[_SPEC])
        parts_of = options.pop("parts_of", None)
        if parts_of is not None:
            options["parts"] = declared_fields(parts_of)
            options["value_type"] = parts_of
        found.append(FieldSpec(path=attribute.name, **options))
    return tuple(found)


@dataclass(frozen=True, kw_only=True)
class Values:
    """Typed, immutable values of a kind (or of a nested part) in manifest vocabulary.

    Subclasses declare each field with `declared(...)` (a plain dataclass attribute is
    not a field); the same class holds what a manifest asks for and what Ramp holds (a live
    view), so both compare attribute by attribute. `as_dict` is the JSON form the state
    records and fingerprints hash.
    """

    @classmethod
    def specs(cls) -> tuple[FieldSpec, ...]:
        """The declared fields of this class."""
        return declared_fields(cls)

    def get(self, path: str) -> Any:
        """The value at a dotted path (`address.city`); None below an absent value."""
        head, _, rest = path.partition(".")
        value = getattr(self, head)
        if not rest:
            return value
        return value.get(rest) if isinstance(value, Values) else None

    def as_dict(self) -> dict[str, JsonValue]:
        """The fields of the live view as JSON values (nested parts as objects)."""
        return {spec.path: _json(getattr(self, spec.path)) for spec in self.specs() if spec.view}

    @classmethod
    def of(cls, given: Mapping[str, object]) -> Self:
        """Values from declared values by manifest path (already normalised, e.g. read
        from Ramp by `engine.view`); a path not given keeps its default."""
        return cls(**given)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Values from their `as_dict` form (e.g. as recorded in the state); unknown keys left."""
        given: dict[str, Any] = {}
        for spec in cls.specs():
            if spec.path in data:
                value = data[spec.path]
                if spec.value_type is not None and isinstance(value, dict):
                    value = spec.value_type.from_dict(value)
                given[spec.path] = tuple(value) if isinstance(value, list) else value
        return cls(**given)


def _json(value: object) -> JsonValue:
    """A declared value as JSON: nested values as objects, tuples (and lists) as lists."""
    if isinstance(value, Values):
        return dict(value.as_dict())
    if isinstance(value, tuple | list):
        return [_json(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"not a JSON value: {value!r}")


@dataclass(frozen=True, kw_only=True)
class KindSpec:
    """A kind: its address kind, manifest kind, managed fields and manifest-only settings.

    `key` names the field that identifies the object in Ramp across runs (the adoption
    key); `settings` are spec entries that say how rampctl manages the object rather than
    what Ramp holds (`protect`, `ignore_changes`).
    """

    kind: str
    manifest_kind: str
    fields: tuple[FieldSpec, ...]
    key: str
    settings: tuple[str, ...] = ()
    #: The typed values class whose attributes declare `fields`, when the kind has one.
    values: type[Values] | None = None

    def __iter__(self) -> Iterator[FieldSpec]:
        return iter(self.fields)

    def field(self, path: str) -> FieldSpec:
        """The field named `path` (its first dotted part for a nested path)."""
        head, _, rest = path.partition(".")
        for spec in self.fields:
            if spec.path == head:
                return spec.part(rest) if rest else spec
        raise KeyError(f"{self.manifest_kind} has no field {path!r}")

    def manifest_fields(self) -> tuple[FieldSpec, ...]:
        """The fields a manifest's spec can set."""
        return tuple(f for f in self.fields if f.manifest)

    def managed(self) -> tuple[str, ...]:
        """Manifest fields whose value plan compares with Ramp's (not the key)."""
        return tuple(f.path for f in self.fields if f.manifest and f.view and f.path != self.key)

    def view_fields(self) -> tuple[FieldSpec, ...]:
        """The fields of the live view, in its order."""
        return tuple(f for f in self.fields if f.view)

    def ignorable_paths(self) -> tuple[str, ...]:
        """Field paths that `ignore_changes` may name: each ignorable field, then its parts."""
        paths: list[str] = []
        for spec in self.fields:
            if spec.manifest and spec.ignorable:
                paths.append(spec.path)
                paths += [f"{spec.path}.{part.path}" for part in spec.parts]
        return tuple(paths)

    def sensitive_paths(self) -> tuple[str, ...]:
        """Dotted paths of every sensitive field and part."""
        found = [f.path for f in self.fields if f.sensitive]
        for spec in self.fields:
            found += [f"{spec.path}.{p.path}" for p in spec.parts if p.sensitive]
        return tuple(found)
