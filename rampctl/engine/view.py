"""Views of live Ramp objects in manifest vocabulary, and their fingerprints.

A view holds the fields of a kind's declaration (`rampctl.model.kinds`) that are in the
live view, read from Ramp's field and normalised as the desired side is, so a diff is a
comparison of like with like. Its dict form (`as_dict`) is what the state records and
what fingerprints hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from rampctl.model.kinds import ACCOUNTING_VENDOR, VENDOR, VENDOR_CONTACT, FieldSpec
from rampctl.ramp.models import AccountingVendor, RampObject, User, Vendor, VendorContact

#: Manifest address part -> Ramp's field name (from the Vendor declaration).
RAMP_ADDRESS = {part.path: part.ramp for part in VENDOR.field("address").parts}


def vendor_view(vendor: Vendor, users: Mapping[str, User]) -> dict[str, Any]:
    """The comparable fields of a live vendor; the owner is shown by email. `pending` is an
    update Ramp holds for approval (`pending_view`)."""
    view: dict[str, Any] = {}
    for spec in VENDOR.view_fields():
        if spec.ramp == "pending_update":
            view[spec.path] = pending_view(vendor, users)
            continue
        raw = getattr(vendor, spec.ramp)
        view[spec.path] = _owner(raw, users) if spec.reference == "user" else read(spec, raw)
    return view


def read(spec: FieldSpec, raw: Any) -> Any:
    """Ramp's value of one declared field in manifest vocabulary (nested parts by part)."""
    if not spec.parts:
        return spec.normalise(raw)
    if raw is None:
        return None
    values = raw.model_dump() if isinstance(raw, RampObject) else dict(raw)
    return {part.path: part.normalise(values.get(part.ramp)) for part in spec.parts}


def pending_view(vendor: Vendor, users: Mapping[str, User]) -> dict[str, Any] | None:
    """A vendor update Ramp holds for approval, in manifest vocabulary, or None.

    `{"requested_at": when it was sent, "fields": {manifest field: value waiting}}`.
    """
    pending = vendor.pending_update
    if pending is None:
        return None
    fields: dict[str, Any] = {}
    for spec in VENDOR.view_fields():
        if spec.ramp not in pending.fields or spec.ramp == "pending_update":
            continue
        raw = pending.fields[spec.ramp]
        fields[spec.path] = _owner(raw, users) if spec.reference == "user" else read(spec, raw)
    return {"requested_at": pending.requested_at, "fields": fields}


def _owner(user_id: str | None, users: Mapping[str, User]) -> str | None:
    if not user_id:
        return None
    user = users.get(user_id)
    return VENDOR.field("owner").normalise(user.email) if user and user.email else f"user:{user_id}"


def contact_view(contact: VendorContact) -> dict[str, str | None]:
    """The comparable fields of a live vendor contact."""
    return {part.path: part.normalise(getattr(contact, part.ramp)) for part in VENDOR_CONTACT}


def accounting_vendor_view(item: AccountingVendor) -> dict[str, Any]:
    """The comparable fields of a live accounting vendor."""
    return {
        spec.path: read(spec, getattr(item, spec.ramp)) for spec in ACCOUNTING_VENDOR.view_fields()
    }


def fingerprint(view: Mapping[str, Any]) -> str:
    """A stable hash of a view: equal views, equal fingerprints."""
    canonical = json.dumps(view, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]
