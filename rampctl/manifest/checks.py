"""Checks across documents: unique addresses and keys, references that resolve, one link each."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rampctl.errors import Problem
from rampctl.manifest.document import Document
from rampctl.manifest.position import Position
from rampctl.manifest.specs import (
    AccountingRef,
    AccountingVendorSpec,
    BillSpec,
    UserSpec,
    VendorSpec,
    suggest,
)
from rampctl.manifest.validate import Identity

_LINK = "spec.accounting_vendor"


def _problem(position: Position, message: str, address: str, field: str = "") -> Problem:
    return Problem(
        file=position.file,
        line=position.line,
        col=position.col,
        message=message,
        address=address,
        field=field,
    )


def check_documents(
    identities: list[Identity], documents: list[Document], *, complete: bool
) -> list[Problem]:
    """Every check across documents, in one pass over them each (and a second only over the
    documents a check concerns): the problems of each check in turn, in document order.
    References are only checked when `complete` (a file that did not parse may hold the
    missing targets)."""
    problems = unique_addresses(identities)
    kinds = _Kinds.of(documents)
    problems += unique_keys(documents, distinct=not problems)
    problems += move_records(documents)
    problems += vendor_contacts(kinds.vendors)
    problems += user_managers(kinds.users)
    if complete:
        problems += references(kinds, identities)
    return problems


@dataclass(frozen=True)
class _Kinds:
    """The documents of each kind, in order."""

    vendors: list[Document]
    accounting_vendors: list[Document]
    bills: list[Document]
    users: list[Document]

    @classmethod
    def of(cls, documents: Iterable[Document]) -> _Kinds:
        found: dict[str, list[Document]] = {kind: [] for kind in _KINDS}
        for doc in documents:
            found[doc.kind].append(doc)
        return cls(*found.values())


_KINDS = ("Vendor", "AccountingVendor", "Bill", "User")


def unique_addresses(identities: Iterable[Identity]) -> list[Problem]:
    """Each address (`vendor/<name>`) is defined once."""
    first: dict[str, Identity] = {}
    problems = []
    for ident in identities:
        earlier = first.setdefault(ident.address, ident)
        if earlier is not ident:
            where = earlier.position
            message = f"duplicate address {ident.address} (first defined at {where})"
            problems.append(_problem(ident.position, message, ident.address, "metadata.name"))
    return problems


def unique_keys(documents: Iterable[Document], *, distinct: bool = False) -> list[Problem]:
    """Vendor adoption keys (external_id or name), accounting remote ids and bill keys
    (vendor and invoice number) are unique. With `distinct`, no two documents share an
    address (`unique_addresses` found none); otherwise only the first of an address counts."""
    problems = []
    seen: dict[tuple[str, ...], Document] = {}
    addresses: set[str] = set()
    for doc in documents:
        if not distinct:
            if doc.address in addresses:
                continue  # already reported as a duplicate address
            addresses.add(doc.address)
        spec = doc.spec
        if isinstance(spec, VendorSpec):  # most documents: their key without `_key_of`
            entry: tuple[str, ...] = ("vendor", spec.external_id or doc.name)
        else:
            entry = _key_of(doc)[0]
        other = seen.setdefault(entry, doc)
        if other is not doc:
            _, field, what = _key_of(doc)
            message = f"{what} '{entry[-1]}' is also used by {other.address} ({other.position})"
            problems.append(_problem(doc.position_of(field), message, doc.address, field))
    return problems


def _key_of(doc: Document) -> tuple[tuple[str, ...], str, str]:
    """The unique key of a document, the field that holds it, and what to call it."""
    spec = doc.spec
    if isinstance(spec, VendorSpec):
        return ("vendor", spec.key(doc.name)), "spec.external_id", "key"
    if isinstance(spec, BillSpec):
        vendor, number = spec.key()
        return ("bill", vendor, number), "spec.invoice_number", f"vendor {vendor}: invoice"
    if isinstance(spec, UserSpec):
        return ("user", spec.email.strip().lower()), "spec.email", "email"
    return ("accounting", spec.remote_id), "spec.remote_id", "remote_id"


def bill_references(bills: list[Document], identities: list[Identity]) -> list[Problem]:
    """A bill's vendor named by manifest name must be a Vendor manifest."""
    vendors = [(d, d.spec.vendor) for d in bills if isinstance(d.spec, BillSpec)]
    named = [(doc, vendor) for doc, vendor in vendors if isinstance(vendor, str)]
    if not named:
        return []
    names = {i.name for i in identities if i.kind == "Vendor"}
    problems = []
    for doc, vendor in named:
        if vendor not in names:
            message = f"no Vendor manifest named '{vendor}'{suggest(vendor, names)}"
            problems.append(
                _problem(doc.position_of("spec.vendor"), message, doc.address, "spec.vendor")
            )
    return problems


def references(kinds: _Kinds, identities: list[Identity]) -> list[Problem]:
    """Accounting links resolve, and each accounting vendor is linked by at most one vendor;
    bills name Vendor manifests (`bill_references`)."""
    remote_of = {
        d.name: d.spec.remote_id
        for d in kinds.accounting_vendors
        if isinstance(d.spec, AccountingVendorSpec)
    }
    names: set[str] | None = None  # the AccountingVendor manifests' names, once needed
    problems = []
    linked: dict[str, Document] = {}
    for doc in kinds.vendors:
        spec = doc.spec
        if not isinstance(spec, VendorSpec) or spec.accounting_vendor is None:
            continue
        link = spec.accounting_vendor
        if isinstance(link, str):
            if names is None:
                names = {i.name for i in identities if i.kind == "AccountingVendor"}
            if link not in names:
                hint = suggest(link, names)
                message = f"no AccountingVendor manifest named '{link}'{hint}"
                problems.append(_problem(doc.position_of(_LINK), message, doc.address, _LINK))
                continue
        remote = link.remote_id if isinstance(link, AccountingRef) else remote_of.get(link)
        if remote is None:
            continue
        if remote in linked:
            other = linked[remote]
            message = f"accounting vendor '{remote}' is already linked by {other.address}"
            problems.append(_problem(doc.position_of(_LINK), message, doc.address, _LINK))
        else:
            linked[remote] = doc
    return problems + bill_references(kinds.bills, identities)


def move_records(documents: list[Document]) -> list[Problem]:
    """`metadata.previously` names old addresses of the same kind, each claimed once,
    none still declared (the object cannot be managed at both addresses)."""
    movers = [d for d in documents if d.previously]
    if not movers:
        return []
    declared = {d.address for d in documents}
    claimed: dict[str, Document] = {}
    problems = []
    for doc in movers:
        kind = doc.address.split("/", 1)[0]
        for old in doc.previously:
            address = f"{kind}/{old}"
            where = doc.position_of("metadata.previously")
            message = ""
            if address in declared:
                message = f"{address} is still declared; a move record names an old address"
            elif address in claimed:
                other = claimed[address].address
                message = f"{address} is also claimed as an old address by {other}"
            if message:
                problems.append(_problem(where, message, doc.address, "metadata.previously"))
            claimed.setdefault(address, doc)
    return problems


def vendor_contacts(documents: Iterable[Document]) -> list[Problem]:
    """`spec.contacts`: not beside `spec.contact`, exactly one default, each email once."""
    problems = []
    for doc in documents:
        spec = doc.spec
        if not isinstance(spec, VendorSpec) or spec.contacts is None:
            continue
        problems += _contact_list(doc, spec)
    return problems


def _contact_list(doc: Document, spec: VendorSpec) -> list[Problem]:
    assert spec.contacts is not None
    here = "spec.contacts"
    if spec.contact is not None:
        message = "give spec.contact or spec.contacts, not both (spec.contacts holds the default)"
        return [_problem(doc.position_of(here), message, doc.address, here)]
    problems = []
    defaults = [i for i, c in enumerate(spec.contacts) if c.default]
    if len(defaults) != 1:
        found = "none has" if not defaults else f"{len(defaults)} have"
        at = f"{here}[{defaults[1]}].default" if len(defaults) > 1 else here
        message = f"exactly one contact needs `default: true`; {found} it"
        problems.append(_problem(doc.position_of(at), message, doc.address, at))
    seen: dict[str, int] = {}
    for index, contact in enumerate(spec.contacts):
        email = contact.email.strip().lower()
        if email in seen:
            at = f"{here}[{index}].email"
            message = f"the email {email!r} is also contact {seen[email]} of this vendor"
            problems.append(_problem(doc.position_of(at), message, doc.address, at))
        seen.setdefault(email, index)
    return problems


def user_managers(documents: Iterable[Document]) -> list[Problem]:
    """`spec.direct_manager` is not the user themself and forms no cycle among User manifests.

    Ramp refuses a user as their own manager, and a cycle of new users could never be
    invited (each waits for its manager), so both are positioned errors before any write.
    """
    users = {d.spec.email.strip().lower(): d for d in documents if isinstance(d.spec, UserSpec)}
    manager_of = {
        email: d.spec.direct_manager.strip().lower()
        for email, d in users.items()
        if isinstance(d.spec, UserSpec) and d.spec.direct_manager
    }
    problems = []
    for email, doc in users.items():
        cycle = _manager_cycle(email, manager_of)
        if cycle:
            here = "spec.direct_manager"
            problems.append(_problem(doc.position_of(here), cycle, doc.address, here))
    return problems


def _manager_cycle(email: str, manager_of: dict[str, str]) -> str:
    """Why `email`'s chain of managers comes back to it ('' when it does not)."""
    chain = [email]
    current = manager_of.get(email)
    while current is not None and current not in chain:
        chain.append(current)
        current = manager_of.get(current)
    if current != email:
        return ""
    if len(chain) == 1:
        return f"{email} cannot be their own direct manager"
    loop = " -> ".join([*chain, email])
    return f"direct managers form a cycle: {loop}"
