"""Views of live Ramp objects in manifest vocabulary, and their fingerprints.

A view holds the fields of a kind's declaration (`rampctl.model.kinds`) that are in the
live view, read from Ramp's field and normalised as the desired side is, as the same typed
values the manifest's are (`live_vendor`, `live_accounting_vendor`), so a diff compares like
with like. Their record form (`vendor_view`, `accounting_vendor_view`: `as_dict`) is what
the state holds and what fingerprints hash.
"""

from __future__ import annotations

import hashlib
import json
import operator
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import JsonValue

from rampctl.model.kinds import (
    ACCOUNTING_VENDOR,
    USER,
    VENDOR,
    VENDOR_CONTACT,
    AccountingVendorValues,
    FieldSpec,
    UserValues,
    Values,
    VendorContactValues,
    VendorValues,
)
from rampctl.ramp.models import (
    AccountingVendor,
    RampObject,
    User,
    Vendor,
    VendorContact,
    VendorPendingUpdate,
)

#: Attributes rampctl records beside a live vendor's view (not read from Ramp's object).
OWN_ATTRIBUTES = ("contact", "contacts_pending")
#: Manifest address part -> Ramp's field name (from the Vendor declaration).
RAMP_ADDRESS = {part.path: part.ramp for part in VENDOR.field("address").parts}


def live_vendor(vendor: Vendor, users: Mapping[str, User]) -> VendorValues:
    """A live vendor's declared fields as typed values; the owner is shown by email."""
    given: dict[str, object] = {}
    for spec in VENDOR.view_fields():
        if spec.ramp == "pending_update":
            given[spec.path] = pending_view(vendor, users)
            continue
        raw = getattr(vendor, spec.ramp)
        given[spec.path] = _owner(raw, users) if spec.reference == "user" else read(spec, raw)
    return VendorValues.of(given)


def vendor_view(vendor: Vendor, users: Mapping[str, User]) -> dict[str, JsonValue]:
    """The record form of a live vendor (what the state holds and fingerprints hash).

    The same as `live_vendor(vendor, users).as_dict()`, worked out field by field without
    building the typed values first: plan works it out for every managed vendor. Ramp's
    values are read in one step (`_VENDOR_RAW`), each field the way `_VENDOR_STEPS` says.
    """
    record: dict[str, JsonValue] = {}
    for (path, how, normalise, spec), raw in zip(_VENDOR_STEPS, _VENDOR_RAW(vendor), strict=True):
        value: Any
        if how is _PLAIN:  # as `read` does, without a call per field
            value = normalise(raw)
        elif how is _USER:
            value = _owner(raw, users)
        elif how is _PENDING:
            value = pending_view(vendor, users)
        else:
            value = read(spec, raw)
        # most values are already in record form (text, a flag, absent)
        kind = type(value)
        record[path] = value if value is None or kind is str or kind is bool else _record(value)
    return record


_PLAIN, _USER, _PENDING, _NESTED = "plain", "user", "pending", "nested"


def _step(spec: FieldSpec) -> tuple[str, str, Callable[[Any], Any], FieldSpec]:
    """How `vendor_view` works out one field: its path, how, its normaliser, its spec."""
    if spec.ramp == "pending_update":
        how = _PENDING
    elif spec.reference == "user":
        how = _USER
    elif spec.value_type is None:
        how = _PLAIN
    else:
        how = _NESTED
    return spec.path, how, spec.normalise, spec


#: The fields of a live vendor's view, in its order.
_VENDOR_VIEW = VENDOR.view_fields()
_VENDOR_STEPS = tuple(_step(spec) for spec in _VENDOR_VIEW)
#: Ramp's value of each field of the view, in the same order, as one tuple.
_VENDOR_RAW = operator.attrgetter(*(spec.ramp for spec in _VENDOR_VIEW))
#: The owner's declaration (its normaliser), looked up once, not per vendor.
_OWNER = VENDOR.field("owner")


def _record(value: object) -> JsonValue:
    """A declared value in record form, as `Values.as_dict` gives it (tuples as lists)."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, Values):
        return value.as_dict()
    if isinstance(value, tuple | list):
        return [_record(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _record(v) for k, v in value.items()}
    raise TypeError(f"not a JSON value: {value!r}")


def read(spec: FieldSpec, raw: object) -> object:
    """Ramp's value of one declared field in manifest vocabulary (nested parts by part)."""
    if spec.value_type is None:
        value: object = spec.normalise(raw)
        return value
    if raw is None:
        return None
    if isinstance(raw, RampObject):
        values = raw.model_dump()
    elif isinstance(raw, Mapping):
        values = dict(raw)
    else:
        raise TypeError(f"{spec.path}: not a nested value: {raw!r}")
    return spec.value_type(
        **{part.path: part.normalise(values.get(part.ramp)) for part in spec.parts}
    )


def pending_view(vendor: Vendor, users: Mapping[str, User]) -> dict[str, JsonValue] | None:
    """A vendor update Ramp holds for approval, in manifest vocabulary, or None.

    `{"requested_at": when it was sent, "fields": {manifest field: value waiting}}`.
    """
    pending = vendor.pending_update
    if pending is None:
        return None
    return {"requested_at": pending.requested_at, "fields": pending_fields(pending, users)}


def pending_fields(pending: VendorPendingUpdate, users: Mapping[str, User]) -> dict[str, JsonValue]:
    """The values an update held for approval sets, by manifest field, in record form."""
    fields: dict[str, JsonValue] = {}
    for spec in VENDOR.view_fields():
        if spec.ramp not in pending.fields or spec.ramp == "pending_update":
            continue
        raw = pending.fields[spec.ramp]
        value = _owner(raw, users) if spec.reference == "user" else read(spec, raw)
        fields[spec.path] = _record(value)
    return fields


def _owner(user_id: str | None, users: Mapping[str, User]) -> str | None:
    if not user_id:
        return None
    user = users.get(user_id)
    if user and user.email:
        email: str | None = _OWNER.normalise(user.email)
        return email
    return f"user:{user_id}"


def contact_view(contact: VendorContact) -> VendorContactValues:
    """The comparable fields of a live vendor contact."""
    return VendorContactValues(
        **{part.path: part.normalise(getattr(contact, part.ramp)) for part in VENDOR_CONTACT}
    )


def live_accounting_vendor(item: AccountingVendor) -> AccountingVendorValues:
    """A live accounting vendor's declared fields as typed values."""
    return AccountingVendorValues.of(
        {spec.path: read(spec, getattr(item, spec.ramp)) for spec in ACCOUNTING_VENDOR.fields}
    )


def accounting_vendor_view(item: AccountingVendor) -> dict[str, JsonValue]:
    """The record form of a live accounting vendor."""
    return live_accounting_vendor(item).as_dict()


def fingerprint(view: Mapping[str, JsonValue]) -> str:
    """A stable hash of a view: equal views, equal fingerprints."""
    canonical = json.dumps(view, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def live_user(user: User, users: Mapping[str, User]) -> UserValues:
    """A live user's declared fields as typed values; the manager is shown by email."""
    given: dict[str, object] = {}
    for spec in USER.view_fields():
        raw = getattr(user, spec.ramp)
        given[spec.path] = _owner(raw, users) if spec.reference == "user" else read(spec, raw)
    return UserValues.of(given)


def user_view(user: User, users: Mapping[str, User]) -> dict[str, JsonValue]:
    """The record form of a live user (what the state holds and fingerprints hash)."""
    return live_user(user, users).as_dict()
