"""The desired graph: what the manifests ask for, normalised and with references resolved.

Field names are the manifest's (`owner`, `accounting_vendor`, `active`, ...), so the
desired and the live side of a diff speak the same vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rampctl.model import address as addr
from rampctl.model.bills import DesiredBill, build_bills
from rampctl.model.kinds import ACCOUNTING_VENDOR, VENDOR, VENDOR_CONTACT, FieldSpec
from rampctl.model.source import Source, Sources

#: The vendor fields plan compares with Ramp (the key and the contact apart).
VENDOR_FIELDS = VENDOR.managed()
#: The accounting vendor fields plan compares with Ramp (the remote id apart).
ACCOUNTING_VENDOR_FIELDS = ACCOUNTING_VENDOR.managed()


@dataclass(frozen=True, kw_only=True)
class DesiredVendor:
    """A Vendor manifest: its key, managed fields (normalised) and settings."""

    address: str
    key: str
    fields: dict[str, Any]
    contact: dict[str, str | None] | None
    protect: bool
    ignore: frozenset[str]
    link_address: str | None
    document: Source

    @property
    def depends_on(self) -> list[str]:
        """Addresses this vendor needs to exist first."""
        return [self.link_address] if self.link_address else []


@dataclass(frozen=True, kw_only=True)
class DesiredAccountingVendor:
    """An AccountingVendor manifest: its remote (ERP) id and managed fields."""

    address: str
    remote_id: str
    fields: dict[str, Any]
    document: Source
    protect: bool = False
    ignore: frozenset[str] = frozenset()
    depends_on: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class DesiredGraph:
    """Every desired object by address, plus the manifest digest it came from."""

    vendors: dict[str, DesiredVendor]
    accounting_vendors: dict[str, DesiredAccountingVendor]
    digest: str
    bills: dict[str, DesiredBill] = field(default_factory=dict)

    def addresses(self) -> set[str]:
        """All desired addresses."""
        return set(self.vendors) | set(self.accounting_vendors) | set(self.bills)


def build_graph(manifests: Sources) -> DesiredGraph:
    """Turn validated manifests into the desired graph."""
    avs = {doc.address: _accounting_vendor(doc) for doc in manifests.accounting_vendors()}
    vendors = {doc.address: _vendor(doc, avs) for doc in manifests.vendors()}
    return DesiredGraph(
        vendors=vendors,
        accounting_vendors=avs,
        digest=manifests.digest,
        bills=build_bills(manifests.bills()),
    )


def _vendor(doc: Source, avs: dict[str, DesiredAccountingVendor]) -> DesiredVendor:
    spec: Any = doc.spec
    managed = spec.model_fields_set & set(VENDOR_FIELDS)
    fields = {name: _vendor_value(name, spec) for name in VENDOR_FIELDS if name in managed}
    link_address = None
    if isinstance(spec.accounting_vendor, str):
        link_address = addr.make(addr.ACCOUNTING_VENDOR, spec.accounting_vendor)
        fields["accounting_vendor"] = avs[link_address].remote_id
    return DesiredVendor(
        address=doc.address,
        key=spec.key(doc.name),
        fields=fields,
        contact=_contact(spec.contact),
        protect=bool(spec.protect),
        ignore=frozenset(spec.ignore_changes),
        link_address=link_address,
        document=doc,
    )


def _vendor_value(name: str, spec: Any) -> Any:
    return desired_value(VENDOR.field(name), getattr(spec, name))


def desired_value(field_spec: FieldSpec, value: Any) -> Any:
    """A manifest value of a declared field, normalised; only the parts the manifest sets."""
    if value is None:
        return None
    if field_spec.reference == "accounting_vendor":
        # A manifest name is resolved to its remote id by the caller.
        return None if isinstance(value, str) else field_spec.normalise(value.remote_id)
    if field_spec.parts:
        return {
            part.path: part.normalise(getattr(value, part.path))
            for part in field_spec.parts
            if part.path in value.model_fields_set
        }
    return field_spec.normalise(value)


def _contact(value: Any) -> dict[str, str | None] | None:
    if value is None:
        return None
    return {part.path: part.normalise(getattr(value, part.path)) for part in VENDOR_CONTACT}


def _accounting_vendor(doc: Source) -> DesiredAccountingVendor:
    spec: Any = doc.spec
    managed = spec.model_fields_set & set(ACCOUNTING_VENDOR_FIELDS)
    fields = {
        name: desired_value(ACCOUNTING_VENDOR.field(name), getattr(spec, name))
        for name in ACCOUNTING_VENDOR_FIELDS
        if name in managed
    }
    return DesiredAccountingVendor(
        address=doc.address, remote_id=str(spec.remote_id).strip(), fields=fields, document=doc
    )
