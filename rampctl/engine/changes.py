"""Changes: small immutable values that say what apply will do to one address.

Each change has a fixed place in the apply order (its level), a symbol for the
human plan, and a JSON form for plan files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

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
    """Apply order: lower levels run first; changes within one level are independent."""

    ACCOUNTING_VENDORS = 0
    VENDORS = 1
    VENDORS_AFTER_RELINK = 2
    VENDOR_REMOVALS = 3
    ACCOUNTING_VENDOR_REMOVALS = 4
    BILLS = 5
    BILL_REMOVALS = 6
    NONE = 9


@dataclass(frozen=True, kw_only=True)
class FieldChange:
    """One field's value before and after, by dotted path (e.g. `address.city`)."""

    path: str
    before: Any
    after: Any

    def to_json(self) -> dict[str, Any]:
        """The plan-file form; sensitive values are masked, never written to a plan file."""
        if is_sensitive(self.path):
            return {"path": self.path, "before": MASK, "after": MASK}
        return {"path": self.path, "before": self.before, "after": self.after}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FieldChange:
        """Read the plan-file form."""
        return cls(path=data["path"], before=data["before"], after=data["after"])


@dataclass(frozen=True, kw_only=True)
class Change:
    """What apply will do to one address, and the request it will send.

    `request` is the exact API body (or None for state-only changes) and
    `followup` an update body sent right after a create, for fields the create
    endpoint does not take; `fields` is what a reviewer reads. `ramp_id` is None
    only for creates.
    """

    address: str
    kind: str
    action: Action
    name: str
    ramp_id: str | None = None
    key: str | None = None
    fields: tuple[FieldChange, ...] = ()
    reason: str = ""
    request: dict[str, Any] | None = None
    followup: dict[str, Any] | None = None
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

    def to_json(self) -> dict[str, Any]:
        """The plan-file form."""
        return {
            "address": self.address,
            "kind": self.kind,
            "action": self.action.value,
            "name": self.name,
            "ramp_id": self.ramp_id,
            "key": self.key,
            "fields": [f.to_json() for f in self.fields],
            "reason": self.reason,
            "request": self.request,
            "followup": self.followup,
            "depends_on": list(self.depends_on),
            "level": self.level,
            "protect": self.protect,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Change:
        """Read the plan-file form."""
        return cls(
            address=data["address"],
            kind=data["kind"],
            action=Action(data["action"]),
            name=data["name"],
            ramp_id=data["ramp_id"],
            key=data["key"],
            fields=tuple(FieldChange.from_json(f) for f in data["fields"]),
            reason=data["reason"],
            request=data["request"],
            followup=data["followup"],
            depends_on=tuple(data["depends_on"]),
            level=data["level"],
            protect=data["protect"],
        )


@dataclass(frozen=True, kw_only=True)
class Drift:
    """What changed in Ramp since the last apply, for one managed address."""

    address: str
    kind: str
    name: str
    fields: tuple[FieldChange, ...] = ()
    deleted: bool = False

    def to_json(self) -> dict[str, Any]:
        """The plan-file form."""
        return {
            "address": self.address,
            "kind": self.kind,
            "name": self.name,
            "deleted": self.deleted,
            "fields": [f.to_json() for f in self.fields],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Drift:
        """Read the plan-file form."""
        return cls(
            address=data["address"],
            kind=data["kind"],
            name=data["name"],
            deleted=data["deleted"],
            fields=tuple(FieldChange.from_json(f) for f in data["fields"]),
        )


@dataclass(frozen=True, kw_only=True)
class Unmanaged:
    """A live object that no manifest and no state entry claims."""

    kind: str
    ramp_id: str
    name: str
    key: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The plan-file form."""
        return {"kind": self.kind, "ramp_id": self.ramp_id, "name": self.name, "key": self.key}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Unmanaged:
        """Read the plan-file form."""
        return cls(kind=data["kind"], ramp_id=data["ramp_id"], name=data["name"], key=data["key"])


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
