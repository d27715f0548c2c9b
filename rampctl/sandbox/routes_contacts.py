"""Vendor contact creation (Ramp's 2026 API: `POST /vendors/{vendor_id}/contacts`).

`email` is required; `first_name`, `last_name`, `phone` and `is_default` are optional. The
answer (201) is the contact with `approval_status` "approved", or "pending_approval" when
the vendor approval policy (`settings.contact_approval`) holds it; see `approvals`. A second
contact with the same email on one vendor is refused (400). Absent when `api_version` is 2025.
"""

from __future__ import annotations

import uuid
from typing import Any

from rampctl.sandbox import approvals
from rampctl.sandbox.api import Ctx, Endpoint, Reply, public, require
from rampctl.sandbox.problems import bad_request, validation_error
from rampctl.sandbox.routes_vendors import EMAIL
from rampctl.sandbox.store import Filter


def create_contact(ctx: Ctx) -> Reply:
    """Add a contact to a vendor, in force at once or pending approval."""
    body: dict[str, Any] = ctx.body
    email = str(body["email"]).strip().lower()
    if not EMAIL.match(email):
        raise validation_error({"email": ["Not a valid email address."]})
    with ctx.store.transaction():
        vendor_id = ctx.params["vendor_id"]
        vendor = require(ctx.store.get("vendor", vendor_id), "vendor", vendor_id)
        same = [Filter(path="$.email", op="=", value=email)]
        if ctx.store.find("contact", same, parent=vendor_id):
            raise bad_request("This vendor already has a contact with this email", "email")
        contact = _new_contact(body, email)
        if ctx.settings.contact_approval == approvals.PENDING:
            contact["approval_status"] = approvals.PENDING
            contact["_requested_default"] = bool(body.get("is_default", False))
        else:
            if body.get("is_default"):
                approvals.make_default(ctx.store, vendor, contact)
            vendor["contacts"] = [*vendor.get("contacts", []), contact["id"]]
            ctx.store.put("vendor", vendor_id, vendor)
        ctx.store.insert("contact", contact["id"], contact, parent=vendor_id)
    return Reply(status=201, body=public(contact))


def _new_contact(body: dict[str, Any], email: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "email": email,
        "first_name": body.get("first_name"),
        "last_name": body.get("last_name"),
        "phone": body.get("phone"),
        "is_default": False,
        "approval_status": approvals.APPROVED,
    }


ENDPOINTS = [
    Endpoint(
        method="POST",
        template="/vendors/{vendor_id}/contacts",
        scope="vendors:write",
        handler=create_contact,
    ),
]
