"""Drafting open bills: which are written, under which names, with which state entries."""

from __future__ import annotations

from pathlib import Path

from rampctl.engine.bill_live import live_bill
from rampctl.engine.view import fingerprint
from rampctl.importer.bills import BillSource, ManagedBills, draft_bills, managed_bills
from rampctl.importer.draft import Draft
from rampctl.manifest import load_manifests
from rampctl.model.desired import build_graph
from rampctl.ramp.models import Bill
from rampctl.state.model import ResourceState, State
from tests.importer.conftest import bill, bill_document, snapshot, vendor

ACME = vendor("v1", "Acme", external_vendor_id="acme")
OTHER = vendor("v2", "Other Co")
ASLEEP = vendor("v3", "Asleep", is_active=False)
SNAP = snapshot([ACME, OTHER, ASLEEP])
NAMES = {"v1": "acme"}


def _draft(bills: list[Bill], managed: ManagedBills | None = None) -> Draft:
    documents = [bill_document(b, NAMES.get(b.vendor.id) or {"id": b.vendor.id}) for b in bills]
    draft = Draft()
    source = BillSource(bills=bills, documents=documents)
    draft_bills(source, managed or ManagedBills(), NAMES, SNAP, draft)
    return draft


def _skips(draft: Draft) -> dict[str, str]:
    return {s.label: s.reason for s in draft.skipped}


def test_a_bill_of_a_managed_vendor_gets_the_state_entry_plan_expects() -> None:
    live = bill("b1", "v1", "INV-1")
    [doc] = _draft([live]).bills
    assert (doc.address, doc.label, doc.spec["vendor"]) == ("bill/acme-inv-1", "Acme INV-1", "acme")
    entry = doc.entry
    assert (entry.kind, entry.ramp_id, entry.key) == ("bill", "b1", "v1:INV-1")
    assert entry.depends_on == ["vendor/acme"] and entry.protect is False
    assert entry.attributes == live_bill(live).as_dict()
    assert entry.fingerprint == fingerprint(live_bill(live).as_dict())


def test_names_are_numbered_in_creation_order_around_names_in_use() -> None:
    bills = [
        bill("b-late", "v1", "INV 1", created="2025-03-01T00:00:00Z"),
        bill("b-early", "v1", "INV-1", created="2025-01-01T00:00:00Z"),
        bill("b-tie", "v1", "inv.1", created="2025-03-01T00:00:00Z"),
    ]
    managed = ManagedBills(names={"acme-inv-1"})
    for order in (bills, list(reversed(bills))):
        named = {d.entry.ramp_id: d.name for d in _draft(order, managed).bills}
        assert named == {
            "b-early": "acme-inv-1-2",
            "b-late": "acme-inv-1-3",
            "b-tie": "acme-inv-1-4",
        }


def test_bills_that_cannot_be_imported_are_skipped_with_the_reason() -> None:
    bills = [
        bill("b-other", "v2", "OC-1", vendor_name="Other Co"),
        bill("b-asleep", "v3", "Z-1", vendor_name="Asleep"),
        bill("b-state", "v1", "INV-2"),
        bill("b-manifest", "v1", "INV-3"),
        bill("b-dup1", "v1", "INV-4"),
        bill("b-dup2", "v1", "INV-4"),
        bill("b-none", "v1", None),
        bill("b-long", "v1", "INV-0123456789-0123456789"),
        bill("b-ok", "v1", "INV-5"),
    ]
    managed = ManagedBills(
        bill_ids={"b-state": "bill/two"}, bill_keys={("v1", "INV-3"): "bill/three"}
    )
    draft = _draft(bills, managed)
    assert [d.entry.ramp_id for d in draft.bills] == ["b-ok"]
    skips = _skips(draft)
    assert skips["Other Co OC-1"] == (
        "its vendor 'Other Co' is not managed: import it too (--kind Vendor) or add its manifest"
    )
    assert "(--kind Vendor --filter all)" in skips["Asleep Z-1"]
    assert skips["Acme INV-2"] == "already managed as bill/two"
    assert skips["Acme INV-3"] == "already managed as bill/three"
    assert skips["Acme INV-4"].startswith("2 open bills of this vendor have invoice number 'INV-4'")
    assert skips["Acme"] == "it has no invoice number (a Bill manifest needs one)"
    long = skips["Acme INV-0123456789-0123456789"]
    assert long == "Ramp's values do not fit a Bill manifest (invoice_number)"


def test_a_bill_without_its_manifest_is_skipped_not_guessed() -> None:
    live = bill("b1", "v1", "INV-1")
    draft = Draft()
    draft_bills(BillSource(bills=[live], documents=[]), ManagedBills(), NAMES, SNAP, draft)
    assert (
        draft.bills == [] and "changed in Ramp while import read it" in _skips(draft)["Acme INV-1"]
    )


VENDOR = """\
apiVersion: rampctl/v1
kind: Vendor
metadata:
  name: acme-books
spec:
  name: Acme
  external_id: acme
"""
BILL = """\
apiVersion: rampctl/v1
kind: Bill
metadata:
  name: hosting
spec:
  vendor: acme-books
  entity: Northwind Labs, Inc.
  invoice_number: INV-9
  currency: USD
  issue_date: "2025-01-10"
  due_date: "2025-02-14"
  line_items:
    - amount: "10.00"
  payment:
    method: UNSPECIFIED
"""


def test_managed_vendors_and_bills_are_matched_as_plan_matches_them(tmp_path: Path) -> None:
    (tmp_path / "acme.yaml").write_text(VENDOR + "---\n" + BILL)
    graph = build_graph(load_manifests(tmp_path))
    entry = ResourceState(kind="bill", ramp_id="b-7", fingerprint="f")
    state = State.new().with_resource("bill/old-bill", entry)
    managed = managed_bills([graph], state, SNAP)
    assert managed.vendor_names == {"v1": "acme-books"}
    assert managed.bill_keys == {("v1", "INV-9"): "bill/hosting"}
    assert managed.bill_ids == {"b-7": "bill/old-bill"}
    assert managed.names == {"hosting", "old-bill"}
