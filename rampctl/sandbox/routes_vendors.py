"""Bill-pay vendors, their contacts and bank accounts.

Vendors created through the API are approved at once. A vendor with bills is not deletable
(`is_deletable` false, DELETE refused with 400). Contacts come from `business_vendor_contacts`
at create and from `routes_contacts`; bank accounts are read-only here. A PATCH may change the
name (Ramp 2026) and may be held for approval (`approvals`). With `api_version` "2025" the
API has no `external_vendor_id`: it is not returned, not filtered on, and ignored on writes,
and a PATCH of `name` is an unknown field.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from rampctl.sandbox import approvals
from rampctl.sandbox import routes_accounting as accounting
from rampctl.sandbox.api import Ctx, Endpoint, Reply, now_iso, paginate, public, require
from rampctl.sandbox.problems import bad_request, validation_error
from rampctl.sandbox.settings import SandboxSettings
from rampctl.sandbox.store import Filter, Store

COUNTRY = re.compile(r"^[A-Z]{2}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PATCHABLE = ("name", "country", "state", "description", "is_active")
EXTERNAL_ID = "external_vendor_id"


def render_vendor(
    store: Store, settings: SandboxSettings, data: dict[str, Any], *, detail: bool = False
) -> dict[str, Any]:
    """The Vendor object Ramp returns for a stored vendor (as the settings' API version)."""
    out = public(data)
    if not settings.has_external_vendor_id:
        out.pop(EXTERNAL_ID, None)
    out["pending_update"] = approvals.pending_update(data)
    out["accounting_vendor_remote_id"] = accounting.remote_id_of(
        store, data.get("_accounting_ramp_id")
    )
    out["is_deletable"] = store.count("bill", parent=data["id"]) == 0
    out.update(_spend(store, data["id"]))
    if detail:
        out["custom_form_collection_response"] = {
            "custom_form_collection_log_entry": {"label": None, "forms": []}
        }
    return out


def _spend(store: Store, vendor_id: str) -> dict[str, Any]:
    paid = store.find("bill", [Filter(path="$.status", op="=", value="PAID")], parent=vendor_id)
    now = datetime.now(UTC)
    windows = {
        "total_spend_all_time": None,
        "total_spend_last_30_days": now - timedelta(days=30),
        "total_spend_last_365_days": now - timedelta(days=365),
        "total_spend_ytd": datetime(now.year, 1, 1, tzinfo=UTC),
    }
    out = {}
    for key, since in windows.items():
        total = sum(
            int(b["amount"]["amount"])
            for b in paid
            if since is None or datetime.fromisoformat(str(b["paid_at"])) >= since
        )
        out[key] = {"amount": total, "currency_code": "USD"}
    return out


def _get(ctx: Ctx) -> dict[str, Any]:
    vendor_id = ctx.params["vendor_id"]
    return require(ctx.store.get("vendor", vendor_id), "vendor", vendor_id)


def list_vendors(ctx: Ctx) -> Reply:
    """A page of vendors, filtered as Ramp documents (plus `external_vendor_id`)."""
    q = ctx.query
    filters = [
        Filter(path=f"$.{k}", op="=", value=q[k])
        for k in ("name", "is_active", "vendor_owner_id", EXTERNAL_ID)
        if k in q and (k != EXTERNAL_ID or ctx.settings.has_external_vendor_id)
    ]
    if "from_created_at" in q:
        filters.append(Filter(path="$.created_at", op=">=", value=_iso(q["from_created_at"])))
    if "sk_category_ids" in q:
        filters.append(
            Filter(path="$.sk_category_id", op="IN", value=_int_list(q["sk_category_ids"]))
        )
    return paginate(ctx, "vendor", filters, lambda v: render_vendor(ctx.store, ctx.settings, v))


def _iso(value: str) -> str:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC).isoformat()


def _int_list(value: str) -> list[int]:
    try:
        return [int(p) for p in value.split(",") if p.strip()]
    except ValueError:
        raise validation_error({"sk_category_ids": ["Not a valid list of integers."]}) from None


def get_vendor(ctx: Ctx) -> Reply:
    """One vendor by id, with its custom form response."""
    return Reply(body=render_vendor(ctx.store, ctx.settings, _get(ctx), detail=True))


def create_vendor(ctx: Ctx) -> Reply:
    """Create an approved vendor and its contact; enforce owner, key and link rules."""
    body = _as_api_version(ctx)
    _check_fields(body, creating=True)
    with ctx.store.transaction():
        _check_owner(ctx.store, body.get("vendor_owner_id"))
        _check_external_id(ctx.store, body.get("external_vendor_id"), None)
        link = accounting.resolve_link(ctx.store, body, None)
        if link is None and _auto_link(ctx):
            link = accounting.create_for_vendor(ctx.store, str(body["name"]))
        vendor = _new_vendor(body, link)
        contact = _new_contact(body["business_vendor_contacts"])
        vendor["contacts"] = [contact["id"]]
        ctx.store.insert("vendor", vendor["id"], vendor)
        ctx.store.insert("contact", contact["id"], contact, parent=vendor["id"])
    return Reply(status=200, body=render_vendor(ctx.store, ctx.settings, vendor))


def _as_api_version(ctx: Ctx) -> dict[str, Any]:
    """The request body as the emulated API version reads it.

    The 2025 API ignores `external_vendor_id` (the worst case for a client relying on it) and
    has no `name` in its update schema (unknown field: 422, or ignored).
    """
    body: dict[str, Any] = dict(ctx.body)
    if ctx.settings.api_version != "2025":
        return body
    body.pop(EXTERNAL_ID, None)
    if ctx.method == "PATCH" and "name" in body:
        if ctx.settings.reject_unknown_fields:
            raise validation_error({"name": ["Unknown field."]})
        body.pop("name")
    return body


def _auto_link(ctx: Ctx) -> bool:
    return ctx.settings.auto_create_accounting_vendor and (
        accounting.active_connection(ctx.store) is not None
    )


def _check_fields(body: dict[str, Any], *, creating: bool) -> None:
    fields: dict[str, list[str]] = {}
    if (creating or "name" in body) and not str(body.get("name") or "").strip():
        fields["name"] = ["Missing data for required field."]
    if "country" in body and not COUNTRY.match(str(body["country"]).upper()):
        fields["country"] = ["Not a valid country code."]
    contact = body.get("business_vendor_contacts")
    if isinstance(contact, dict) and not EMAIL.match(str(contact.get("email", ""))):
        fields["business_vendor_contacts.email"] = ["Not a valid email address."]
    if fields:
        raise validation_error(fields)


def _check_owner(store: Store, owner_id: str | None) -> None:
    if owner_id is not None and store.get("user", owner_id) is None:
        raise bad_request("No user with this id", "vendor_owner_id")


def _check_external_id(store: Store, key: str | None, vendor_id: str | None) -> None:
    if key is None:
        return
    found = store.find("vendor", [Filter(path="$.external_vendor_id", op="=", value=key)])
    if any(v["id"] != vendor_id for v in found):
        raise bad_request(
            "external_vendor_id is already used by another vendor", "external_vendor_id"
        )


def _new_vendor(body: dict[str, Any], link: str | None) -> dict[str, Any]:
    country = str(body["country"]).upper()
    return {
        "id": str(uuid.uuid4()),
        "name": str(body["name"]).strip(),
        "country": country,
        "state": body.get("state"),
        "address": _address(body.get("address"), country),
        "vendor_owner_id": body["vendor_owner_id"],
        "vendor_type": "BUSINESS",
        "contacts": [],
        "is_active": True,
        "created_at": now_iso(),
        "external_vendor_id": body.get("external_vendor_id"),
        "_accounting_ramp_id": link,
        "_request_payment_details": bool(body.get("request_payment_details", False)),
        "_request_tax_details": bool(body.get("request_tax_details", False)),
    }


def _address(raw: dict[str, Any] | None, country: str) -> dict[str, Any] | None:
    if raw is None:
        return None
    out = {k: v for k, v in raw.items() if v is not None}
    out.setdefault("country", country)
    return out


def _new_contact(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "email": str(raw["email"]).strip().lower(),
        "first_name": raw.get("first_name"),
        "last_name": raw.get("last_name"),
        "phone": raw.get("phone"),
        "is_default": True,
    }


def update_vendor(ctx: Ctx) -> Reply:
    """Change a vendor's name, fields, owner, key or link; governed ones may wait for approval."""
    body = _as_api_version(ctx)
    _check_fields(body, creating=False)
    with ctx.store.transaction():
        vendor = _get(ctx)
        if "vendor_owner_id" in body:
            _check_owner(ctx.store, body["vendor_owner_id"])
        if EXTERNAL_ID in body:
            _check_external_id(ctx.store, body[EXTERNAL_ID], vendor["id"])
        link = accounting.resolve_link(ctx.store, body, vendor["id"])
        if link is not None:
            vendor["_accounting_ramp_id"] = link
        body = _normalised(body, vendor)
        if ctx.settings.vendor_update_approval == approvals.PENDING:
            body = approvals.hold_governed(vendor, body)
        _apply_patch(vendor, body)
        ctx.store.put("vendor", vendor["id"], vendor)
    return Reply(body=render_vendor(ctx.store, ctx.settings, vendor))


def _normalised(body: dict[str, Any], vendor: dict[str, Any]) -> dict[str, Any]:
    out = dict(body)
    if "name" in out:
        out["name"] = str(out["name"]).strip()
    if "country" in out:
        out["country"] = str(out["country"]).upper()
    if "address" in out:
        out["address"] = _address(out["address"], out.get("country", vendor["country"]))
    return out


def _apply_patch(vendor: dict[str, Any], body: dict[str, Any]) -> None:
    for key in (*PATCHABLE, *approvals.GOVERNED_FIELDS, EXTERNAL_ID):
        if key in body:
            vendor[key] = body[key]


def delete_vendor(ctx: Ctx) -> Reply:
    """Delete a vendor, refused (400) when it has bills (`is_deletable` false)."""
    with ctx.store.transaction():
        vendor = _get(ctx)
        if ctx.store.count("bill", parent=vendor["id"]) > 0:
            raise bad_request("This vendor cannot be deleted: it has bills (is_deletable is false)")
        for kind in ("contact", "vendor_bank_account"):
            for child in ctx.store.find(kind, parent=vendor["id"]):
                ctx.store.delete(kind, child["id"])
        ctx.store.delete("vendor", vendor["id"])
    return Reply(status=204)


def list_contacts(ctx: Ctx) -> Reply:
    """A page of a vendor's contacts."""
    vendor = _get(ctx)
    return paginate(ctx, "contact", [], public, parent=vendor["id"])


def get_contact(ctx: Ctx) -> Reply:
    """One contact of a vendor."""
    return _child(ctx, "contact", "vendor_contact_id", "vendor contact")


def list_accounts(ctx: Ctx) -> Reply:
    """A page of a vendor's bank accounts (numbers never returned)."""
    vendor = _get(ctx)
    return paginate(ctx, "vendor_bank_account", [], public, parent=vendor["id"])


def get_account(ctx: Ctx) -> Reply:
    """One bank account of a vendor."""
    return _child(ctx, "vendor_bank_account", "bank_account_id", "vendor bank account")


def _child(ctx: Ctx, kind: str, param: str, label: str) -> Reply:
    vendor = _get(ctx)
    child_id = ctx.params[param]
    found = ctx.store.get(kind, child_id)
    if found is None or ctx.store.parent_of(kind, child_id) != vendor["id"]:
        found = None
    return Reply(body=public(require(found, label, child_id)))


_READ, _WRITE = "vendors:read", "vendors:write"
_ONE = "/vendors/{vendor_id}"
ENDPOINTS = [
    Endpoint(method="GET", template="/vendors", scope=_READ, handler=list_vendors),
    Endpoint(method="POST", template="/vendors", scope=_WRITE, handler=create_vendor),
    Endpoint(method="GET", template=_ONE, scope=_READ, handler=get_vendor),
    Endpoint(method="PATCH", template=_ONE, scope=_WRITE, handler=update_vendor),
    Endpoint(method="DELETE", template=_ONE, scope=_WRITE, handler=delete_vendor),
    Endpoint(method="GET", template=_ONE + "/contacts", scope=_READ, handler=list_contacts),
    Endpoint(
        method="GET",
        template=_ONE + "/contacts/{vendor_contact_id}",
        scope=_READ,
        handler=get_contact,
    ),
    Endpoint(method="GET", template=_ONE + "/accounts", scope=_READ, handler=list_accounts),
    Endpoint(
        method="GET",
        template=_ONE + "/accounts/{bank_account_id}",
        scope=_READ,
        handler=get_account,
    ),
]
