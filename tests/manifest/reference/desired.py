"""`rampctl.model.desired`'s graph build as it was before it was made faster: the reference
the new one is compared with.

The desired graph: what the manifests ask for, normalised and with references resolved.

Field names are the manifest's (`owner`, `accounting_vendor`, `active`, ...), so the
desired and the live side of a diff speak the same vocabulary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from rampctl.model import address as addr
from rampctl.model.bills import build_bills
from rampctl.model.desired import (
    DesiredAccountingVendor,
    DesiredGraph,
    DesiredUser,
    DesiredVendor,
)
from rampctl.model.kinds import (
    ACCOUNTING_VENDOR,
    USER,
    VENDOR,
    AccountingVendorValues,
    FieldSpec,
    KindSpec,
    UserValues,
    VendorContactEntry,
    VendorContactValues,
    VendorValues,
)
from rampctl.model.source import Source, Sources

#: The vendor fields plan compares with Ramp (the key and the contact apart).
VENDOR_FIELDS = VENDOR.managed()
#: The accounting vendor fields plan compares with Ramp (the remote id apart).
ACCOUNTING_VENDOR_FIELDS = ACCOUNTING_VENDOR.managed()


def build_graph(manifests: Sources) -> DesiredGraph:
    """Turn validated manifests into the desired graph."""
    avs = {doc.address: _accounting_vendor(doc) for doc in manifests.accounting_vendors()}
    users = _users(manifests.users())
    by_email = {u.key: a for a, u in users.items()}
    vendors = {doc.address: _vendor(doc, avs, by_email) for doc in manifests.vendors()}
    return DesiredGraph(
        vendors=vendors,
        accounting_vendors=avs,
        digest=manifests.digest,
        bills=build_bills(manifests.bills()),
        users=users,
    )


def _users(docs: Sequence[Source]) -> dict[str, DesiredUser]:
    """User manifests by address; a manager declared as a User manifest is invited first."""
    users = {doc.address: _user(doc) for doc in docs}
    by_email = {u.key: a for a, u in users.items()}
    return {
        a: replace(u, depends_on=[m] if (m := by_email.get(u.fields.direct_manager or "")) else [])
        for a, u in users.items()
    }


def _user(doc: Source) -> DesiredUser:
    spec: Any = doc.spec
    given, managed = managed_values(USER, spec, USER.managed())
    given["email"] = USER.field("email").normalise(spec.email)
    return DesiredUser(
        address=doc.address,
        key=str(given["email"]),
        fields=UserValues(**given),
        managed=managed,
        document=doc.origin(),
        protect=bool(spec.protect),
        ignore=shared(frozenset(spec.ignore_changes)),
    )


def _vendor(
    doc: Source, avs: dict[str, DesiredAccountingVendor], users: dict[str, str]
) -> DesiredVendor:
    spec: Any = doc.spec
    given, managed = managed_values(VENDOR, spec, VENDOR_FIELDS)
    link_address = None
    if isinstance(spec.accounting_vendor, str):
        link_address = addr.make(addr.ACCOUNTING_VENDOR, spec.accounting_vendor)
        given["accounting_vendor"] = avs[link_address].remote_id
    return DesiredVendor(
        address=doc.address,
        key=spec.key(doc.name),
        fields=VendorValues(**given),
        managed=managed,
        contact=_contact(spec.contact) or _default_contact(spec.contacts),
        contacts=_contacts(spec.contacts),
        protect=bool(spec.protect),
        ignore=shared(frozenset(spec.ignore_changes)),
        link_address=link_address,
        owner_address=users.get(given.get("owner") or ""),
        document=doc.origin(),
    )


_SHARED: dict[frozenset[str], frozenset[str]] = {}


def shared(names: frozenset[str]) -> frozenset[str]:
    """One frozenset for every object that holds the same names (managed paths, ignored
    fields): most manifests of a kind set the same fields, and a graph of 100,000 vendors
    otherwise holds 200,000 sets of about 500 bytes each."""
    return _SHARED.setdefault(names, names)


def managed_values(
    kind: KindSpec, spec: Any, names: tuple[str, ...]
) -> tuple[dict[str, Any], frozenset[str]]:
    """The normalised values of the `names` a manifest spec sets, and the managed paths."""
    given: dict[str, Any] = {}
    managed: set[str] = set()
    fields_set = spec.model_fields_set
    for name, field_spec in _field_specs(kind, names):
        if name in fields_set:
            value = getattr(spec, name)
            if field_spec.plain:  # most fields: the value normalised, no parts
                given[name] = None if value is None else field_spec.spec.normalise(value)
                managed.add(name)
                continue
            given[name], parts = desired_value(field_spec.spec, value)
            managed |= {name, *parts}
    return given, shared(frozenset(managed))


@dataclass(frozen=True)
class _NamedField:
    """A declared field as `managed_values` reads it: `plain` when it is neither nested nor
    a reference (its desired value is its manifest value, normalised)."""

    spec: FieldSpec
    plain: bool


_FIELD_SPECS: dict[tuple[str, tuple[str, ...]], tuple[tuple[str, _NamedField], ...]] = {}


def _field_specs(kind: KindSpec, names: tuple[str, ...]) -> tuple[tuple[str, _NamedField], ...]:
    """The declarations of `names` in `kind`, looked up once per kind and names."""
    key = (kind.manifest_kind, names)
    found = _FIELD_SPECS.get(key)
    if found is None:
        specs = [kind.field(name) for name in names]
        found = tuple(
            (name, _NamedField(spec, spec.reference is None and spec.value_type is None))
            for name, spec in zip(names, specs, strict=True)
        )
        _FIELD_SPECS[key] = found
    return found


def desired_value(field_spec: FieldSpec, value: Any) -> tuple[Any, set[str]]:
    """A manifest value of a declared field, normalised, and the parts the manifest sets."""
    if value is None:
        return None, set()
    if field_spec.reference == "accounting_vendor":
        # A manifest name is resolved to its remote id by the caller.
        return (None if isinstance(value, str) else field_spec.normalise(value.remote_id)), set()
    if field_spec.value_type is not None:
        parts = [part for part in field_spec.parts if part.path in value.model_fields_set]
        given = {part.path: part.normalise(getattr(value, part.path)) for part in parts}
        return field_spec.value_type(**given), {f"{field_spec.path}.{p.path}" for p in parts}
    return field_spec.normalise(value), set()


def _contact(value: Any) -> VendorContactValues | None:
    if value is None:
        return None
    return VendorContactValues(
        **{
            part.path: part.normalise(getattr(value, part.path))
            for part in VendorContactValues.specs()
        }
    )


def _contacts(value: Any) -> tuple[VendorContactEntry, ...] | None:
    if value is None:
        return None
    specs = VendorContactEntry.specs()
    return tuple(
        VendorContactEntry(**{p.path: p.normalise(getattr(entry, p.path)) for p in specs})
        for entry in value
    )


def _default_contact(value: Any) -> VendorContactValues | None:
    defaults = [entry for entry in value or () if entry.default]
    return _contact(defaults[0]) if defaults else None


def _accounting_vendor(doc: Source) -> DesiredAccountingVendor:
    spec: Any = doc.spec
    given, managed = managed_values(ACCOUNTING_VENDOR, spec, ACCOUNTING_VENDOR_FIELDS)
    return DesiredAccountingVendor(
        address=doc.address,
        remote_id=str(spec.remote_id).strip(),
        fields=AccountingVendorValues(**given),
        managed=managed,
        document=doc.origin(),
    )
