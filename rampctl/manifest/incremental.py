"""A kept desired graph brought up to date with the documents of the files that changed,
without reading or checking the others again.

The graph was kept only when its manifests were valid, so every problem a change can bring
involves a document that changed, or one that a removed document leaves behind. Those are
checked here, each the way `rampctl.manifest.checks` checks the whole set, against what the
kept graph says of the unchanged documents: unique addresses, adoption keys and old names
(`metadata.previously`), accounting links that resolve and are used once, bills that name a
vendor still declared, and each new document's own contacts. Values the graph holds
normalised are compared normalised, which finds every clash the whole-set check finds, and
maybe more.

`update_graph` answers only when it is sure: for a change of Vendor documents only, none of
the checks finding anything. Any other change (accounting vendors, users and bills are
referred to by other documents), and any problem or doubt, gives None, and the caller then
loads the whole set, whose verdict and messages are the reference.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from operator import attrgetter

from rampctl.manifest import checks
from rampctl.manifest.document import Document
from rampctl.manifest.specs import AccountingRef, VendorSpec
from rampctl.model import address as addr
from rampctl.model.desired import DesiredGraph, DesiredVendor, graph_vendors

#: Where a desired object's document starts (the graph's documents are
#: `rampctl.manifest.document.Origin`s).
_PLACE = attrgetter("document.position")
#: What the checks need of an unchanged vendor: its key, the remote id it links, its
#: earlier names.
_SUMMARY = attrgetter("key", "fields.accounting_vendor", "document.previously")


def update_graph(
    graph: DesiredGraph,
    gone: set[str],
    added: Sequence[Document],
    digest: str,
    *,
    templates: bool = True,
) -> DesiredGraph | None:
    """`graph` without the objects at `gone` (the documents of the changed and removed
    files) and with the documents `added` (those of the changed files), under the manifests'
    new `digest`; None when that is not certainly what a whole load would build.
    `templates` says whether any manifest is a template (whose documents may be placed in
    an included file, so that two can start at one place)."""
    if not _only_vendors(gone, added):
        return None
    rest = dict(graph.vendors)
    for address in gone:
        del rest[address]
    if not _fits(graph, _Rest.of(rest), gone, added):
        return None
    vendors = _in_order(rest, graph_vendors(added, graph), graph.vendors, templates)
    return None if vendors is None else replace(graph, vendors=vendors, digest=digest)


@dataclass(frozen=True)
class _Rest:
    """What the checks need of the unchanged vendors, gathered in one pass over them."""

    addresses: set[str]
    keys: set[str]
    linked: set[str | None]
    claimed: set[str]

    @classmethod
    def of(cls, rest: dict[str, DesiredVendor]) -> _Rest:
        rows = list(map(_SUMMARY, rest.values()))
        keys, linked, previously = zip(*rows, strict=True) if rows else ((), (), ())
        claimed = set(_claims(filter(None, previously)))
        return cls(set(rest), set(keys), set(linked), claimed)


def _only_vendors(gone: set[str], added: Sequence[Document]) -> bool:
    vendor = f"{addr.VENDOR}/"
    return all(a.startswith(vendor) for a in gone) and all(
        d.kind == "Vendor" and isinstance(d.spec, VendorSpec) for d in added
    )


def _fits(graph: DesiredGraph, rest: _Rest, gone: set[str], added: Sequence[Document]) -> bool:
    """Whether the whole set, with `added` in place of `gone`, passes every check."""
    addresses = [d.address for d in added]
    if len(set(addresses)) != len(addresses) or not rest.addresses.isdisjoint(addresses):
        return False
    if checks.vendor_contacts(added):
        return False
    return (
        _keys_unique(rest, added)
        and _moves_unclaimed(rest, added)
        and _links_resolve(graph, rest, added)
        and _bills_keep_vendors(graph, gone - set(addresses))
    )


def _keys_unique(rest: _Rest, added: Sequence[Document]) -> bool:
    """No adoption key is used twice (`checks.unique_keys`)."""
    keys = [d.spec.key(d.name) for d in added if isinstance(d.spec, VendorSpec)]
    return len(set(keys)) == len(keys) and rest.keys.isdisjoint(keys)


def _moves_unclaimed(rest: _Rest, added: Sequence[Document]) -> bool:
    """No old name is still declared or claimed twice (`checks.move_records`)."""
    declared = rest.addresses | {d.address for d in added}
    claimed = set(rest.claimed)
    if not claimed.isdisjoint(declared):
        return False
    for old in _claims(d.previously for d in added):
        if old in declared or old in claimed:
            return False
        claimed.add(old)
    return True


def _claims(previously: Iterable[tuple[str, ...]]) -> Iterable[str]:
    return (addr.make(addr.VENDOR, name) for names in previously for name in names)


def _links_resolve(graph: DesiredGraph, rest: _Rest, added: Sequence[Document]) -> bool:
    """Accounting links name accounting vendors that exist, each linked once
    (`checks.references`); remote ids compared trimmed, an empty one left to a whole load."""
    linked = set(rest.linked)
    for doc in added:
        spec = doc.spec
        assert isinstance(spec, VendorSpec)
        link = spec.accounting_vendor
        if link is None:
            continue
        if isinstance(link, AccountingRef):
            remote = str(link.remote_id).strip()
        else:
            target = graph.accounting_vendors.get(addr.make(addr.ACCOUNTING_VENDOR, link))
            if target is None:
                return False
            remote = target.remote_id
        if not remote or remote in linked:
            return False
        linked.add(remote)
    return True


def _bills_keep_vendors(graph: DesiredGraph, removed: set[str]) -> bool:
    """No bill names a vendor manifest that is no longer declared (`checks.bill_references`)."""
    return not removed or all(b.vendor_address not in removed for b in graph.bills.values())


def _in_order(
    rest: dict[str, DesiredVendor],
    new: dict[str, DesiredVendor],
    old: dict[str, DesiredVendor],
    templates: bool,
) -> dict[str, DesiredVendor] | None:
    """The vendors in a whole load's order (by where their documents are written): in
    place when each new one stands where the one it replaces stood; None when two stand at
    one place (documents of templates that include one partial), whose order a whole load
    takes from the order of the files."""
    if (
        new.keys() == old.keys() - rest.keys()
        and all(_PLACE(old[a]) == _PLACE(v) for a, v in new.items())
        and (not templates or len(set(map(_PLACE, old.values()))) == len(old))
    ):
        vendors = dict(old)
        vendors.update(new)  # in place: a key already there keeps its place
        return vendors
    merged = sorted([*rest.values(), *new.values()], key=_PLACE)
    places = list(map(_PLACE, merged))
    if any(a == b for a, b in pairwise(places)):
        return None
    return {v.address: v for v in merged}
