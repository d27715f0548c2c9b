"""Drafting an import: names, keys, what is skipped, accounting vendors and links, state entries."""

from __future__ import annotations

from rampctl.engine.view import fingerprint, vendor_view
from rampctl.importer.draft import Draft, ImportOptions, build_draft, vendor_candidates
from rampctl.importer.existing import Existing, existing_from
from rampctl.state.model import ResourceState, State
from tests.importer.conftest import accounting, contact, snapshot, user, vendor

ALL = ImportOptions()


def _names(draft: Draft) -> dict[str, str]:
    return {d.label: d.name for d in draft.vendors}


def test_colliding_names_are_numbered_by_creation_time_then_id() -> None:
    vendors = [
        vendor("v2", "Acme", created="2024-02-01T00:00:00Z"),
        vendor("v1", "Acme!", created="2024-02-01T00:00:00Z"),
        vendor("v3", "ACME", created="2024-01-01T00:00:00Z"),
    ]
    for order in (vendors, list(reversed(vendors))):
        draft = build_draft(snapshot(order), Existing(), ALL)
        assert {d.entry.ramp_id: d.name for d in draft.vendors} == {
            "v3": "acme",
            "v1": "acme-2",
            "v2": "acme-3",
        }
        assert [d.name for d in draft.vendors] == ["acme", "acme-2", "acme-3"]


def test_keys_are_kept_and_keyless_vendors_get_a_name_no_one_uses_as_a_key() -> None:
    live = [
        vendor("v1", "Globex", created="2024-01-01T00:00:00Z"),
        vendor("v2", "Other", external_vendor_id="globex"),
        vendor("v3", "Initech", external_vendor_id="initech"),
    ]
    draft = build_draft(snapshot(live), Existing(), ALL)
    specs = {d.name: d.spec for d in draft.vendors}
    assert sorted(specs) == ["globex-2", "initech", "other"]
    assert specs["other"]["external_id"] == "globex"
    assert "external_id" not in specs["initech"] and "external_id" not in specs["globex-2"]
    assert draft.adoptions == [("vendor/globex-2", "globex-2")]
    assert {d.name: d.entry.key for d in draft.vendors}["globex-2"] == "globex-2"


def test_names_from_external_ids() -> None:
    live = [
        vendor("v1", "Globex Logistics", external_vendor_id="globex"),
        vendor("v2", "Hooli", external_vendor_id="ERP 42"),
        vendor("v3", "Keyless Co"),
    ]
    draft = build_draft(snapshot(live), Existing(), ImportOptions(name_from="external_id"))
    specs = {d.name: d.spec for d in draft.vendors}
    assert sorted(specs) == ["erp-42", "globex", "keyless-co"]
    assert specs["erp-42"]["external_id"] == "ERP 42"
    assert "external_id" not in specs["globex"]


def test_inactive_vendors_are_left_out_unless_asked_for() -> None:
    live = [vendor("v1", "Old", is_active=False), vendor("v2", "New")]
    draft = build_draft(snapshot(live), Existing(), ALL)
    assert _names(draft) == {"New": "new"} and draft.inactive_left_out == 1
    draft = build_draft(snapshot(live), Existing(), ImportOptions(include_inactive=True))
    assert {d.name: d.spec.get("active") for d in draft.vendors} == {"old": False, "new": None}


def test_managed_vendors_are_skipped_and_existing_names_avoided() -> None:
    entry = ResourceState(kind="vendor", ramp_id="v1", fingerprint="f", key="acme")
    state = State.new().with_resource("vendor/acme", entry)
    existing = existing_from([], state)
    existing.vendor_keys["globex"] = "vendor/globex"
    live = [
        vendor("v1", "Acme"),
        vendor("v2", "Globex", external_vendor_id="globex"),
        vendor("v3", "Acme"),
    ]
    draft = build_draft(snapshot(live), existing, ALL)
    assert _names(draft) == {"Acme": "acme-2"}
    assert sorted(s.reason for s in draft.skipped) == [
        "already managed as vendor/acme",
        "already managed as vendor/globex",
    ]


def test_vendors_sharing_an_external_id_import_only_the_first() -> None:
    live = [
        vendor("v1", "One", external_vendor_id="dup", created="2024-01-01T00:00:00Z"),
        vendor("v2", "Two", external_vendor_id="dup", created="2024-02-01T00:00:00Z"),
    ]
    draft = build_draft(snapshot(live), Existing(), ALL)
    assert _names(draft) == {"One": "one"}
    assert [s.label for s in draft.skipped] == ["Two"]


def test_vendor_without_a_name_is_skipped() -> None:
    draft = build_draft(snapshot([vendor("v1", "  ")]), Existing(), ALL)
    assert draft.vendors == [] and draft.skipped[0].reason == "it has no name in Ramp"


def test_linked_accounting_vendors_are_imported_and_linked_by_name() -> None:
    avs = [
        accounting("QB-1", "Acme Books", code="ACME"),
        accounting("QB-2", "Unlinked"),
        accounting("QB-3", "Old Books", is_active=False),
    ]
    live = [
        vendor("v1", "Acme", accounting_vendor_remote_id="QB-1"),
        vendor("v2", "Oldco", accounting_vendor_remote_id="QB-3"),
        vendor("v3", "Lost", accounting_vendor_remote_id="QB-404"),
    ]
    draft = build_draft(snapshot(live, accounting_vendors=avs), Existing(), ALL)
    assert {d.name: d.spec for d in draft.accounting_vendors} == {
        "acme-books": {"remote_id": "QB-1", "name": "Acme Books", "code": "ACME"},
        "old-books": {"remote_id": "QB-3", "name": "Old Books", "active": False},
    }
    by_name = {d.name: d for d in draft.vendors}
    assert by_name["acme"].spec["accounting_vendor"] == "acme-books"
    assert by_name["acme"].entry.depends_on == ["accounting_vendor/acme-books"]
    assert by_name["oldco"].spec["accounting_vendor"] == "old-books"
    assert "accounting_vendor" not in by_name["lost"].spec
    assert [(a, o.field) for a, o in draft.omitted] == [("vendor/lost", "accounting_vendor")]


def test_links_use_existing_manifests_or_remote_ids() -> None:
    avs = [accounting("QB-1", "Acme Books"), accounting("QB-2", "Globex Books")]
    live = [
        vendor("v1", "Acme", accounting_vendor_remote_id="QB-1"),
        vendor("v2", "Globex", accounting_vendor_remote_id="QB-2"),
    ]
    existing = Existing(accounting_manifests={"QB-1": "books"}, accounting_remotes={"QB-1": "x"})
    draft = build_draft(
        snapshot(live, accounting_vendors=avs), existing, ImportOptions(kinds=frozenset({"Vendor"}))
    )
    assert draft.accounting_vendors == []
    links = {d.name: d.spec["accounting_vendor"] for d in draft.vendors}
    assert links == {"acme": "books", "globex": {"remote_id": "QB-2"}}


def test_accounting_vendors_alone_imports_all_active_ones() -> None:
    avs = [accounting("QB-1", "Acme Books"), accounting("QB-2", "Old", is_active=False)]
    only = frozenset({"AccountingVendor"})
    draft = build_draft(
        snapshot([vendor("v1", "Acme")], accounting_vendors=avs),
        Existing(),
        ImportOptions(kinds=only),
    )
    assert draft.vendors == [] and [d.name for d in draft.accounting_vendors] == ["acme-books"]
    assert draft.inactive_left_out == 1
    draft = build_draft(
        snapshot([], accounting_vendors=avs),
        Existing(accounting_remotes={"QB-1": "accounting_vendor/acme"}),
        ImportOptions(kinds=only, include_inactive=True),
    )
    assert [d.name for d in draft.accounting_vendors] == ["old"]
    assert [s.reason for s in draft.skipped] == ["already managed as accounting_vendor/acme"]


def test_state_entries_hold_the_live_view_and_the_manifest_contact() -> None:
    live = vendor("v1", "Acme", vendor_owner_id="u-alice", contacts=["c1"])
    snap = snapshot([live], users=[user("alice")], contacts={"v1": [contact("c1", "ap@a.example")]})
    (doc,) = build_draft(snap, Existing(), ALL).vendors
    view = vendor_view(live, snap.users)
    assert doc.entry.ramp_id == "v1" and doc.entry.key == "acme" and doc.entry.kind == "vendor"
    assert doc.entry.fingerprint == fingerprint(view)
    assert doc.entry.attributes == {
        **view,
        "contact": {"email": "ap@a.example", "first_name": None, "last_name": None, "phone": None},
    }


def test_candidates_are_the_vendors_whose_contacts_import_reads() -> None:
    live = [vendor("v1", "Old", is_active=False), vendor("v2", "New"), vendor("v3", "Mine")]
    existing = Existing(vendor_ids={"v3": "vendor/mine"})
    found = vendor_candidates(snapshot(live), existing, ALL, Draft())
    assert [v.id for v in found] == ["v2"]
