"""The User kind: a person of the Ramp business (`/users`), who may own vendors.

Users are invited (`POST /users/deferred`, a task polled until it ends), updated, and
deactivated when their manifest is removed: never deleted. `email` is the key.
`department` and `location` are Ramp ids or names (resolved at plan by
`rampctl.engine.user_directory`); `direct_manager` is a user's email. The manifest's
spec model and its JSON Schema derive from these declarations (`rampctl.manifest.specs`).
"""

from __future__ import annotations

from dataclasses import dataclass

from rampctl.model import address as addr
from rampctl.model import normalise as norm
from rampctl.model.kinds.spec import Input, KindSpec, OnClear, Values, declared

PROBLEM = OnClear.PROBLEM

#: The roles Ramp accepts on invite and update (`BUSINESS_OWNER` is neither).
ROLES = (
    "AUDITOR",
    "BUSINESS_ADMIN",
    "BUSINESS_BOOKKEEPER",
    "BUSINESS_USER",
    "GUEST_USER",
    "IT_ADMIN",
)
#: The business owner's roles (2026 reads may say `UNBUNDLED_OWNER`): Ramp changes neither the
#: owner's role nor deactivates the owner through the API; ownership moves in Ramp itself.
OWNER_ROLES = frozenset({"BUSINESS_OWNER", "UNBUNDLED_OWNER"})


@dataclass(frozen=True, kw_only=True)
class UserValues(Values):
    """A user's managed fields, in manifest order; `email` is the key."""

    email: str | None = declared(
        "email",
        normalise=norm.email,
        update=False,
        ignorable=False,
        required=True,
        description="The user's email: their key in Ramp (never changes).",
    )
    first_name: str | None = declared(
        "first_name",
        normalise=norm.text,
        on_clear=PROBLEM,
        input=Input.NONEMPTY,
        required=True,
        description="First name (required to invite).",
    )
    last_name: str | None = declared(
        "last_name",
        normalise=norm.text,
        on_clear=PROBLEM,
        input=Input.NONEMPTY,
        required=True,
        description="Last name (required to invite).",
    )
    role: str | None = declared(
        "role",
        normalise=norm.text,
        on_clear=PROBLEM,
        choices=ROLES,
        required=True,
        description="Ramp role; only the roles Ramp accepts on invite and update.",
    )
    department: str | None = declared(
        "department_id",
        normalise=norm.text,
        on_clear=PROBLEM,
        input=Input.NONEMPTY,
        description="Department: its name in Ramp (case-blind) or its Ramp id.",
    )
    location: str | None = declared(
        "location_id",
        normalise=norm.text,
        on_clear=PROBLEM,
        input=Input.NONEMPTY,
        description="Location: its name in Ramp (case-blind) or its Ramp id.",
    )
    direct_manager: str | None = declared(
        "manager_id",
        normalise=norm.email,
        reference="user",
        on_clear=PROBLEM,
        description="Email of the user's manager: a Ramp user or a User manifest.",
    )
    employee_id: str | None = declared(
        "employee_id",
        normalise=norm.text,
        on_clear=PROBLEM,
        input=Input.NONEMPTY,
        description="Employee id from the HR system.",
    )
    is_manager: bool | None = declared(
        "is_manager",
        normalise=norm.flag,
        on_clear=PROBLEM,
        description="Whether the user is a manager.",
    )
    status: str | None = declared("status", normalise=norm.text, manifest=False, drift=False)


USER = KindSpec(
    kind=addr.USER,
    manifest_kind="User",
    key="email",
    settings=("protect", "ignore_changes"),
    fields=UserValues.specs(),
    values=UserValues,
)
"""The User kind's declaration."""

#: Ramp's user statuses that count as present (an invite waiting to be accepted included).
PRESENT = frozenset({"USER_ACTIVE", "INVITE_PENDING", "USER_ONBOARDING"})
INACTIVE = "USER_INACTIVE"
