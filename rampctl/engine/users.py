"""Planning for User manifests: invite, update, reactivate, and deactivate removed users.

A user is matched by the id in the state, else by email among Ramp's users (an invite
waiting to be accepted, `INVITE_PENDING`, counts as present). A missing user is invited
through `POST /users/deferred` with an `idempotency_key` derived from the business, the
manifest address and the email: nothing a crash can change (not the state's lineage, which
a state never written yet does not have), so the invite a crashed apply may have sent is
the same invite when sent again. Apply journals each invite's body before sending it and
resends exactly that body before planning (`rampctl.engine.settle`), so an edit made after
the crash never meets the earlier key with another body. Users are never deleted: a removed
manifest deactivates.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace

from pydantic import JsonValue

from rampctl.engine.changes import Action, Body, Change, FieldChange, Level
from rampctl.engine.diff import diff_fields
from rampctl.engine.kind_plan import KindPlan, cannot_clear, clear_problems, problem_at
from rampctl.engine.snapshot import Snapshot
from rampctl.engine.user_directory import named, resolve
from rampctl.engine.view import fingerprint, user_view
from rampctl.engine.writes import REF
from rampctl.errors import Problem
from rampctl.model import address as addr
from rampctl.model.desired import DesiredGraph, DesiredUser
from rampctl.model.kinds.user import INACTIVE, OWNER_ROLES, USER
from rampctl.ramp.models import User, UserInvite, UserUpdate
from rampctl.state.model import ResourceState, State

#: Namespace of invite idempotency keys (uuid5 of business, address and email).
INVITE_NAMESPACE = uuid.UUID("5f0c2f8e-6f1e-4d0a-9a57-2f7b3c1d9e42")
OWNER_ROLE = (
    "this user is the business owner: Ramp's API cannot change the owner's role (transfer "
    "ownership in Ramp first, or add `ignore_changes: [role]` to the manifest)"
)
"""Why the business owner's role change is `! manual`."""
OWNER_DEACTIVATION = (
    "the business owner cannot be deactivated through Ramp's API: transfer ownership in Ramp "
    "first, or declare the user again (`rampctl state rm` forgets it without deactivating)"
)
"""Why removing the business owner's manifest is `! manual`."""
EMAIL_CHANGE = (
    "Ramp's API cannot change a user's email, and a new email may mean another person: change "
    "the email in Ramp (the next plan then agrees), or declare another person in a new "
    "manifest (removing this one deactivates the user); nothing is sent to this user meanwhile"
)
"""Why a changed `spec.email` of a managed user is `! manual`."""


def invite_key(business_id: str, address: str, email: str) -> str:
    """The invite's idempotency key: the same for the same business, manifest and email."""
    return str(uuid.uuid5(INVITE_NAMESPACE, f"{business_id}/{address}/{email}"))


def plan_users(graph: DesiredGraph, snapshot: Snapshot, state: State) -> KindPlan:
    """The changes for every User manifest, and for managed users no manifest declares."""
    changes: list[Change] = []
    problems: list[Problem] = []
    prints: dict[str, str] = {}
    claims: dict[str, str] = {}
    for address, declared in sorted(graph.users.items()):
        values, unknown = resolve(declared, snapshot)
        desired = replace(declared, fields=values)
        live = _match(desired, snapshot, state)
        problems += unknown + _check(desired, graph, snapshot, live)
        if live is None:
            changes.append(_invite(desired, graph, snapshot))
            continue
        claims[live.id] = address
        prints[address] = fingerprint(user_view(live, snapshot.users))
        found, cleared = _plan_live(desired, live, graph, snapshot, state)
        changes += found
        problems += cleared
    # only the few managed users no manifest declares are sorted, not the whole state
    left = [(a, e) for a, e in state.resources.items() if e.kind == addr.USER]
    for address, entry in sorted(left):
        if address not in graph.users:
            change = _removal(address, entry, snapshot)
            changes.append(change)
            view = users_live_view(snapshot.users, entry.ramp_id)
            if change.action is Action.DEACTIVATE and view is not None:
                prints[address] = fingerprint(view)
    return KindPlan(
        changes=tuple(changes), problems=tuple(problems), fingerprints=prints, claims=claims
    )


def _match(desired: DesiredUser, snapshot: Snapshot, state: State) -> User | None:
    entry = state.resources.get(desired.address)
    if entry is not None and entry.ramp_id in snapshot.users:
        return snapshot.users[entry.ramp_id]
    return snapshot.users_by_email.get(desired.key)


def _check(
    desired: DesiredUser, graph: DesiredGraph, snapshot: Snapshot, live: User | None
) -> list[Problem]:
    """The direct manager exists (in Ramp or as a User manifest) and, when plan would send
    it, is not a user deactivated in Ramp that no manifest reactivates."""
    manager = desired.fields.direct_manager
    if not manager or graph.user_by_email(manager):
        return []
    found = snapshot.users_by_email.get(manager)
    if found is None:
        message = f"no Ramp user and no User manifest has the email {manager!r}"
    elif found.status == INACTIVE and (live is None or live.manager_id != found.id):
        message = (
            f"the direct manager {manager} is deactivated in Ramp: name another, or declare "
            "them with a User manifest (which reactivates them first)"
        )
    else:
        return []
    return [problem_at(desired, "spec.direct_manager", message)]


def user_ref(email: str | None, graph: DesiredGraph, snapshot: Snapshot) -> str | None:
    """A user's Ramp id by email, or `ref:<address>` for a User manifest not yet in Ramp."""
    if not email:
        return None
    live = snapshot.users_by_email.get(email)
    if live is not None:
        return live.id
    declared = graph.user_by_email(email)
    return REF + declared.address if declared else None


def _invite(desired: DesiredUser, graph: DesiredGraph, snapshot: Snapshot) -> Change:
    f = desired.fields
    body: Body = {
        "email": f.email,
        "first_name": f.first_name,
        "last_name": f.last_name,
        "role": f.role,
        "idempotency_key": invite_key(snapshot.business.id, desired.address, desired.key),
        "department_id": f.department,
        "location_id": f.location,
        "direct_manager_id": user_ref(f.direct_manager, graph, snapshot),
        "employee_id": f.employee_id,
        "is_manager": f.is_manager,
    }
    request = UserInvite.model_validate({k: v for k, v in body.items() if v is not None}).to_body()
    shown = desired.wanted(f) | {"email": f.email}
    return Change(
        address=desired.address,
        kind=addr.USER,
        action=Action.CREATE,
        name=_name(f.first_name, f.last_name, desired.key),
        key=desired.key,
        fields=tuple(
            named(FieldChange(path=k, before=None, after=v), snapshot)
            for k, v in sorted(shown.items())
        ),
        request=request,
        depends_on=tuple(desired.depends_on),
        level=Level.USERS,
        protect=desired.protect,
        reason="invited: Ramp sends the invitation email",
    )


def _plan_live(
    desired: DesiredUser, live: User, graph: DesiredGraph, snapshot: Snapshot, state: State
) -> tuple[list[Change], list[Problem]]:
    """The changes for a user Ramp has, and the fields the manifest clears that Ramp's update
    cannot clear (as the kind declares: `on_clear`), which are never sent."""
    view = user_view(live, snapshot.users)
    wanted = {k: v for k, v in desired.wanted(desired.fields).items() if k not in desired.ignore}
    fields = diff_fields(view, wanted)
    problems = clear_problems(USER, desired, fields)
    fields = [f for f in fields if not cannot_clear(USER, f)]
    email = _email_change(desired, live)
    if email is not None:
        shown = [email, *(named(f, snapshot) for f in fields)]
        reason = EMAIL_CHANGE + _email_taken(desired.key, live, snapshot)
        return [_manual(desired.address, live, desired.key, shown, reason)], problems
    return _changes_for_live(desired, live, fields, (graph, snapshot), state), problems


def _email_change(desired: DesiredUser, live: User) -> FieldChange | None:
    """The manifest's email when it is not the email of the user the state holds for it."""
    current = USER.field("email").normalise(live.email)
    if current is None or current == desired.key:
        return None
    return FieldChange(path="email", before=current, after=desired.key)


def _email_taken(email: str, live: User, snapshot: Snapshot) -> str:
    """Why Ramp would also refuse the new email in Ramp itself: another user has it."""
    other = snapshot.users_by_email.get(email)
    if other is None or other.id == live.id:
        return ""
    return (
        f". {email} is already the email of another Ramp user ({other.id}): to manage that "
        "user, declare them in a manifest of their own"
    )


def _changes_for_live(
    desired: DesiredUser,
    live: User,
    fields: list[FieldChange],
    refs: tuple[DesiredGraph, Snapshot],
    state: State,
) -> list[Change]:
    manual = _owner_role(live, fields)
    owner = [_manual(desired.address, live, desired.key, manual, OWNER_ROLE)] if manual else []
    fields = [f for f in fields if f not in manual]
    adopting = desired.address not in state.resources
    if not fields and live.status != INACTIVE and not adopting:
        return owner
    return [*owner, _update(desired, live, fields, adopting, refs)]


def _update(
    desired: DesiredUser,
    live: User,
    fields: list[FieldChange],
    adopting: bool,
    refs: tuple[DesiredGraph, Snapshot],
) -> Change:
    """The update (or adoption, or reactivation) of a user Ramp has."""
    body = {USER.field(f.path).ramp: _value(desired, f.path, *refs) for f in fields}
    if "manager_id" in body:
        body["direct_manager_id"] = body.pop("manager_id")
    inactive = live.status == INACTIVE
    shown = [named(f, refs[1]) for f in fields]
    if inactive:
        shown.insert(0, FieldChange(path="status", before=INACTIVE, after="USER_ACTIVE"))
    return Change(
        address=desired.address,
        kind=addr.USER,
        action=Action.ADOPT if adopting else Action.UPDATE,
        name=_name(live.first_name, live.last_name, desired.key),
        ramp_id=live.id,
        key=desired.key,
        fields=tuple(shown),
        request=UserUpdate.model_validate(body).to_body() if body else None,
        followup={"reactivate": True} if inactive else None,
        depends_on=tuple(desired.depends_on),
        level=Level.USERS,
        protect=desired.protect,
        reason="reactivated (deactivated in Ramp)" if inactive else "",
    )


def _owner_role(live: User, fields: list[FieldChange]) -> list[FieldChange]:
    """The role change Ramp refuses: the business owner's (ownership moves in Ramp only)."""
    if live.role not in OWNER_ROLES:
        return []
    return [f for f in fields if f.path == "role"]


def _manual(
    address: str, live: User, key: str | None, fields: list[FieldChange], reason: str
) -> Change:
    """A user change rampctl shows but never sends, and why."""
    return Change(
        address=address,
        kind=addr.USER,
        action=Action.MANUAL,
        name=_name(live.first_name, live.last_name, live.email or address),
        ramp_id=live.id,
        key=key,
        fields=tuple(fields),
        reason=reason,
    )


def _value(desired: DesiredUser, path: str, graph: DesiredGraph, snapshot: Snapshot) -> JsonValue:
    value: JsonValue = desired.fields.get(path)
    if path == "direct_manager":
        return user_ref(value if isinstance(value, str) else None, graph, snapshot)
    return value


def _removal(address: str, entry: ResourceState, snapshot: Snapshot) -> Change:
    live = snapshot.users.get(entry.ramp_id)
    name = str(entry.attributes.get("email") or addr.name_of(address))
    base = Change(
        address=address,
        kind=addr.USER,
        action=Action.FORGET,
        name=name,
        ramp_id=entry.ramp_id,
        key=entry.key,
        protect=entry.protect,
        reason="already gone or deactivated in Ramp; only the state entry is removed",
    )
    if live is None or live.status == INACTIVE:
        return base
    if live.role in OWNER_ROLES:
        return _manual(address, live, entry.key, [], OWNER_DEACTIVATION)
    return Change(
        address=address,
        kind=addr.USER,
        action=Action.DEACTIVATE,
        name=_name(live.first_name, live.last_name, name),
        ramp_id=live.id,
        key=entry.key,
        protect=entry.protect,
        level=Level.USER_REMOVALS,
        reason="no manifest declares this user any more: deactivated, never deleted",
    )


def _name(first: str | None, last: str | None, email: str) -> str:
    full = " ".join(p for p in (first, last) if p)
    return f"{full} <{email}>" if full else email


def users_live_view(users: Mapping[str, User], ramp_id: str) -> dict[str, JsonValue] | None:
    """The record form of a live user by Ramp id (None when Ramp has no such user)."""
    live = users.get(ramp_id)
    return user_view(live, users) if live else None
