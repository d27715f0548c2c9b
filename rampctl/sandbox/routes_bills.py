"""Bill endpoints: list, get, create (auto-approved), update (no payment details), archive.

DELETE archives a bill (sets `archived_at`; hidden from lists unless `is_archived=true`)
and is refused with 400 for paid bills.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rampctl.sandbox import bills, routes_accounting, routes_directory
from rampctl.sandbox.api import Ctx, Endpoint, Reply, now_iso, paginate, public, require
from rampctl.sandbox.problems import bad_request
from rampctl.sandbox.store import Filter, Store

EQUAL_FILTERS = {
    "entity_id": "$.entity_id",
    "vendor_id": "$._vendor_id",
    "approval_status": "$.approval_status",
    "payment_method": "$._payment_method",
    "payment_status": "$.status",
    "sync_status": "$.sync_status",
    "sync_ready": "$._sync_ready",
}
RANGES = {
    "created_at": "created_at",
    "due_date": "due_at",
    "issued_date": "issued_at",
    "paid_at": "paid_at",
}
PATCH_FIELDS = ("invoice_number", "memo", "remote_id")


def render_bill(store: Store, bill: dict[str, Any]) -> dict[str, Any]:
    """The Bill object Ramp returns for a stored bill."""
    out = public(bill)
    vendor = store.get("vendor", bill["_vendor_id"]) or {"id": bill["_vendor_id"], "name": ""}
    link = vendor.get("_accounting_ramp_id")
    remote = routes_accounting.remote_id_of(store, link)
    accounting_vendor = store.get("accounting_vendor", link) if remote and link else None
    out["vendor"] = {
        "id": vendor["id"],
        "name": vendor["name"],
        "type": vendor.get("vendor_type", "BUSINESS"),
        "remote_id": remote,
        "remote_name": accounting_vendor["name"] if accounting_vendor else None,
        "remote_code": accounting_vendor.get("code") if accounting_vendor else None,
    }
    return out


def list_bills(ctx: Ctx) -> Reply:
    """A page of bills; archived ones only with `is_archived=true`."""
    return paginate(ctx, "bill", _filters(ctx.query), lambda b: render_bill(ctx.store, b))


SQLITE_MAX_INT = 2**63 - 1


def _filters(q: dict[str, Any]) -> list[Filter]:
    out = [Filter(path=p, op="=", value=q[k]) for k, p in EQUAL_FILTERS.items() if k in q]
    archived = q.get("is_archived", False)
    out.append(Filter(path="$.archived_at", op="IS NOT" if archived else "=", value=None))
    for name, key in RANGES.items():
        if f"from_{name}" in q:
            out.append(Filter(path=f"$.{key}", op=">=", value=_iso(q[f"from_{name}"])))
        if f"to_{name}" in q:
            out.append(Filter(path=f"$.{key}", op="<=", value=_iso(q[f"to_{name}"])))
    for key, op in (("min_amount", ">="), ("max_amount", "<=")):
        if key in q:
            # Beyond SQLite's 64-bit integers no bill can match (or every bill does).
            value = min(bills.minor_units(q[key], "USD", key), SQLITE_MAX_INT)
            out.append(Filter(path="$.amount.amount", op=op, value=value))
    if "accounting_field_selection_id" in q:
        needle = f"%|{q['accounting_field_selection_id']}|%"
        out.append(Filter(path="$._selection_ids", op="LIKE", value=needle))
    return out


def _iso(value: str) -> str:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC).isoformat()


def _get(ctx: Ctx) -> dict[str, Any]:
    bill_id = ctx.params["bill_id"]
    return require(ctx.store.get("bill", bill_id), "bill", bill_id)


def get_bill(ctx: Ctx) -> Reply:
    """One bill by id (archived ones included)."""
    return Reply(body=render_bill(ctx.store, _get(ctx)))


def create_bill(ctx: Ctx) -> Reply:
    """Create an approved bill for a vendor, its contact and an entity."""
    with ctx.store.transaction():
        bill = build_bill(ctx.store, ctx.body)
        ctx.store.insert("bill", bill["id"], bill, parent=bill["_vendor_id"])
    return Reply(status=201, body=render_bill(ctx.store, bill))


def build_bill(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    """Check a validated create body against the business and build the stored bill."""
    details = bills.check_payment_details(body)
    vendor, entity = _check_refs(store, body)
    sources = routes_directory.bill_pay_account_ids_of(entity)
    bills.check_payment_refs(store, body, details, sources)
    bill = bills.new_bill(body, details, _owner(store, vendor))
    bills.refresh_derived(bill)
    return bill


def _check_refs(store: Store, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    vendor = store.get("vendor", str(body["vendor_id"]))
    if vendor is None:
        raise bad_request("No vendor with this id", "vendor_id")
    if store.parent_of("contact", str(body["vendor_contact_id"])) != vendor["id"]:
        raise bad_request("vendor_contact_id is not a contact of this vendor", "vendor_contact_id")
    contact = store.get("contact", str(body["vendor_contact_id"])) or {}
    if contact.get("approval_status") == "pending_approval":
        raise bad_request("This contact is waiting for approval", "vendor_contact_id")
    entity = store.get("entity", str(body["entity_id"]))
    if entity is None:
        raise bad_request("No entity with this id", "entity_id")
    return vendor, entity


def _owner(store: Store, vendor: dict[str, Any]) -> dict[str, Any]:
    user = store.get("user", str(vendor.get("vendor_owner_id") or ""))
    if user is None:
        owners = store.find("user", [Filter(path="$.role", op="=", value="BUSINESS_OWNER")])
        user = owners[0] if owners else {"id": "00000000-0000-0000-0000-000000000000"}
    return {
        "id": user["id"],
        "first_name": user.get("first_name"),
        "last_name": user.get("last_name"),
    }


def update_bill(ctx: Ctx) -> Reply:
    """Change an open bill's fields (not its payment); refused for paid or archived bills."""
    body: dict[str, Any] = ctx.body
    with ctx.store.transaction():
        bill = _get(ctx)
        if bill["status"] == "PAID" or bill["archived_at"] is not None:
            raise bad_request("A paid or archived bill cannot be updated")
        _patch(ctx.store, bill, body)
        bills.refresh_derived(bill)
        ctx.store.put("bill", bill["id"], bill, parent=bill["_vendor_id"])
    return Reply(body=render_bill(ctx.store, bill))


def _patch(store: Store, bill: dict[str, Any], body: dict[str, Any]) -> None:
    refs = {
        "vendor_id": body.get("vendor_id", bill["_vendor_id"]),
        "vendor_contact_id": body.get("vendor_contact_id", bill["vendor_contact_id"]),
        "entity_id": body.get("entity_id", bill["entity_id"]),
    }
    _check_refs(store, refs)
    bill.update(
        _vendor_id=refs["vendor_id"],
        vendor_contact_id=refs["vendor_contact_id"],
        entity_id=refs["entity_id"],
    )
    for key in PATCH_FIELDS:
        if key in body:
            bill[key] = body[key]
    for key in ("issued_at", "due_at", "posting_date"):
        if key in body:
            bill[key] = bills.as_datetime(body[key])
    if "payment_method" in body:
        bill["_payment_method"] = body["payment_method"]
    if "accounting_field_selections" in body:
        bill["accounting_field_selections"] = bills.selections(body["accounting_field_selections"])
    _patch_lines(bill, body)


def _patch_lines(bill: dict[str, Any], body: dict[str, Any]) -> None:
    if "line_items" not in body and "inventory_line_items" not in body:
        return
    currency = str(bill["_invoice_currency"])
    plain, inventory = bills.lines(body, currency)
    if "line_items" in body:
        bill["line_items"] = plain
    if "inventory_line_items" in body:
        bill["inventory_line_items"] = inventory
    bill["amount"] = bills.money(
        bills.total(bill["line_items"], bill["inventory_line_items"]), currency
    )
    if bill.get("payment"):
        bill["payment"]["amount"] = bill["amount"]


def delete_bill(ctx: Ctx) -> Reply:
    """Archive a bill; refused (400) for a paid bill."""
    with ctx.store.transaction():
        bill = _get(ctx)
        if bill["status"] == "PAID":
            raise bad_request("A paid bill cannot be deleted")
        if bill["archived_at"] is None:
            bill["archived_at"] = now_iso()
            bills.refresh_derived(bill)
            ctx.store.put("bill", bill["id"], bill)
    return Reply(status=204)


_READ, _WRITE = "bills:read", "bills:write"
ENDPOINTS = [
    Endpoint(method="GET", template="/bills", scope=_READ, handler=list_bills),
    Endpoint(method="POST", template="/bills", scope=_WRITE, handler=create_bill),
    Endpoint(method="GET", template="/bills/{bill_id}", scope=_READ, handler=get_bill),
    Endpoint(method="PATCH", template="/bills/{bill_id}", scope=_WRITE, handler=update_bill),
    Endpoint(method="DELETE", template="/bills/{bill_id}", scope=_WRITE, handler=delete_bill),
]
