"""Accounting endpoints: the API connection, accounting vendors, and vendor link rules.

A business has at most one active connection; accounting vendors belong to a connection
(the store parent) and are addressed by their Ramp id (`ramp_id`), while `id` is the ERP's
remote id. Deleting an accounting vendor deactivates it (PATCH `reactivate` undoes that).
"""

from __future__ import annotations

import uuid
from typing import Any

from rampctl.sandbox.api import Ctx, Endpoint, Reply, now_iso, paginate, public, require
from rampctl.sandbox.problems import ApiProblem, bad_request, not_found
from rampctl.sandbox.store import Filter, Store

MAX_UPLOAD = 500


def active_connection(store: Store) -> dict[str, Any] | None:
    """The active accounting connection, or None."""
    found = store.find("connection", [Filter(path="$.is_active", op="=", value=True)])
    return found[0] if found else None


def _require_connection(store: Store) -> dict[str, Any]:
    conn = active_connection(store)
    if conn is None:
        raise bad_request("The business has no active accounting connection")
    return conn


def remote_id_of(store: Store, ramp_id: str | None) -> str | None:
    """The remote id of a linked accounting vendor, if it belongs to the active connection."""
    if not ramp_id:
        return None
    conn = active_connection(store)
    if conn is None or store.parent_of("accounting_vendor", ramp_id) != conn["id"]:
        return None
    found = store.get("accounting_vendor", ramp_id)
    return None if found is None else str(found["id"])


def resolve_link(store: Store, body: dict[str, Any], vendor_id: str | None) -> str | None:
    """The accounting vendor (ramp id) a vendor create/update body links to, or None.

    Enforces: at most one of the two link fields; an active connection; the accounting
    vendor exists in it; it is not linked to another vendor.
    """
    remote = body.get("accounting_vendor_remote_id")
    option = body.get("vendor_tracking_category_option_id")
    if remote is not None and option is not None:
        raise bad_request(
            "Only one of accounting_vendor_remote_id and vendor_tracking_category_option_id "
            "may be given",
            "accounting_vendor_remote_id",
        )
    if remote is None and option is None:
        return None
    conn = _require_connection(store)
    ramp_id = _find_link_target(store, conn, remote, option)
    linked = store.find("vendor", [Filter(path="$._accounting_ramp_id", op="=", value=ramp_id)])
    if any(v["id"] != vendor_id for v in linked):
        field = "accounting_vendor_remote_id" if remote else "vendor_tracking_category_option_id"
        raise bad_request("This accounting vendor is already linked to another vendor", field)
    return ramp_id


def _find_link_target(
    store: Store, conn: dict[str, Any], remote: str | None, option: str | None
) -> str:
    if option is not None:
        found = store.get("accounting_vendor", option)
        if found is None or store.parent_of("accounting_vendor", option) != conn["id"]:
            raise bad_request(
                "No accounting vendor with this id", "vendor_tracking_category_option_id"
            )
        return option
    matches = store.find(
        "accounting_vendor", [Filter(path="$.id", op="=", value=remote)], parent=conn["id"]
    )
    if not matches:
        raise bad_request("No accounting vendor with this remote id", "accounting_vendor_remote_id")
    return str(matches[0]["ramp_id"])


def create_for_vendor(store: Store, name: str) -> str:
    """Create an accounting vendor named after a new vendor (the auto-create choice)."""
    conn = _require_connection(store)
    row = _new_accounting_vendor(f"RAMP-{uuid.uuid4().hex[:10].upper()}", name)
    store.insert("accounting_vendor", row["ramp_id"], row, parent=conn["id"])
    return str(row["ramp_id"])


def _new_accounting_vendor(remote_id: str, name: str, code: str | None = None) -> dict[str, Any]:
    stamp = now_iso()
    return {
        "ramp_id": str(uuid.uuid4()),
        "id": remote_id,
        "name": name,
        "code": code,
        "is_active": True,
        "is_synced": True,
        "created_at": stamp,
        "updated_at": stamp,
    }


def create_connection(ctx: Ctx) -> Reply:
    """Create the business's API accounting connection (one active at a time)."""
    if active_connection(ctx.store) is not None:
        raise bad_request("An accounting connection is already active")
    stamp = now_iso()
    conn = {
        "id": str(uuid.uuid4()),
        "created_at": stamp,
        "is_active": True,
        "last_linked_at": stamp,
        "remote_provider_name": ctx.body["remote_provider_name"],
        "status": "linked",
    }
    ctx.store.insert("connection", conn["id"], conn)
    return Reply(status=201, body=conn)


def get_connection(ctx: Ctx) -> Reply:
    """The active connection, or 404."""
    conn = active_connection(ctx.store)
    if conn is None:
        raise not_found("accounting connection", "current")
    return Reply(body=conn)


def delete_connection(ctx: Ctx) -> Reply:
    """Disconnect the active connection; its accounting vendors and links go with it."""
    with ctx.store.transaction():
        conn = active_connection(ctx.store)
        if conn is None:
            raise not_found("accounting connection", "current")
        conn.update(is_active=False, status="unlinked")
        ctx.store.put("connection", conn["id"], conn)
    return Reply(status=204)


def list_vendors(ctx: Ctx) -> Reply:
    """A page of the active connection's accounting vendors."""
    conn = _require_connection(ctx.store)
    filters = []
    if "remote_id" in ctx.query:
        filters.append(Filter(path="$.id", op="=", value=ctx.query["remote_id"]))
    for key in ("is_active", "is_synced"):
        if key in ctx.query:
            filters.append(Filter(path=f"$.{key}", op="=", value=ctx.query[key]))
    return paginate(ctx, "accounting_vendor", filters, public, parent=conn["id"], cursor="ramp_id")


def upload_vendors(ctx: Ctx) -> Reply:
    """Upload up to 500 new accounting vendors, all or nothing."""
    items: list[dict[str, Any]] = ctx.body["vendors"]
    with ctx.store.transaction():
        conn = _require_connection(ctx.store)
        _check_upload(ctx.store, conn, items)
        rows = [_new_accounting_vendor(str(i["id"]), str(i["name"])) for i in items]
        ctx.store.insert_many("accounting_vendor", [(r["ramp_id"], conn["id"], r) for r in rows])
    return Reply(status=201, body={"vendors": rows, "uploaded": [r["ramp_id"] for r in rows]})


def _check_upload(store: Store, conn: dict[str, Any], items: list[dict[str, Any]]) -> None:
    remote_ids = [str(i["id"]) for i in items]
    dupes = sorted({r for r in remote_ids if remote_ids.count(r) > 1})
    if dupes:
        raise bad_request(f"Duplicate ids in the batch: {', '.join(dupes)}", "vendors")
    existing = store.find(
        "accounting_vendor", [Filter(path="$.id", op="IN", value=remote_ids)], parent=conn["id"]
    )
    if existing:
        taken = ", ".join(sorted(str(e["id"]) for e in existing))
        raise bad_request(f"Accounting vendors already exist: {taken}", "vendors")


def _get_vendor(ctx: Ctx) -> dict[str, Any]:
    ramp_id = ctx.params["vendor_id"]
    return require(ctx.store.get("accounting_vendor", ramp_id), "accounting vendor", ramp_id)


def get_vendor(ctx: Ctx) -> Reply:
    """One accounting vendor by Ramp id."""
    return Reply(body=public(_get_vendor(ctx)))


def patch_vendor(ctx: Ctx) -> Reply:
    """Rename, recode (`""` clears the code) or reactivate an accounting vendor."""
    with ctx.store.transaction():
        row = _get_vendor(ctx)
        if "name" in ctx.body:
            row["name"] = ctx.body["name"]
        if "code" in ctx.body:
            row["code"] = ctx.body["code"] or None
        if ctx.body.get("reactivate") is True:
            row["is_active"] = True
        row["updated_at"] = now_iso()
        ctx.store.put("accounting_vendor", row["ramp_id"], row)
    return Reply(body=public(row))


def delete_vendor(ctx: Ctx) -> Reply:
    """Delete (deactivate) an accounting vendor."""
    with ctx.store.transaction():
        row = _get_vendor(ctx)
        if not row["is_active"]:
            raise ApiProblem(404, "DEVELOPER_7003", "Accounting vendor already deleted")
        row.update(is_active=False, updated_at=now_iso())
        ctx.store.put("accounting_vendor", row["ramp_id"], row)
    return Reply(status=204)


_READ, _WRITE = "accounting:read", "accounting:write"
ENDPOINTS = [
    Endpoint(
        method="POST", template="/accounting/connection", scope=_WRITE, handler=create_connection
    ),
    Endpoint(method="GET", template="/accounting/connection", scope=_READ, handler=get_connection),
    Endpoint(
        method="DELETE", template="/accounting/connection", scope=_WRITE, handler=delete_connection
    ),
    Endpoint(method="GET", template="/accounting/vendors", scope=_READ, handler=list_vendors),
    Endpoint(method="POST", template="/accounting/vendors", scope=_WRITE, handler=upload_vendors),
    Endpoint(
        method="GET", template="/accounting/vendors/{vendor_id}", scope=_READ, handler=get_vendor
    ),
    Endpoint(
        method="PATCH",
        template="/accounting/vendors/{vendor_id}",
        scope=_WRITE,
        handler=patch_vendor,
    ),
    Endpoint(
        method="DELETE",
        template="/accounting/vendors/{vendor_id}",
        scope=_WRITE,
        handler=delete_vendor,
    ),
]
