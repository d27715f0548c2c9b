"""One live vendor as the spec of a Vendor manifest, in the exact values plan compares.

Values come from the same views plan uses (`rampctl.engine.view`), so the manifest and
Ramp compare equal. A part that would not pass the manifest's validation (a phone that is
not E.164, a country that is not an ISO code) is left out and reported as an `Omission`;
a field left out of a manifest is not managed, so it causes no change either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from pydantic import BaseModel, JsonValue, ValidationError

from rampctl.engine.view import contact_view, live_vendor
from rampctl.manifest.specs import Contact, ContactEntry, PostalAddressSpec, VendorSpec
from rampctl.model.kinds import VENDOR, VENDOR_CONTACT, FieldSpec, PostalAddressValues, VendorValues
from rampctl.ramp.models import User, Vendor, VendorContact


def _optional(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(name for name, info in model.model_fields.items() if not info.is_required())


_OPTIONAL_ADDRESS = _optional(PostalAddressSpec)
#: A written part's value (text, or a contact entry's default flag).
PartT = TypeVar("PartT")
_OPTIONAL_CONTACT = _optional(Contact)


@dataclass(frozen=True, kw_only=True)
class Omission:
    """A live value that import did not write to a manifest, and why (never the value)."""

    field: str
    reason: str


@dataclass(kw_only=True)
class VendorFields:
    """A vendor's manifest spec (without its key and accounting link) and what was left out."""

    spec: dict[str, JsonValue]
    view: VendorValues
    contact: dict[str, str | None] | None
    omitted: list[Omission] = field(default_factory=list)


def vendor_fields(
    vendor: Vendor, users: Mapping[str, User], contacts: list[VendorContact] | None
) -> VendorFields:
    """The manifest fields of a live vendor; `contacts` are its contacts as read from Ramp."""
    view = live_vendor(vendor, users)
    result = VendorFields(spec={}, view=view, contact=None)
    for spec in VENDOR.manifest_fields():
        if spec.path == VENDOR.key or spec.reference == "accounting_vendor":
            continue  # the key and the accounting link are written by the draft
        value = _written(spec, view, contacts or [], result)
        if value is not None and value != spec.ramp_default:
            result.spec[spec.path] = value
    _drop_invalid(result.spec, result.omitted)
    return result


def _written(
    spec: FieldSpec, view: VendorValues, contacts: list[VendorContact], result: VendorFields
) -> JsonValue:
    """The manifest value of one declared field, or None to leave it out."""
    in_force = [c for c in contacts if not c.is_pending_approval]
    if spec.path == "contact" and len(in_force) <= 1:
        written = _contact(in_force, result.omitted)
        result.contact = recorded_contact(written) if written else None
        return _json(written)
    if spec.path == "contacts":
        _waiting(contacts, result.omitted)
        return _contact_list(in_force, result.omitted) if len(in_force) > 1 else None
    if spec.path == "contact":
        return None  # several contacts: described as `contacts`
    if spec.path == "address":
        return _json(_address(view.address, result.omitted))
    value: JsonValue = view.get(spec.path)
    if spec.reference == "user" and isinstance(value, str) and value.startswith("user:"):
        result.omitted.append(Omission(field=spec.path, reason="the owner is not a Ramp user"))
        return None
    return value


def _json(parts: Mapping[str, str] | None) -> JsonValue:
    """Written parts (an address, a contact) as a JSON object."""
    return None if parts is None else {k: v for k, v in parts.items()}


def _address(live: PostalAddressValues | None, omitted: list[Omission]) -> dict[str, str] | None:
    parts = {k: str(v) for k, v in (live.as_dict() if live else {}).items() if v is not None}
    if not parts:
        return None
    return _valid_parts(PostalAddressSpec, parts, _OPTIONAL_ADDRESS, "address", omitted)


def choose_contact(contacts: list[VendorContact]) -> VendorContact | None:
    """The contact a manifest describes: the vendor's default contact, else its first."""
    default = [c for c in contacts if c.is_default]
    found = default or contacts
    return found[0] if found else None


def _contact(contacts: list[VendorContact], omitted: list[Omission]) -> dict[str, str] | None:
    chosen = choose_contact(contacts)
    if chosen is None:
        return None
    parts = {k: str(v) for k, v in contact_view(chosen).as_dict().items() if v is not None}
    return _valid_parts(Contact, parts, _OPTIONAL_CONTACT, "contact", omitted)


def _contact_list(contacts: list[VendorContact], omitted: list[Omission]) -> list[JsonValue] | None:
    """`spec.contacts` for a vendor with several contacts in force, the default one marked
    (the first one when Ramp marks none); None when one of them cannot be written."""
    default = choose_contact(contacts)
    entries: list[JsonValue] = []
    for contact in contacts:
        parts: dict[str, JsonValue] = {
            k: v for k, v in contact_view(contact).as_dict().items() if v is not None
        }
        if contact is default:
            parts["default"] = True
        where = f"contacts[{_email(contact)}]"
        entry = _valid_parts(ContactEntry, parts, _OPTIONAL_CONTACT, where, omitted)
        if entry is None:
            return None
        entries.append(entry)
    return entries


def _waiting(contacts: list[VendorContact], omitted: list[Omission]) -> None:
    """Report the contacts Ramp holds for approval: not in force, so not written."""
    for contact in contacts:
        if contact.is_pending_approval:
            reason = "it waits for approval in Ramp; add it to spec.contacts once approved"
            omitted.append(Omission(field=f"contacts[{_email(contact)}]", reason=reason))


def _email(contact: VendorContact) -> str:
    return str(contact_view(contact).email)


def recorded_contact(written: Mapping[str, str]) -> dict[str, str | None]:
    """The contact as plan reads it from the manifest (all four parts, normalised)."""
    return {part.path: part.normalise(written.get(part.path)) for part in VENDOR_CONTACT}


def _valid_parts(
    model: type[BaseModel],
    parts: dict[str, PartT],
    optional: frozenset[str],
    prefix: str,
    omitted: list[Omission],
) -> dict[str, PartT] | None:
    """`parts` without the optional ones that fail validation; None if a required one fails."""
    bad = _invalid_fields(model, parts)
    dropped = bad & optional
    for name in sorted(dropped):
        omitted.append(Omission(field=f"{prefix}.{name}", reason=_reason(model, name)))
        del parts[name]
    if bad - dropped or (dropped and _invalid_fields(model, parts)):
        omitted.append(Omission(field=prefix, reason=f"Ramp's {prefix} is incomplete or invalid"))
        return None
    return parts


def _drop_invalid(spec: dict[str, JsonValue], omitted: list[Omission]) -> None:
    for name in sorted(_invalid_fields(VendorSpec, spec) - {"name"}):
        omitted.append(Omission(field=name, reason=_reason(VendorSpec, name)))
        del spec[name]


def _invalid_fields(model: type[BaseModel], data: Mapping[str, object]) -> set[str]:
    try:
        model.model_validate(data)
    except ValidationError as exc:
        return {str(err["loc"][0]) for err in exc.errors() if err["loc"]}
    return set()


def _reason(model: type[BaseModel], name: str) -> str:
    info = model.model_fields.get(name)
    what = (info.description or name).rstrip(".") if info else name
    return f"Ramp's value does not fit the manifest field ({what})"
