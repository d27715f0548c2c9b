"""Open bills as Bill manifests: which live bills import keeps, their names and state entries.

The manifest of a bill comes from `rampctl.importer.bill_draft.import_bills` (references by Vendor
manifest name, contact email, entity name, source account name and vendor account nickname;
never account numbers). This module decides which of those bills import writes, names them,
and builds the state entry of each as `rampctl.engine.record` records an applied bill
(attributes from `live_bill`, key `<vendor id>:<invoice number>`, depending on the vendor's
manifest), so the first plan shows no change for them. Pure: the reads are in `bill_reads`.

Rules:
- Only bills of vendors managed after the import (a Vendor manifest matches them, or this run
  imports them); the others are skipped and reported.
- A bill already managed (its Ramp id in the state, or its vendor and invoice number in a
  Bill manifest) is skipped, as is one that would not validate (reported by field, no values)
  and one that shares its vendor and invoice number with another open bill.
- Names: slugs of vendor name and invoice number (`acme-cloud-inc-inv-1001`), collisions
  numbered in creation order, then Ramp id; a name never repeats an existing bill address.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from pydantic import JsonValue, ValidationError

from rampctl.engine.bill_live import bill_name, live_bill
from rampctl.engine.bill_plan import bill_key
from rampctl.engine.bill_read import vendor_id_of
from rampctl.engine.context import PlanContext
from rampctl.engine.snapshot import Snapshot
from rampctl.engine.view import fingerprint
from rampctl.importer.draft import BILL_KIND, Draft, DraftDocument, Skipped, Spec, by_creation
from rampctl.importer.slugs import NameAllocator, slug
from rampctl.manifest.specs import BillSpec
from rampctl.model import address as addr
from rampctl.model import normalise as norm
from rampctl.model.desired import DesiredGraph
from rampctl.ramp.models import Bill
from rampctl.state.model import ResourceState, State

Key = tuple[str, str]
"""A bill's identity for the bill engine: (Ramp vendor id, invoice number)."""


@dataclass(kw_only=True)
class ManagedBills:
    """What the manifests and the state already manage, resolved against the live business."""

    vendor_names: dict[str, str] = field(default_factory=dict)
    """Live vendor id -> metadata name of the Vendor manifest that matches it."""
    bill_ids: dict[str, str] = field(default_factory=dict)
    """Ramp bill id -> address of the state entry that holds it."""
    bill_keys: dict[Key, str] = field(default_factory=dict)
    """(vendor id, invoice number) -> address of the Bill manifest that declares it."""
    names: set[str] = field(default_factory=set)
    """Bill names in use (manifests and state)."""

    def managing(self, bill: Bill) -> str | None:
        """The address already managing a live bill, if any."""
        return self.bill_ids.get(bill.id) or self.bill_keys.get(key_of(bill))


@dataclass(frozen=True, kw_only=True)
class BillSource:
    """What import read for bills: the open bills, and their manifests from `import_bills`."""

    bills: list[Bill]
    documents: list[Spec]


def key_of(bill: Bill) -> Key:
    """The (vendor id, invoice number) a live bill is matched by."""
    return bill.vendor.id, norm.text(bill.invoice_number) or ""


def managed_bills(graphs: Iterable[DesiredGraph], state: State, snapshot: Snapshot) -> ManagedBills:
    """Vendors and bills the manifest trees and the state manage, matched as plan matches them."""
    managed = ManagedBills()
    for graph in graphs:
        ctx = PlanContext(graph=graph, state=state, snapshot=snapshot)
        for address, desired in sorted(graph.vendors.items()):
            live = ctx.match_vendor(desired)
            if live is not None:
                managed.vendor_names.setdefault(live.id, addr.name_of(address))
        for address, bill in sorted(graph.bills.items()):
            managed.names.add(bill.name)
            vendor_id = vendor_id_of(ctx, bill)
            if vendor_id is not None:
                managed.bill_keys.setdefault((vendor_id, bill.invoice_number), address)
    for address, entry in state.resources.items():
        if entry.kind == addr.BILL:
            managed.names.add(addr.name_of(address))
            managed.bill_ids[entry.ramp_id] = address
    return managed


def draft_bills(
    source: BillSource,
    managed: ManagedBills,
    vendor_names: dict[str, str],
    snapshot: Snapshot,
    draft: Draft,
) -> None:
    """Add the bill documents (and skips) to `draft`; `vendor_names` covers imported vendors."""
    specs = _specs_by_key(source.documents, vendor_names)
    counts = Counter(key_of(b) for b in source.bills)
    names = NameAllocator(managed.names)
    made = []
    for bill in by_creation(source.bills):
        found = specs.get(key_of(bill), [])
        reason = _skip_reason(bill, managed, vendor_names, counts, snapshot)
        if reason is None and len(found) != 1:
            reason = "it changed in Ramp while import read it; run import again"
        spec = found[0] if reason is None else {}
        reason = reason or _invalid(spec)
        if reason is not None:
            draft.skipped.append(Skipped(kind=BILL_KIND, label=_label(bill), reason=reason))
            continue
        name = names.take(slug(_label(bill), fallback="bill"))
        made.append(_document(bill, name, spec, vendor_names[bill.vendor.id]))
    draft.bills = sorted(made, key=lambda d: d.name)


def _label(bill: Bill) -> str:
    return bill_name(bill)


def _skip_reason(
    bill: Bill,
    managed: ManagedBills,
    vendor_names: dict[str, str],
    counts: Counter[Key],
    snapshot: Snapshot,
) -> str | None:
    vendor_id, number = key_of(bill)
    managing = managed.managing(bill)
    if managing is not None:
        return f"already managed as {managing}"
    if vendor_id not in vendor_names:
        live = snapshot.vendors.get(vendor_id)
        vendor = repr(live.name) if live else vendor_id
        how = "--kind Vendor --filter all" if live and not live.is_active else "--kind Vendor"
        return f"its vendor {vendor} is not managed: import it too ({how}) or add its manifest"
    if not number:
        return "it has no invoice number (a Bill manifest needs one)"
    if counts[(vendor_id, number)] > 1:
        return (
            f"{counts[(vendor_id, number)]} open bills of this vendor have invoice number "
            f"{number!r}; rampctl tells bills apart by vendor and invoice number"
        )
    return None


def _specs_by_key(documents: list[Spec], vendor_names: dict[str, str]) -> dict[Key, list[Spec]]:
    """The specs of `import_bills`' documents, by the key of the bill each describes."""
    ids = {name: vendor_id for vendor_id, name in vendor_names.items()}
    found: dict[Key, list[Spec]] = {}
    for document in documents:
        spec = document["spec"]
        if not isinstance(spec, dict):
            continue
        vendor = spec["vendor"]
        vendor_id = ids.get(vendor) if isinstance(vendor, str) else _id(vendor)
        key = (str(vendor_id), norm.text(spec.get("invoice_number")) or "")
        found.setdefault(key, []).append(spec)
    return found


def _id(reference: JsonValue) -> JsonValue:
    """The `id` of a reference written `{id: ...}`."""
    return reference.get("id") if isinstance(reference, dict) else None


def _invalid(spec: Spec) -> str | None:
    """Why Ramp's bill would not make a valid Bill manifest (field names only), or None."""
    try:
        BillSpec.model_validate(spec)
    except ValidationError as exc:
        where = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors() if e["loc"]})
        fields = f" ({', '.join(where)})" if where else ""
        return f"Ramp's values do not fit a Bill manifest{fields}"
    return None


def _document(bill: Bill, name: str, spec: Spec, vendor_name: str) -> DraftDocument:
    view = live_bill(bill).as_dict()
    vendor_id, number = key_of(bill)
    entry = ResourceState(
        kind=addr.BILL,
        ramp_id=bill.id,
        fingerprint=fingerprint(view),
        attributes=view,
        depends_on=[addr.make(addr.VENDOR, vendor_name)],
        key=bill_key(vendor_id, number),
    )
    return DraftDocument(kind=BILL_KIND, name=name, label=_label(bill), spec=spec, entry=entry)
