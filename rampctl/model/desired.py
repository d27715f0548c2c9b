"""The desired graph: what the manifests ask for, normalised and with references resolved.

Field names are the manifest's (`owner`, `accounting_vendor`, `active`, ...), so the
desired and the live side of a diff speak the same vocabulary.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from rampctl.model import address as addr
from rampctl.model.bills import DesiredBill, build_bills
from rampctl.model.declared import Desired
from rampctl.model.frozen import Maker
from rampctl.model.kinds import (
    ACCOUNTING_VENDOR,
    USER,
    VENDOR,
    AccountingVendorValues,
    FieldSpec,
    KindSpec,
    UserValues,
    Values,
    VendorContactEntry,
    VendorContactValues,
    VendorValues,
)
from rampctl.model.source import Source, Sources

#: The vendor fields plan compares with Ramp (the key and the contact apart).
VENDOR_FIELDS = VENDOR.managed()
#: The accounting vendor fields plan compares with Ramp (the remote id apart).
ACCOUNTING_VENDOR_FIELDS = ACCOUNTING_VENDOR.managed()


@dataclass(frozen=True, kw_only=True)
class Managed:
    """Typed values and the paths a manifest sets: only those are managed (compared).

    `managed` holds top-level field names and, for a nested value, `<field>.<part>` for
    each part the manifest writes; a field set to null is managed (plan clears it).
    """

    managed: frozenset[str] = frozenset()

    def manages(self, path: str) -> bool:
        """Whether the manifest sets the field (or part) at `path`."""
        return path in self.managed

    def wanted(self, values: Values) -> dict[str, Any]:
        """The managed values by field, a nested value as its managed parts (for the diff)."""
        out: dict[str, Any] = {}
        for spec in values.specs():
            if spec.path not in self.managed:
                continue
            value = getattr(values, spec.path)
            if isinstance(value, Values):
                value = {
                    part.path: getattr(value, part.path)
                    for part in spec.parts
                    if f"{spec.path}.{part.path}" in self.managed
                }
            out[spec.path] = value
        return out


@dataclass(frozen=True, kw_only=True)
class DesiredVendor(Desired, Managed):
    """A Vendor manifest: its key, managed fields (normalised) and settings."""

    key: str
    fields: VendorValues
    contact: VendorContactValues | None
    link_address: str | None
    #: `spec.contacts`, or None when the manifest has none (then `contact` is the one
    #: contact; with a list, `contact` is its default entry).
    contacts: tuple[VendorContactEntry, ...] | None = None
    #: The User manifest of the vendor's owner, when the owner is declared (invited first).
    owner_address: str | None = None

    @property
    def depends_on(self) -> list[str]:
        """Addresses this vendor needs to exist first."""
        return [a for a in (self.link_address, self.owner_address) if a]


@dataclass(frozen=True, kw_only=True)
class DesiredAccountingVendor(Desired, Managed):
    """An AccountingVendor manifest: its remote (ERP) id and managed fields."""

    remote_id: str
    fields: AccountingVendorValues
    depends_on: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class DesiredUser(Desired, Managed):
    """A User manifest: its email (the key), managed fields and settings."""

    key: str
    fields: UserValues
    depends_on: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class DesiredGraph:
    """Every desired object by address, plus the manifest digest it came from."""

    vendors: dict[str, DesiredVendor]
    accounting_vendors: dict[str, DesiredAccountingVendor]
    digest: str
    bills: dict[str, DesiredBill] = field(default_factory=dict)
    users: dict[str, DesiredUser] = field(default_factory=dict)

    def addresses(self) -> set[str]:
        """All desired addresses."""
        return set(self.vendors) | set(self.accounting_vendors) | set(self.bills) | set(self.users)

    def user_by_email(self, email: str | None) -> DesiredUser | None:
        """The User manifest with this email, if any."""
        found = [u for u in self.users.values() if email and u.key == email]
        return found[0] if found else None


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


def graph_vendors(docs: Sequence[Source], graph: DesiredGraph) -> dict[str, DesiredVendor]:
    """The desired vendors of `docs`, resolved against `graph`'s accounting vendors and users
    as `build_graph` resolves them (a graph brought up to date file by file)."""
    by_email = {u.key: a for a, u in graph.users.items()}
    return {doc.address: _vendor(doc, graph.accounting_vendors, by_email) for doc in docs}


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
        ignore=_ignored(spec.ignore_changes),
    )


_VENDOR_VALUES = Maker(VendorValues)
_DESIRED_VENDOR = Maker(DesiredVendor)


def _vendor(
    doc: Source, avs: dict[str, DesiredAccountingVendor], users: dict[str, str]
) -> DesiredVendor:
    spec: Any = doc.spec
    given, managed = managed_values(VENDOR, spec, VENDOR_FIELDS)
    link, link_address = spec.accounting_vendor, None
    if isinstance(link, str):
        link_address = addr.make(addr.ACCOUNTING_VENDOR, link)
        given["accounting_vendor"] = avs[link_address].remote_id
    contacts = spec.contacts
    return _DESIRED_VENDOR(
        {
            "address": doc.address,
            "key": spec.external_id or doc.name,
            "fields": _VENDOR_VALUES(given),
            "managed": managed,
            "contact": _contact(spec.contact) or _default_contact(contacts),
            "contacts": None if contacts is None else _contacts(contacts),
            "protect": bool(spec.protect),
            "ignore": _ignored(spec.ignore_changes),
            "link_address": link_address,
            "owner_address": users.get(given.get("owner") or ""),
            "document": doc.origin(),
        }
    )


_SHARED: dict[frozenset[str], frozenset[str]] = {}


def shared(names: frozenset[str]) -> frozenset[str]:
    """One frozenset for every object that holds the same names (managed paths, ignored
    fields): most manifests of a kind set the same fields, and a graph of 100,000 vendors
    otherwise holds 200,000 sets of about 500 bytes each."""
    return _SHARED.setdefault(names, names)


_NO_NAMES = shared(frozenset())


def _ignored(paths: list[str]) -> frozenset[str]:
    """The shared set of the paths `ignore_changes` names (most name none)."""
    return shared(frozenset(paths)) if paths else _NO_NAMES


def managed_values(
    kind: KindSpec, spec: Any, names: tuple[str, ...]
) -> tuple[dict[str, Any], frozenset[str]]:
    """The normalised values of the `names` a manifest spec sets, and the managed paths."""
    given: dict[str, Any] = {}
    managed: list[str] = []
    fields_set = spec.__pydantic_fields_set__  # what `model_fields_set` gives
    values = spec.__dict__  # a model's fields, as getattr reads them
    for name, field_spec, normalise in _field_specs(kind, names):
        if name not in fields_set:
            continue
        value = values[name]
        if normalise is not None:  # most fields: the value normalised, no parts
            given[name] = None if value is None else normalise(value)
            managed.append(name)
        else:
            given[name], parts = desired_value(field_spec, value)
            managed.append(name)
            managed += parts
    return given, shared(frozenset(managed))


#: A declared field as `managed_values` reads it: its name, its declaration, and its
#: normaliser when its desired value is its manifest value normalised (neither nested nor
#: an accounting link, which `desired_value` reads), else None.
_NamedField = tuple[str, FieldSpec, "Callable[[Any], Any] | None"]
_FIELD_SPECS: dict[tuple[str, tuple[str, ...]], tuple[_NamedField, ...]] = {}


def _field_specs(kind: KindSpec, names: tuple[str, ...]) -> tuple[_NamedField, ...]:
    """The declarations of `names` in `kind`, looked up once per kind and names."""
    key = (kind.manifest_kind, names)
    found = _FIELD_SPECS.get(key)
    if found is None:
        specs = [kind.field(name) for name in names]
        found = tuple(
            (name, spec, None if spec.value_type or spec.reference == _LINK else spec.normalise)
            for name, spec in zip(names, specs, strict=True)
        )
        _FIELD_SPECS[key] = found
    return found


_LINK = "accounting_vendor"


def desired_value(field_spec: FieldSpec, value: Any) -> tuple[Any, set[str]]:
    """A manifest value of a declared field, normalised, and the parts the manifest sets."""
    if value is None:
        return None, set()
    if field_spec.reference == _LINK:
        # A manifest name is resolved to its remote id by the caller.
        return (None if isinstance(value, str) else field_spec.normalise(value.remote_id)), set()
    if field_spec.value_type is not None:
        parts = [part for part in field_spec.parts if part.path in value.model_fields_set]
        given = {part.path: part.normalise(getattr(value, part.path)) for part in parts}
        return field_spec.value_type(**given), {f"{field_spec.path}.{p.path}" for p in parts}
    return field_spec.normalise(value), set()


_CONTACT_VALUES = Maker(VendorContactValues)
_CONTACT_PARTS = tuple((part.path, part.normalise) for part in VendorContactValues.specs())
_CONTACT_ENTRY = Maker(VendorContactEntry)
_ENTRY_PARTS = tuple((part.path, part.normalise) for part in VendorContactEntry.specs())


def _contact(value: Any) -> VendorContactValues | None:
    if value is None:
        return None
    values = value.__dict__
    given = {}
    for path, normalise in _CONTACT_PARTS:
        given[path] = normalise(values[path])
    return _CONTACT_VALUES(given)


def _contacts(value: Any) -> tuple[VendorContactEntry, ...]:
    return tuple(
        _CONTACT_ENTRY({path: normalise(entry.__dict__[path]) for path, normalise in _ENTRY_PARTS})
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
