"""The state file's content: what rampctl manages, per address, and the business it belongs to.

A `State` is plain data. Reading and writing it (atomically, under a lock) is `StateStore`'s job;
turning older file layouts into this one is `rampctl.state.upgrade`'s.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    TypeAdapter,
    field_validator,
)
from pydantic.dataclasses import dataclass

from rampctl.errors import StateError
from rampctl.sensitive import SENSITIVE_KEYS

FORMAT_VERSION = 1
"""The state file layout this rampctl writes; older layouts are upgraded on load."""

Attributes = dict[str, JsonValue]
"""Recorded values of one object, as JSON: what the state file stores for it."""


_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False, ser_json_inf_nan="constants")
"""No unknown field; no NaN or Infinity taken in; one put in behind validation's back is
written as `NaN` (not quietly as `null`), so that writing refuses it (see `serialise`)."""


@dataclass(slots=True, config=_STRICT)
class ResourceState:
    """What rampctl recorded about one managed object when it last applied it.

    A slotted pydantic dataclass rather than a `BaseModel`: a state holds one per managed
    object (100,000 at a large business), and a model's per-object `__dict__` and set of
    fields set cost about 1 KB more each. `model_copy`, `model_dump` and `model_validate`
    give it the model methods the rest of rampctl uses.
    """

    kind: Annotated[str, Field(min_length=1)]
    """The resource kind, e.g. `vendor`; the first segment of its address."""
    ramp_id: Annotated[str, Field(min_length=1)]
    """Ramp's id of the object. Not a stable identity across businesses; never reuse elsewhere."""
    fingerprint: str
    """Hash of the managed attributes as last applied; compared with live to detect drift."""
    attributes: Attributes = Field(default_factory=dict)
    """The managed, non-sensitive attributes as last applied: shows field-level drift only."""
    depends_on: list[str] = Field(default_factory=list)
    """Addresses this object depends on, so deletes are ordered even after the manifest is gone."""
    protect: bool = False
    """When true, deleting or deactivating this object needs an explicit flag."""
    key: str | None = None
    """The adoption key kept in Ramp (e.g. `external_vendor_id`), used to find the object again."""

    def model_copy(self, *, update: Mapping[str, object] | None = None) -> ResourceState:
        """A copy with the fields in `update` replaced (validated, like the constructor)."""
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return _ENTRY.validate_python({**fields, **(update or {})})

    def model_dump(self, *, mode: Literal["json", "python"] = "python") -> dict[str, JsonValue]:
        """The entry as a dict of its fields (as the state file stores it)."""
        dumped: dict[str, JsonValue] = _ENTRY.dump_python(self, mode=mode)
        return dumped

    @classmethod
    def model_validate(cls, value: object) -> ResourceState:
        """An entry from its dict form; pydantic's ValidationError when it is not one."""
        return _ENTRY.validate_python(value)


_ENTRY: TypeAdapter[ResourceState] = TypeAdapter(ResourceState)


class State(BaseModel):
    """The whole state file: format, serial and lineage, binding, and the managed objects."""

    model_config = _STRICT

    format_version: int
    """Layout version of the file; see `rampctl.state.upgrade`."""
    serial: int = Field(ge=0)
    """Increases by one on every write; a write based on an older serial is refused."""
    lineage: str = Field(min_length=1)
    """Random id fixed at creation; a file of another lineage is never overwritten."""
    environment: str | None
    """The Ramp API base URL this state belongs to (None until the first apply binds it)."""
    business_id: str | None
    """The Ramp business id this state belongs to (None until the first apply binds it)."""
    resources: dict[str, ResourceState]
    """Managed objects keyed by address, e.g. `vendor/acme-cloud`."""
    capabilities: dict[str, JsonValue] = Field(default_factory=dict)
    """What the bound Ramp business's API can do, found out on first contact and kept
    (`external_vendor_id`: whether it is returned and filtered by)."""

    @field_validator("resources")
    @classmethod
    def _addresses_have_a_kind(cls, value: dict[str, ResourceState]) -> dict[str, ResourceState]:
        for address in value:
            if not is_address(address):
                raise ValueError(f"{address!r} is not an address of the form kind/name")
        return value

    @classmethod
    def new(cls) -> State:
        """An empty, unbound state with a fresh lineage and serial 0."""
        return cls(
            format_version=FORMAT_VERSION,
            serial=0,
            lineage=str(uuid.uuid4()),
            environment=None,
            business_id=None,
            resources={},
        )

    def check_binding(self, environment: str, business_id: str) -> None:
        """Raise StateError when this state belongs to another Ramp environment or business.

        An unbound state (a new one) passes; `bind` records the binding.
        """
        if self.environment is not None and _url(self.environment) != _url(environment):
            raise StateError(
                f"the state file belongs to the Ramp environment {self.environment}, "
                f"not {environment}; use the matching --env/--state, or another state file"
            )
        if self.business_id is not None and self.business_id != business_id:
            raise StateError(
                f"the state file belongs to Ramp business {self.business_id}, not {business_id}; "
                "use the state file of that business"
            )

    def bind(self, environment: str, business_id: str) -> State:
        """A copy bound to this environment and business (after `check_binding`)."""
        self.check_binding(environment, business_id)
        return self.model_copy(update={"environment": environment, "business_id": business_id})

    def with_resource(self, address: str, resource: ResourceState) -> State:
        """A copy with `address` set to `resource` (added or replaced)."""
        return self.with_resources({address: resource})

    def with_resources(self, resources: Mapping[str, ResourceState]) -> State:
        """A copy with every address of `resources` set (added or replaced), in one copy."""
        for address in resources:
            if not is_address(address):
                raise StateError(f"{address!r} is not an address of the form kind/name")
        return self.model_copy(update={"resources": {**self.resources, **resources}})

    def without_resource(self, address: str) -> State:
        """A copy without `address`; StateError when it is not in the state."""
        if address not in self.resources:
            raise StateError(f"no resource {address!r} in the state")
        rest = {a: r for a, r in self.resources.items() if a != address}
        return self.model_copy(update={"resources": rest})

    def dependents(self, address: str) -> list[str]:
        """Addresses whose `depends_on` names `address`, sorted."""
        return sorted(a for a, r in self.resources.items() if address in r.depends_on)


def is_address(text: str) -> bool:
    """Whether `text` looks like an address: a kind and a name separated by `/`."""
    kind, sep, name = text.partition("/")
    return bool(kind and sep and name) and text == text.strip()


def sensitive_paths(value: object, prefix: str = "") -> list[str]:
    """Dotted paths of keys in `value` (at any depth) named like sensitive data."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if str(key).lower() in SENSITIVE_KEYS:
                found.append(path)
            found += sensitive_paths(inner, path)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += sensitive_paths(inner, f"{prefix}[{index}]")
    return found


def _url(text: str) -> str:
    return text.rstrip("/").lower()
