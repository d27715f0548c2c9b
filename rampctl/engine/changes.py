"""Changes: small immutable values that say what apply will do to one address.

Each change has a fixed place in the apply order (its level), a symbol for the
human plan, and a JSON form for plan files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Self

from pydantic import JsonValue, SerializerFunctionWrapHandler, TypeAdapter, WrapSerializer

from rampctl.sensitive import MASK, is_sensitive


class Action(StrEnum):
    """What a change does."""

    CREATE = "create"
    ADOPT = "adopt"
    UPDATE = "update"
    DEACTIVATE = "deactivate"
    DELETE = "delete"
    ARCHIVE = "archive"
    FORGET = "forget"
    MANUAL = "manual"
    PENDING = "pending_approval"


SYMBOLS = {
    Action.CREATE: "+",
    Action.ADOPT: "~",
    Action.UPDATE: "~",
    Action.DEACTIVATE: "-",
    Action.DELETE: "-",
    Action.ARCHIVE: "-",
    Action.FORGET: "-",
    Action.MANUAL: "!",
    Action.PENDING: "~",
}

#: Actions that remove an object from Ramp's active set (counted by the safety rules).
REMOVALS = frozenset({Action.DEACTIVATE, Action.DELETE, Action.ARCHIVE})
#: Actions that write nothing to Ramp: what a person must do, or what waits for an approver.
NO_WRITE = frozenset({Action.MANUAL, Action.PENDING})


class Level:
    """Apply order: lower levels run first; within a level a change waits only for the
    changes it depends on (`rampctl.engine.apply.waves`)."""

    ACCOUNTING_VENDORS = 0
    USERS = 0  #: users are invited before the vendors they own
    VENDORS = 1
    VENDORS_AFTER_RELINK = 2
    VENDOR_REMOVALS = 3
    ACCOUNTING_VENDOR_REMOVALS = 4
    BILLS = 5
    BILL_REMOVALS = 6
    USER_REMOVALS = 7  #: users are deactivated after the vendors they owned are gone
    NONE = 9


#: A request body: JSON by Ramp's field names (what apply sends; plan files show it).
Body = dict[str, JsonValue]


@dataclass(frozen=True, kw_only=True)
class FieldChange:
    """One field's value before and after, by dotted path (e.g. `address.city`)."""

    path: str
    before: JsonValue
    after: JsonValue


def _masked(change: FieldChange, dump: SerializerFunctionWrapHandler) -> Body:
    """A field change's plan-file form: a sensitive value is masked, never written."""
    data: Body = dump(change)
    if is_sensitive(change.path):
        data.update(before=MASK, after=MASK)
    return data


#: Field changes as values of a change or drift item, masked in their JSON form.
FieldChanges = tuple[Annotated[FieldChange, WrapSerializer(_masked)], ...]

_ADAPTERS: dict[type[PlanForm], TypeAdapter[PlanForm]] = {}


def _adapter(kind: type[PlanForm]) -> TypeAdapter[PlanForm]:
    """Pydantic's reader and writer for a change class (built on first use, then kept)."""
    if kind not in _ADAPTERS:
        _ADAPTERS[kind] = TypeAdapter(kind)
    return _ADAPTERS[kind]


class PlanForm:
    """The plan-file (JSON) form of a change value, by pydantic from its fields."""

    def to_json(self) -> Body:
        """The plan-file form."""
        data: Body = _adapter(type(self)).dump_python(self, mode="json")
        return data

    @classmethod
    def from_json(cls, data: Body) -> Self:
        """Read the plan-file form (pydantic validates it)."""
        found = _adapter(cls).validate_python(data)
        assert isinstance(found, cls)
        return found


@dataclass(frozen=True, kw_only=True)
class Change(PlanForm):
    """What apply will do to one address, and the request it will send.

    `request` is the exact API body (or None for state-only changes) and
    `followup` an update body sent right after a create, for fields the create
    endpoint does not take; `contacts` are vendor contacts to create after that (one
    `POST /vendors/{id}/contacts` body each); `fields` is what a reviewer reads.
    `ramp_id` is None only for creates.
    """

    address: str
    kind: str
    action: Action
    name: str
    ramp_id: str | None = None
    key: str | None = None
    fields: FieldChanges = ()
    reason: str = ""
    request: Body | None = None
    followup: Body | None = None
    contacts: tuple[Body, ...] = ()
    depends_on: tuple[str, ...] = ()
    level: int = Level.NONE
    protect: bool = False

    @property
    def symbol(self) -> str:
        """The plan symbol: + ~ - !"""
        return SYMBOLS[self.action]

    def sort_key(self) -> tuple[int, str, str]:
        """Apply order: dependency level, then address, then action (so the order is total)."""
        return (self.level, self.address, self.action.value)


@dataclass(frozen=True, kw_only=True)
class Drift(PlanForm):
    """What changed in Ramp since the last apply, for one managed address."""

    address: str
    kind: str
    name: str
    deleted: bool = False
    fields: FieldChanges = ()


@dataclass(frozen=True, kw_only=True)
class Unmanaged(PlanForm):
    """A live object that no manifest and no state entry claims."""

    kind: str
    ramp_id: str
    name: str
    key: str | None = None


@dataclass(frozen=True, kw_only=True)
class Summary:
    """Counts per action, for the summary line."""

    counts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, changes: list[Change]) -> Summary:
        """Count `changes` by action."""
        counts: dict[str, int] = {}
        for change in changes:
            counts[change.action.value] = counts.get(change.action.value, 0) + 1
        return cls(counts=counts)
