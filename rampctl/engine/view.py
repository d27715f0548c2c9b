"""Views of live Ramp objects in manifest vocabulary, and their fingerprints.

A view is a plain dict with the same field names and normalisation as the desired
side (`rampctl.model.desired`), so a diff is a comparison of two dicts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from rampctl.model import normalise as norm
from rampctl.ramp.models import AccountingVendor, User, Vendor, VendorContact

RAMP_ADDRESS = {
    # manifest address field -> Ramp's field name
    "line1": "address_line_1",
    "line2": "address_line_2",
    "city": "city",
    "postal_code": "postal_code",
    "state": "state",
    "country": "country",
}


def vendor_view(vendor: Vendor, users: Mapping[str, User]) -> dict[str, Any]:
    """The comparable fields of a live vendor; the owner is shown by email."""
    return {
        "name": norm.text(vendor.name),
        "country": norm.code(vendor.country),
        "state": norm.code(vendor.state),
        "description": norm.text(vendor.description),
        "address": _address(vendor),
        "owner": _owner(vendor.vendor_owner_id, users),
        "accounting_vendor": norm.text(vendor.accounting_vendor_remote_id),
        "active": bool(vendor.is_active),
        "external_id": norm.text(vendor.external_vendor_id),
        "contacts": sorted(vendor.contacts or []),
        "pending": pending_view(vendor, users),
    }


def _address(vendor: Vendor) -> dict[str, str | None] | None:
    if vendor.address is None:
        return None
    return _ramp_address(vendor.address.model_dump())


def _ramp_address(raw: Mapping[str, Any]) -> dict[str, str | None] | None:
    return norm.address({ours: raw.get(theirs) for ours, theirs in RAMP_ADDRESS.items()})


#: Ramp's vendor field -> the manifest field, for a pending update's values.
_PENDING_FIELDS = {
    "name": "name",
    "country": "country",
    "state": "state",
    "description": "description",
    "is_active": "active",
}


def pending_view(vendor: Vendor, users: Mapping[str, User]) -> dict[str, Any] | None:
    """A vendor update Ramp holds for approval, in manifest vocabulary, or None.

    `{"requested_at": when it was sent, "fields": {manifest field: value waiting}}`.
    """
    pending = vendor.pending_update
    if pending is None:
        return None
    fields: dict[str, Any] = {}
    for theirs, value in pending.fields.items():
        if theirs == "vendor_owner_id":
            fields["owner"] = _owner(value, users)
        elif theirs == "address" and isinstance(value, Mapping):
            fields["address"] = _ramp_address(value)
        elif theirs in _PENDING_FIELDS:
            fields[_PENDING_FIELDS[theirs]] = value
    return {"requested_at": pending.requested_at, "fields": fields}


def _owner(user_id: str | None, users: Mapping[str, User]) -> str | None:
    if not user_id:
        return None
    user = users.get(user_id)
    return norm.email(user.email) if user and user.email else f"user:{user_id}"


def contact_view(contact: VendorContact) -> dict[str, str | None]:
    """The comparable fields of a live vendor contact."""
    return {
        "email": norm.email(contact.email),
        "first_name": norm.text(contact.first_name),
        "last_name": norm.text(contact.last_name),
        "phone": norm.phone(contact.phone),
    }


def accounting_vendor_view(item: AccountingVendor) -> dict[str, Any]:
    """The comparable fields of a live accounting vendor."""
    return {
        "remote_id": norm.text(item.id),
        "name": norm.text(item.name),
        "code": norm.text(item.code),
        "active": bool(item.is_active),
    }


def fingerprint(view: Mapping[str, Any]) -> str:
    """A stable hash of a view: equal views, equal fingerprints."""
    canonical = json.dumps(view, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]
