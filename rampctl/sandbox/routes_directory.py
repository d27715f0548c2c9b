"""Read-only directory endpoints: `GET /business`, users, entities, departments, locations."""

from __future__ import annotations

from typing import Any

from rampctl.sandbox.api import Ctx, Endpoint, Reply, paginate, public, require
from rampctl.sandbox.problems import not_found
from rampctl.sandbox.store import Filter

USER_FILTERS = ("employee_id", "role", "entity_id", "department_id", "location_id")
ENTITY_FILTERS = ("currency", "entity_name", "is_primary")


def business(ctx: Ctx) -> Reply:
    """The business the token belongs to."""
    found = ctx.store.find("business")
    if not found:
        raise not_found("business", "current")
    return Reply(body=public(found[0]))


def list_users(ctx: Ctx) -> Reply:
    """A page of users, filtered by email (case-insensitive), role, entity and the like."""
    filters = [
        Filter(path=f"$.{k}", op="=", value=ctx.query[k]) for k in USER_FILTERS if k in ctx.query
    ]
    if "email" in ctx.query:
        filters.append(Filter(path="$.email", op="=", value=str(ctx.query["email"]).lower()))
    return paginate(ctx, "user", filters, public)


def get_user(ctx: Ctx) -> Reply:
    """One user by id."""
    user_id = ctx.params["user_id"]
    return Reply(body=public(require(ctx.store.get("user", user_id), "user", user_id)))


def list_entities(ctx: Ctx) -> Reply:
    """A page of entities with their accounts (bill-pay bank accounts among them)."""
    filters = [
        Filter(path=f"$.{k}", op="=", value=ctx.query[k]) for k in ENTITY_FILTERS if k in ctx.query
    ]
    return paginate(ctx, "entity", filters, public)


def get_entity(ctx: Ctx) -> Reply:
    """One entity by id."""
    entity_id = ctx.params["entity_id"]
    return Reply(body=public(require(ctx.store.get("entity", entity_id), "entity", entity_id)))


def list_departments(ctx: Ctx) -> Reply:
    """A page of departments (`{id, name}`)."""
    return paginate(ctx, "department", [], public)


def get_department(ctx: Ctx) -> Reply:
    """One department by id."""
    found = ctx.store.get("department", ctx.params["department_id"])
    return Reply(body=public(require(found, "department", ctx.params["department_id"])))


def list_locations(ctx: Ctx) -> Reply:
    """A page of locations (`{id, name, entity_id}`), filtered by entity."""
    filters = [
        Filter(path="$.entity_id", op="=", value=ctx.query[k])
        for k in ("entity_id",)
        if k in ctx.query
    ]
    return paginate(ctx, "location", filters, public)


def get_location(ctx: Ctx) -> Reply:
    """One location by id."""
    found = ctx.store.get("location", ctx.params["location_id"])
    return Reply(body=public(require(found, "location", ctx.params["location_id"])))


def bill_pay_account_ids_of(entity: dict[str, Any]) -> set[str]:
    """The bank account ids of an entity's BILL_PAY_BANK_ACCOUNT accounts."""
    return {
        str(a["bank_account_id"])
        for a in entity.get("accounts", [])
        if a.get("usage_type") == "BILL_PAY_BANK_ACCOUNT" and a.get("bank_account_id")
    }


ENDPOINTS = [
    Endpoint(method="GET", template="/business", scope="business:read", handler=business),
    Endpoint(method="GET", template="/users", scope="users:read", handler=list_users),
    Endpoint(method="GET", template="/users/{user_id}", scope="users:read", handler=get_user),
    Endpoint(method="GET", template="/entities", scope="entities:read", handler=list_entities),
    Endpoint(
        method="GET", template="/entities/{entity_id}", scope="entities:read", handler=get_entity
    ),
    Endpoint(
        method="GET", template="/departments", scope="departments:read", handler=list_departments
    ),
    Endpoint(
        method="GET",
        template="/departments/{department_id}",
        scope="departments:read",
        handler=get_department,
    ),
    Endpoint(method="GET", template="/locations", scope="locations:read", handler=list_locations),
    Endpoint(
        method="GET",
        template="/locations/{location_id}",
        scope="locations:read",
        handler=get_location,
    ),
]
