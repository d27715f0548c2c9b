"""The import draft: which live objects become which manifests and state entries.

Pure: it takes a snapshot already read from Ramp (with the contacts of the vendors to
import), what the manifests and state already manage, and the options; it returns the
documents to write, the state entries, and what was skipped or left out, with reasons.

Rules:
- A live object already managed (its Ramp id in the state, or its adoption key or remote id
  in a manifest) is skipped and reported, never imported twice.
- Vendors are named in creation order (then id), so collisions are numbered the same way on
  every run: `acme`, `acme-2`, ... A name never repeats an existing address, and a vendor
  without an `external_vendor_id` gets a name no other vendor uses as its key (that name is
  its adoption key, set at the next apply).
- Accounting vendors: with Vendor imported too, those the imported vendors link to; with
  AccountingVendor alone, all of them (active ones unless inactive are asked for).
- Bills are added to the draft by `rampctl.importer.bills` (they need their own reads).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, Protocol, TypeVar

from pydantic import JsonValue

from rampctl.engine.snapshot import Snapshot
from rampctl.engine.view import accounting_vendor_view, fingerprint, user_view
from rampctl.importer.existing import Existing
from rampctl.importer.slugs import NameAllocator, is_slug, slug
from rampctl.importer.vendor import Omission, VendorFields, vendor_fields
from rampctl.model import address as addr
from rampctl.model import normalise as norm
from rampctl.model.kinds import ACCOUNTING_VENDOR, USER
from rampctl.model.kinds.user import INACTIVE, ROLES
from rampctl.ramp.models import AccountingVendor, User, Vendor
from rampctl.state.model import Attributes, ResourceState

#: A manifest document, or its spec, as JSON values: what import writes as YAML.
Spec = dict[str, JsonValue]
VENDOR_KIND = "Vendor"
ACCOUNTING_KIND = "AccountingVendor"
BILL_KIND = "Bill"
USER_KIND = "User"
DEFAULT_KINDS = (VENDOR_KIND, ACCOUNTING_KIND)
"""What `rampctl import` imports unless `--kind` says otherwise (bills need `--since`)."""
KINDS = (*DEFAULT_KINDS, BILL_KIND, USER_KIND)


@dataclass(frozen=True, kw_only=True)
class ImportOptions:
    """What to import: kinds, whether inactive objects too, where names come from, and the
    first issue date (YYYY-MM-DD) of the open bills to import."""

    kinds: frozenset[str] = frozenset(DEFAULT_KINDS)
    include_inactive: bool = False
    name_from: Literal["name", "external_id"] = "name"
    since: str | None = None


@dataclass(frozen=True, kw_only=True)
class DraftDocument:
    """One manifest document to write and the state entry that goes with it."""

    kind: str
    name: str
    label: str
    spec: Spec
    entry: ResourceState

    @property
    def address(self) -> str:
        """The document's address, e.g. `vendor/acme-cloud`."""
        return addr.make(addr.KIND_OF_MANIFEST[self.kind], self.name)


@dataclass(frozen=True, kw_only=True)
class Skipped:
    """A live object not imported, and why."""

    kind: str
    label: str
    reason: str


@dataclass(kw_only=True)
class Draft:
    """Everything one import would write, and what it reports."""

    vendors: list[DraftDocument] = field(default_factory=list)
    accounting_vendors: list[DraftDocument] = field(default_factory=list)
    bills: list[DraftDocument] = field(default_factory=list)
    users: list[DraftDocument] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    omitted: list[tuple[str, Omission]] = field(default_factory=list)
    adoptions: list[tuple[str, str]] = field(default_factory=list)
    inactive_left_out: int = 0

    @property
    def documents(self) -> list[DraftDocument]:
        """Users, accounting vendors, then vendors, then bills."""
        return [*self.users, *self.accounting_vendors, *self.vendors, *self.bills]


class Created(Protocol):
    """A live Ramp object with a creation time."""

    @property
    def created_at(self) -> str | None:
        """When Ramp created it (ISO 8601), if it says."""


CreatedT = TypeVar("CreatedT", bound=Created)


def by_creation(items: Iterable[CreatedT], id_attr: str = "id") -> list[CreatedT]:
    """Items ordered by creation time, then id: the order names are handed out in."""
    return sorted(items, key=lambda o: (o.created_at or "", str(getattr(o, id_attr))))


def vendor_candidates(
    snapshot: Snapshot, existing: Existing, options: ImportOptions, draft: Draft
) -> list[Vendor]:
    """Live vendors to import (in naming order); the others are counted or skipped in `draft`."""
    if VENDOR_KIND not in options.kinds:
        return []
    chosen: list[Vendor] = []
    keys: dict[str, str] = {}
    for vendor in by_creation(snapshot.vendors.values()):
        key = norm.text(vendor.external_vendor_id)
        managed = existing.managed_vendor(vendor.id, key)
        if not vendor.is_active and not options.include_inactive:
            draft.inactive_left_out += 1
        elif managed:
            draft.skipped.append(_skip(VENDOR_KIND, vendor, f"already managed as {managed}"))
        elif key and key in keys:
            reason = f"its external_vendor_id {key!r} is also carried by {keys[key]!r}"
            draft.skipped.append(_skip(VENDOR_KIND, vendor, reason))
        else:
            if key:
                keys[key] = vendor.name
            chosen.append(vendor)
    return chosen


def _skip(kind: str, item: Vendor | AccountingVendor, reason: str) -> Skipped:
    return Skipped(kind=kind, label=item.name, reason=reason)


def build_draft(snapshot: Snapshot, existing: Existing, options: ImportOptions) -> Draft:
    """The draft for a snapshot whose contacts of the vendor candidates have been read."""
    draft = Draft()
    vendors = vendor_candidates(snapshot, existing, options, draft)
    fields = {v.id: vendor_fields(v, snapshot.users, snapshot.contacts.get(v.id)) for v in vendors}
    for vendor in vendors:
        if "name" not in fields[vendor.id].spec:
            draft.skipped.append(_skip(VENDOR_KIND, vendor, "it has no name in Ramp"))
    vendors = [v for v in vendors if "name" in fields[v.id].spec]
    named = _name_vendors(snapshot, existing, options, vendors)
    links = _linked_remotes(vendors)
    accounting = _accounting_documents(snapshot, existing, options, links, draft)
    link_names = {
        **existing.accounting_manifests,
        **{str(d.spec["remote_id"]): d.name for d in accounting},
    }
    draft.accounting_vendors = sorted(accounting, key=lambda d: d.name)
    made = [
        _vendor_document(v, named[v.id], fields[v.id], snapshot, link_names, draft) for v in vendors
    ]
    draft.vendors = sorted(made, key=lambda d: d.name)
    draft.users = _user_documents(snapshot, existing, options, draft)
    return draft


def _user_documents(
    snapshot: Snapshot, existing: Existing, options: ImportOptions, draft: Draft
) -> list[DraftDocument]:
    """User manifests for the business's users not managed yet (deactivated ones with
    `--include-inactive` only; the business owner never: that role cannot be managed)."""
    if USER_KIND not in options.kinds:
        return []
    names = NameAllocator(existing.user_names)
    documents = []
    for user in sorted(snapshot.users.values(), key=lambda u: (norm.email(u.email) or "", u.id)):
        email = norm.email(user.email)
        if user.status == INACTIVE and not options.include_inactive:
            draft.inactive_left_out += 1
        elif not email or user.role not in ROLES:
            reason = "it has no email" if not email else f"its role {user.role} is not managed"
            draft.skipped.append(Skipped(kind=USER_KIND, label=email or user.id, reason=reason))
        elif user.id in existing.user_ids or email in existing.user_emails:
            managed = existing.user_ids.get(user.id) or existing.user_emails[email]
            reason = f"already managed as {managed}"
            draft.skipped.append(Skipped(kind=USER_KIND, label=email, reason=reason))
        else:
            name = names.take(slug(email.split("@")[0], fallback="user"))
            documents.append(_user_document(user, name, snapshot))
    return sorted(documents, key=lambda d: d.name)


def _user_document(user: User, name: str, snapshot: Snapshot) -> DraftDocument:
    view = user_view(user, snapshot.users)
    spec = {
        f.path: view[f.path]
        for f in USER.manifest_fields()
        if view.get(f.path) is not None and not str(view[f.path]).startswith("user:")
    }
    entry = ResourceState(
        kind=addr.USER,
        ramp_id=user.id,
        fingerprint=fingerprint(view),
        attributes=view,
        key=email if isinstance(email := view["email"], str) else None,
    )
    label = str(view["email"])
    return DraftDocument(kind=USER_KIND, name=name, label=label, spec=spec, entry=entry)


def _name_vendors(
    snapshot: Snapshot, existing: Existing, options: ImportOptions, vendors: list[Vendor]
) -> dict[str, str]:
    """Metadata names for `vendors` (by id), handed out in their order."""
    live_keys = {
        k for k in (norm.text(v.external_vendor_id) for v in snapshot.vendors.values()) if k
    }
    keys_in_use = live_keys | set(existing.vendor_keys)
    names = NameAllocator(existing.vendor_names)
    named: dict[str, str] = {}
    for vendor in vendors:
        key = norm.text(vendor.external_vendor_id)
        if key and options.name_from == "external_id":
            base = key if is_slug(key) else slug(key)
        else:
            base = slug(vendor.name)
        if key:
            named[vendor.id] = names.take(base)
        else:
            named[vendor.id] = names.take(base, also_free=keys_in_use)
            keys_in_use.add(named[vendor.id])
    return named


def _linked_remotes(vendors: list[Vendor]) -> set[str]:
    return {r for r in (norm.text(v.accounting_vendor_remote_id) for v in vendors) if r}


def _accounting_documents(
    snapshot: Snapshot,
    existing: Existing,
    options: ImportOptions,
    links: set[str],
    draft: Draft,
) -> list[DraftDocument]:
    if ACCOUNTING_KIND not in options.kinds:
        return []
    only_accounting = VENDOR_KIND not in options.kinds
    names = NameAllocator(existing.accounting_names)
    documents = []
    for item in by_creation(snapshot.accounting_vendors.values(), "ramp_id"):
        remote = norm.text(item.id)
        if only_accounting and not item.is_active and not options.include_inactive:
            draft.inactive_left_out += 1
            continue
        if not only_accounting and remote not in links:
            continue
        managed = existing.managed_accounting(item.ramp_id, remote)
        if managed or remote is None or norm.text(item.name) is None:
            reason = f"already managed as {managed}" if managed else "it has no remote id or name"
            if managed is None or only_accounting:
                draft.skipped.append(_skip(ACCOUNTING_KIND, item, reason))
            continue
        name = names.take(slug(item.name, fallback="accounting-vendor"))
        documents.append(_accounting_document(item, remote, name))
    return documents


def _accounting_document(item: AccountingVendor, remote: str, name: str) -> DraftDocument:
    view = accounting_vendor_view(item)
    spec: Spec = {}
    for field_spec in ACCOUNTING_VENDOR.manifest_fields():
        value = remote if field_spec.path == ACCOUNTING_VENDOR.key else view[field_spec.path]
        if value is not None and value != field_spec.ramp_default:
            spec[field_spec.path] = value
    entry = ResourceState(
        kind=addr.ACCOUNTING_VENDOR,
        ramp_id=item.ramp_id,
        fingerprint=fingerprint(view),
        attributes=view,
        key=remote,
    )
    return DraftDocument(kind=ACCOUNTING_KIND, name=name, label=item.name, spec=spec, entry=entry)


def _vendor_document(
    vendor: Vendor,
    name: str,
    fields: VendorFields,
    snapshot: Snapshot,
    link_names: dict[str, str],
    draft: Draft,
) -> DraftDocument:
    address = addr.make(addr.VENDOR, name)
    spec = dict(fields.spec)
    key = norm.text(vendor.external_vendor_id) or name
    if key != name:
        spec["external_id"] = key
    depends_on = _link(vendor, spec, snapshot, link_names, fields.omitted)
    draft.omitted += [(address, o) for o in fields.omitted]
    if fields.view.external_id is None:
        draft.adoptions.append((address, key))
    view = fields.view.as_dict()
    attributes: Attributes = dict(view)
    if fields.contact:
        contact: Attributes = dict(fields.contact)
        attributes["contact"] = contact
    entry = ResourceState(
        kind=addr.VENDOR,
        ramp_id=vendor.id,
        fingerprint=fingerprint(view),
        attributes=attributes,
        depends_on=depends_on,
        key=key,
    )
    return DraftDocument(kind=VENDOR_KIND, name=name, label=vendor.name, spec=spec, entry=entry)


def _link(
    vendor: Vendor,
    spec: Spec,
    snapshot: Snapshot,
    link_names: dict[str, str],
    omitted: list[Omission],
) -> list[str]:
    """Set `spec.accounting_vendor`; return the address the vendor depends on, if any."""
    remote = norm.text(vendor.accounting_vendor_remote_id)
    if remote is None:
        return []
    if remote in link_names:
        spec["accounting_vendor"] = link_names[remote]
        return [addr.make(addr.ACCOUNTING_VENDOR, link_names[remote])]
    if remote in snapshot.accounting_by_remote:
        spec["accounting_vendor"] = {"remote_id": remote}
    else:
        reason = "the linked accounting vendor is not in Ramp's accounting connection"
        omitted.append(Omission(field="accounting_vendor", reason=reason))
    return []
