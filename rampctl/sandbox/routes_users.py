"""User writes: invites as deferred tasks, updates, deactivation and reactivation.

`POST /users/deferred` answers 201 with a task id; the `idempotency_key` names the task, so a
resent invite (same key, same body) returns the same task and never makes a second user, and
the same key with another body is refused (400). The task answers `IN_PROGRESS` to the first
`settings.invite_task_steps` status reads, then creates the user as `INVITE_PENDING` and
answers `SUCCESS`; an invite for an email that already has a user ends as `ERROR`.
`BUSINESS_OWNER` can be neither invited nor assigned (Ramp: "Owner is not a invitable role").
"""

from __future__ import annotations

import uuid
from typing import Any

from rampctl.sandbox.api import Ctx, Endpoint, Reply, public, require
from rampctl.sandbox.problems import bad_request
from rampctl.sandbox.store import Filter, Store

NOT_ASSIGNABLE_ROLES = frozenset({"BUSINESS_OWNER"})
#: The business owner's roles (2026 reads may say `UNBUNDLED_OWNER`): the owner's role cannot
#: be changed and the owner cannot be deactivated; ownership moves in Ramp itself.
OWNER_ROLES = frozenset({"BUSINESS_OWNER", "UNBUNDLED_OWNER"})
INACTIVE = "USER_INACTIVE"
TASK_KEY = "$._idempotency_key"


def invite_user(ctx: Ctx) -> Reply:
    """Start (or find again, by idempotency key) the task that invites one user."""
    body: dict[str, Any] = ctx.body
    _check_role(body.get("role"))
    with ctx.store.transaction():
        found = ctx.store.find(
            "user_task", [Filter(path=TASK_KEY, op="=", value=body["idempotency_key"])]
        )
        if found:
            return Reply(status=201, body={"id": _same_request(found[0], body)})
        _check_references(ctx.store, body)
        task = _new_task(ctx, body)
        ctx.store.insert("user_task", task["id"], task)
    return Reply(status=201, body={"id": task["id"]})


def _same_request(task: dict[str, Any], body: dict[str, Any]) -> str:
    if task["_request"] != body:
        raise bad_request(
            "This idempotency_key was already used for a different invite", "idempotency_key"
        )
    return str(task["id"])


def _check_role(role: Any) -> None:
    if role in NOT_ASSIGNABLE_ROLES:
        raise bad_request(f"The role {role} cannot be invited or assigned", "role")


_REFERENCES = (
    ("direct_manager_id", "user"),
    ("department_id", "department"),
    ("location_id", "location"),
)


def _check_references(store: Store, body: dict[str, Any]) -> None:
    for field, kind in _REFERENCES:
        value = body.get(field)
        if value is not None and store.get(kind, value) is None:
            raise bad_request(f"No {kind} with this id", field)


def _new_task(ctx: Ctx, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "status": "STARTED",
        "data": {},
        "context": {"acting_user_id": _acting_user(ctx.store)},
        "_idempotency_key": body["idempotency_key"],
        "_request": body,
        "_steps_left": ctx.settings.invite_task_steps,
    }


def _acting_user(store: Store) -> str | None:
    owners = store.find("user", [Filter(path="$.role", op="=", value="BUSINESS_OWNER")])
    return str(owners[0]["id"]) if owners else None


def get_task(ctx: Ctx) -> Reply:
    """A task's status; each read moves an unfinished task one step towards its end."""
    task_id = ctx.params["task_id"]
    with ctx.store.transaction():
        task = require(ctx.store.get("user_task", task_id), "deferred task", task_id)
        if task["status"] in ("STARTED", "IN_PROGRESS"):
            _advance(ctx.store, task)
            ctx.store.put("user_task", task_id, task)
    out = public(task)
    if out["context"].get("acting_user_id") is None:
        out["context"] = {}
    return Reply(body=out)


def _advance(store: Store, task: dict[str, Any]) -> None:
    if task["_steps_left"] > 0:
        task["_steps_left"] -= 1
        task["status"] = "IN_PROGRESS"
        return
    request: dict[str, Any] = task["_request"]
    email = str(request["email"]).lower()
    if store.find("user", [Filter(path="$.email", op="=", value=email)]):
        task["status"] = "ERROR"
        task["data"] = {"error": f"A user with the email {email} already exists"}
        return
    user = _new_user(store, request, email)
    store.insert("user", user["id"], user)
    task["status"] = "SUCCESS"
    task["data"] = {"user_id": user["id"]}


def _new_user(store: Store, request: dict[str, Any], email: str) -> dict[str, Any]:
    business = store.find("business")
    return {
        "id": str(uuid.uuid4()),
        "email": email,
        "first_name": request["first_name"],
        "last_name": request["last_name"],
        "role": request["role"],
        "status": "INVITE_PENDING",
        "business_id": business[0]["id"] if business else None,
        "department_id": request.get("department_id"),
        "location_id": request.get("location_id"),
        "manager_id": request.get("direct_manager_id"),
        "entity_id": _entity_of(store, request.get("location_id")),
        "employee_id": request.get("employee_id"),
        "is_manager": bool(request.get("is_manager", False)),
        "custom_fields": [],
    }


def _entity_of(store: Store, location_id: str | None) -> str | None:
    """The entity a location belongs to, else the primary entity."""
    entities = store.find("entity")
    for entity in entities:
        if location_id is not None and location_id in entity.get("location_ids", []):
            return str(entity["id"])
    primary = [e for e in entities if e.get("is_primary")]
    return str(primary[0]["id"]) if primary else None


UPDATE_FIELDS = {
    "first_name": "first_name",
    "last_name": "last_name",
    "role": "role",
    "department_id": "department_id",
    "direct_manager_id": "manager_id",
    "location_id": "location_id",
    "employee_id": "employee_id",
    "is_manager": "is_manager",
}


def update_user(ctx: Ctx) -> Reply:
    """Change the fields sent (204, no body); the business owner's role stays."""
    body: dict[str, Any] = ctx.body
    _check_role(body.get("role"))
    with ctx.store.transaction():
        user = _get(ctx)
        if "role" in body and user["role"] in OWNER_ROLES and body["role"] != user["role"]:
            raise bad_request("The business owner's role cannot be changed", "role")
        if body.get("direct_manager_id") == user["id"]:
            raise bad_request("A user cannot be their own manager", "direct_manager_id")
        _check_references(ctx.store, body)
        for key, target in UPDATE_FIELDS.items():
            if key in body:
                user[target] = body[key]
        if "location_id" in body:
            user["entity_id"] = _entity_of(ctx.store, body["location_id"])
        ctx.store.put("user", user["id"], user)
    return Reply(status=204)


def deactivate_user(ctx: Ctx) -> Reply:
    """Deactivate a user (not the business owner; 400 when already inactive)."""
    with ctx.store.transaction():
        user = _get(ctx)
        if user["role"] in OWNER_ROLES:
            raise bad_request("The business owner cannot be deactivated")
        if user["status"] == INACTIVE:
            raise bad_request("This user is already deactivated")
        user["_status_before_deactivation"] = user["status"]
        user["status"] = INACTIVE
        ctx.store.put("user", user["id"], user)
    return Reply(body={})


def reactivate_user(ctx: Ctx) -> Reply:
    """Reactivate a deactivated user (back to the status it had; 400 when not deactivated)."""
    with ctx.store.transaction():
        user = _get(ctx)
        if user["status"] != INACTIVE:
            raise bad_request("Only a deactivated user can be reactivated")
        user["status"] = user.pop("_status_before_deactivation", "USER_ACTIVE")
        ctx.store.put("user", user["id"], user)
    return Reply(body={})


def _get(ctx: Ctx) -> dict[str, Any]:
    user_id = ctx.params["user_id"]
    return require(ctx.store.get("user", user_id), "user", user_id)


_WRITE = "users:write"
ENDPOINTS = [
    Endpoint(method="POST", template="/users/deferred", scope=_WRITE, handler=invite_user),
    Endpoint(
        method="GET", template="/users/deferred/status/{task_id}", scope=_WRITE, handler=get_task
    ),
    Endpoint(method="PATCH", template="/users/{user_id}", scope=_WRITE, handler=update_user),
    Endpoint(
        method="PATCH",
        template="/users/{user_id}/deactivate",
        scope=_WRITE,
        handler=deactivate_user,
    ),
    Endpoint(
        method="PATCH",
        template="/users/{user_id}/reactivate",
        scope=_WRITE,
        handler=reactivate_user,
    ),
]
