"""Vendor approval policies: contacts and vendor edits that wait for someone to approve them.

Ramp's vendor controls can hold edits to a vendor's owner, contact, tax information, bank
details or mailing address until an approver signs off. Ramp does not document how its API
shows such an edit, so the sandbox reads it this way (a documented fidelity choice):

- a contact created under `contact_approval="pending_approval"` is stored and listed with
  `approval_status: "pending_approval"`; it is not in the vendor's `contacts`, cannot be a
  bill's contact and does not become the default until approved;
- a vendor PATCH under `vendor_update_approval="pending_approval"` that changes a governed
  field (`GOVERNED_FIELDS`) answers 200 with those fields still at their old values and a
  `pending_update` object `{status, requested_at, fields}` naming the new values; other fields
  in the same PATCH apply at once; every later GET shows the same `pending_update` until the
  edit is approved (the values apply) or rejected (it disappears). A second PATCH of a governed
  field while one is pending is refused (400).

Approve or reject with `POST /_sandbox/vendors/{vendor_id}/approve|reject` (or `decide`).
"""

from __future__ import annotations

from typing import Any

from rampctl.sandbox.api import now_iso
from rampctl.sandbox.problems import bad_request
from rampctl.sandbox.store import Store

GOVERNED_FIELDS = ("vendor_owner_id", "address")
PENDING = "pending_approval"
APPROVED = "approved"
PENDING_KEY = "_pending_update"


def hold_governed(vendor: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """Move the governed changes of `body` into a pending update; return the rest of `body`.

    `body` holds the values as they would be stored (an address already normalised).
    """
    held = {
        key: body[key] for key in GOVERNED_FIELDS if key in body and body[key] != vendor.get(key)
    }
    if not held:
        return body
    if vendor.get(PENDING_KEY):
        raise bad_request(
            "This vendor has an update awaiting approval; it cannot change again until then",
            next(iter(held)),
        )
    vendor[PENDING_KEY] = {"status": "PENDING_APPROVAL", "requested_at": now_iso(), "fields": held}
    return {key: value for key, value in body.items() if key not in held}


def pending_update(vendor: dict[str, Any]) -> dict[str, Any] | None:
    """The vendor's update awaiting approval, as the API shows it, or None."""
    pending = vendor.get(PENDING_KEY)
    return dict(pending) if pending else None


def decide(store: Store, vendor_id: str, *, approve: bool) -> dict[str, int]:
    """Approve or reject everything pending on a vendor; counts what was decided."""
    with store.transaction():
        vendor = store.get("vendor", vendor_id)
        if vendor is None:
            raise KeyError(vendor_id)
        updates = _decide_update(vendor, approve)
        contacts = _decide_contacts(store, vendor, approve)
        store.put("vendor", vendor_id, vendor)
    return {"updates": updates, "contacts": contacts}


def _decide_update(vendor: dict[str, Any], approve: bool) -> int:
    pending = vendor.pop(PENDING_KEY, None)
    if not pending:
        return 0
    if approve:
        vendor.update(pending["fields"])
    return 1


def _decide_contacts(store: Store, vendor: dict[str, Any], approve: bool) -> int:
    pending = [
        c for c in store.find("contact", parent=vendor["id"]) if c.get("approval_status") == PENDING
    ]
    for contact in pending:
        if not approve:
            store.delete("contact", contact["id"])
            continue
        contact["approval_status"] = APPROVED
        if contact.pop("_requested_default", False):
            make_default(store, vendor, contact)
        store.put("contact", contact["id"], contact)
        vendor["contacts"] = [*vendor.get("contacts", []), contact["id"]]
    return len(pending)


def make_default(store: Store, vendor: dict[str, Any], contact: dict[str, Any]) -> None:
    """Make `contact` the vendor's default contact (the others stop being it)."""
    for other in store.find("contact", parent=vendor["id"]):
        if other["id"] != contact["id"] and other.get("is_default"):
            other["is_default"] = False
            store.put("contact", other["id"], other)
    contact["is_default"] = True
