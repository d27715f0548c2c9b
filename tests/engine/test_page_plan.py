"""Planning done as the pages arrive gives the plan planning everything after the last page
gives: the same changes, drift, problems and fingerprints, case by case."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rampctl.engine.context import PlanContext
from rampctl.engine.page_plan import PagePlanner, _agrees, _same_contact
from rampctl.engine.rebuild import rebuild_state
from rampctl.engine.snapshot import Snapshot, VendorIndex
from rampctl.engine.vendors import live_fields
from rampctl.engine.view import vendor_view
from rampctl.errors import ManifestError
from rampctl.model.desired import DesiredGraph
from rampctl.model.kinds import VENDOR_CONTACT, VendorContactValues
from rampctl.model.kinds.user import INACTIVE
from rampctl.state.model import State
from tests.engine.conftest import (
    BOB,
    CAROL,
    Manifests,
    accounting_vendor,
    plan_for,
    snapshot,
    vendor,
    vendor_doc,
)

CONTACT = {"email": "ap@{name}.example", "first_name": "Ada"}
NAMES = ["acme", "globex", "initech", "hooli"]


def _business(manifests: Manifests, extra: dict[str, str]) -> tuple[DesiredGraph, Snapshot]:
    for name in NAMES:
        manifests.write(f"{name}.yaml", vendor_doc(name, name.title(), extra.get(name, "")))
    manifests.write(
        "av.yaml",
        "apiVersion: rampctl/v1\nkind: AccountingVendor\nmetadata: {name: qb}\n"
        "spec: {remote_id: QB-1, name: QB}\n",
    )
    live = [
        vendor(f"v-{name}", name.title(), external_vendor_id=name, contacts=[f"c-{name}"])
        for name in NAMES
    ]
    return manifests.graph(), snapshot(live, [accounting_vendor("av-1", "QB-1", "QB")])


def _state(graph: DesiredGraph, snap: Snapshot) -> State:
    """As an apply leaves it: every vendor recorded with its contact and contact ids."""
    state = rebuild_state(State.new(), graph, snap, environment="sandbox").state
    for address, entry in state.resources.items():
        if entry.kind == "vendor":
            name = address.split("/", 1)[1]
            entry.attributes["contact"] = {k: v.format(name=name) for k, v in CONTACT.items()}
            entry.attributes["contact_ids"] = [f"c-{name}"]
    return state


def _with_pages(graph: DesiredGraph, state: State, snap: Snapshot) -> Snapshot:
    """The snapshot as a plan has it when its pages (of two vendors) were planned as read."""
    pages = PagePlanner(graph, state)
    vendors = list(snap.vendors.values())
    for start in range(0, len(vendors), 2):
        pages.page(vendors[start : start + 2], snap.users)
    snap.vendor_views.update(pages.views)
    snap.page_work = pages.work
    return snap


def _as_read(snap: Snapshot) -> Snapshot:
    """A snapshot of the same objects, indexed as read, with nothing planned on its pages."""
    return Snapshot(
        business=snap.business,
        users=snap.users,
        vendors=dict(snap.vendors),
        accounting_vendors=snap.accounting_vendors,
        entities=snap.entities,
    )


def _outcome(graph: DesiredGraph, state: State, snap: Snapshot) -> Any:
    try:
        plan = plan_for(graph, snap, state)
    except ManifestError as exc:
        return sorted(str(p) for p in exc.problems)
    return (
        [c.model_dump() if hasattr(c, "model_dump") else c for c in plan.changes],
        plan.drift,
        plan.unmanaged,
        plan.fingerprints,
    )


def _live(snap: Snapshot, who: str, **fields: Any) -> None:
    old = snap.vendors[f"v-{who}"]
    snap.vendors[old.id] = old.model_copy(update=fields)


def _record(state: State, name: str, **attributes: Any) -> None:
    state.resources[f"vendor/{name}"].attributes.update(attributes)


def _deactivate_bob(snap: Snapshot) -> None:
    snap.users[BOB] = snap.users[BOB].model_copy(update={"status": INACTIVE})
    _live(snap, "acme", vendor_owner_id=CAROL)


def _drift_on_and_after_pages(state: State, snap: Snapshot) -> None:
    """Drift of vendors on the pages (acme, initech, hooli) around one gone from Ramp
    (globex: found only after the last page)."""
    for name in ("acme", "initech", "hooli"):
        _record(state, name, description="old")
    snap.vendors.pop("v-globex")


Case = Callable[[State, Snapshot], None]
CASES: dict[str, tuple[dict[str, str], Case]] = {
    "nothing changed": ({}, lambda state, snap: None),
    "a field changed in Ramp": ({}, lambda state, snap: _live(snap, "acme", name="ACME")),
    "drift since the last apply": (
        {},
        lambda state, snap: _record(state, "globex", description="old"),
    ),
    "a manifest field changed": ({"initech": "description: New\n"}, lambda state, snap: None),
    "the key carried is another": (
        {},
        lambda state, snap: _live(snap, "hooli", external_vendor_id="other"),
    ),
    "an owner no user has": ({}, lambda state, snap: snap.users.pop(BOB)),
    "the recorded contact differs": (
        {},
        lambda state, snap: _record(state, "acme", contact={"email": "x@acme.example"}),
    ),
    "contacts changed in Ramp": ({}, lambda state, snap: _live(snap, "globex", contacts=["c"])),
    "a link another vendor holds": (
        {"acme": "accounting_vendor: qb\n"},
        lambda state, snap: _live(snap, "globex", accounting_vendor_remote_id="QB-1"),
    ),
    "a link nobody holds": ({"acme": "accounting_vendor: qb\n"}, lambda state, snap: None),
    "an owner handed to a deactivated user": ({}, lambda state, snap: _deactivate_bob(snap)),
    "a vendor gone from Ramp": ({}, lambda state, snap: snap.vendors.pop("v-hooli")),
    "drift worked out on pages and after them": (
        {},
        lambda state, snap: _drift_on_and_after_pages(state, snap),
    ),
    "an update recorded as waiting, decided in Ramp": (
        {},
        lambda state, snap: _record(
            state,
            "initech",
            pending={"requested_at": "2026-01-01T00:00:00Z", "fields": {"name": "Initech 2"}},
        ),
    ),
    "a recorded contact holding a list": (
        {},
        lambda state, snap: _record(state, "acme", contact={"email": ["ap@acme.example"]}),
    ),
    "a recorded contact of no contact fields": (
        {},
        lambda state, snap: _record(state, "globex", contact={"note": "x"}),
    ),
    "contact changes ignored": (
        {"acme": "ignore_changes: [contact]\n"},
        lambda state, snap: _record(state, "acme", contact={"email": "x@acme.example"}),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_plan_is_the_same_with_and_without_planning_as_pages_arrive(
    tmp_path: Any, case: str
) -> None:
    extra, change = CASES[case]
    outcomes = []
    for early in (False, True):
        graph, snap = _business(Manifests(tmp_path / "m"), extra)
        state = _state(graph, snap)
        change(state, snap)
        snap = Snapshot(
            business=snap.business,
            users=snap.users,
            vendors=snap.vendors,
            accounting_vendors=snap.accounting_vendors,
            entities=snap.entities,
        )  # indexes (by key, by link, users by email) as read
        if early:
            snap = _with_pages(graph, state, snap)
            assert snap.page_work.drift  # the work was done
        outcomes.append(_outcome(graph, state, snap))
    assert outcomes[0] == outcomes[1]


def test_unchanged_vendors_are_found_quiet_as_their_pages_arrive(manifests: Manifests) -> None:
    graph, snap = _business(manifests, {})
    state = _state(graph, snap)
    _live(snap, "acme", name="ACME")
    snap = _with_pages(graph, state, snap)
    assert set(snap.page_work.quiet) == {"vendor/globex", "vendor/initech", "vendor/hooli"}


def test_drift_found_on_pages_and_after_them_is_in_address_order(manifests: Manifests) -> None:
    graph, snap = _business(manifests, {})
    state = _state(graph, snap)
    _drift_on_and_after_pages(state, snap)
    snap = _with_pages(graph, state, snap)
    drift = plan_for(graph, snap, state).drift
    assert [(d.address, d.deleted) for d in drift] == [
        ("vendor/acme", False),
        ("vendor/globex", True),
        ("vendor/hooli", False),
        ("vendor/initech", False),
    ]


def test_contacts_are_read_for_the_vendors_whose_recorded_contact_cannot_stand(
    manifests: Manifests,
) -> None:
    graph, snap = _business(manifests, {})
    state = _state(graph, snap)
    _live(snap, "globex", contacts=["c-new"])  # a contact added in Ramp
    _record(state, "initech", contact_ids=["c-old"])
    whole = PlanContext(graph=graph, state=state, snapshot=_as_read(snap))
    paged = PlanContext(
        graph=graph, state=state, snapshot=_with_pages(graph, state, _as_read(snap))
    )
    assert paged.quiet_matches and not whole.quiet_matches
    for ctx in (whole, paged):
        assert sorted(ctx.contact_reads(deep=False)) == ["v-globex", "v-initech"]
        assert sorted(ctx.contact_reads(deep=True)) == [f"v-{name}" for name in sorted(NAMES)]


def test_a_contacts_values_are_its_declared_fields_absent_as_none() -> None:
    """What `_same_contact` relies on: `from_dict` fills the declared fields, the others
    (none) keep their defaults, and equality compares exactly those fields."""
    fields = [f for f in dataclasses.fields(VendorContactValues) if f.compare]
    assert [f.name for f in fields] == [spec.path for spec in VENDOR_CONTACT]
    assert all(f.default is None for f in fields)


CONTACT_VALUES = st.none() | st.sampled_from(["ap@acme.example", "Ada", "", "+14155550100"])
RECORDED = st.dictionaries(
    st.sampled_from(["email", "first_name", "last_name", "phone", "note"]),
    CONTACT_VALUES | st.lists(CONTACT_VALUES, max_size=1) | st.integers(0, 1),
)


@given(
    RECORDED,
    st.none()
    | st.builds(
        VendorContactValues,
        email=CONTACT_VALUES,
        first_name=CONTACT_VALUES,
        last_name=CONTACT_VALUES,
        phone=CONTACT_VALUES,
    ),
)
def test_a_recorded_contact_is_the_manifests_exactly_when_its_values_say_so(
    recorded: dict[str, Any], contact: VendorContactValues | None
) -> None:
    same = _same_contact(recorded, contact)
    assert not same or VendorContactValues.from_dict(recorded) == contact
    if contact is not None and not any(isinstance(v, list) for v in recorded.values()):
        assert same == (VendorContactValues.from_dict(recorded) == contact)


@pytest.mark.parametrize("changed", ["first", "second"])
def test_a_vendor_listed_twice_is_planned_from_its_last_listing(
    manifests: Manifests, changed: str
) -> None:
    """A vendor on two pages (a list that moved while read): the snapshot keeps the last
    listing, and what its pages found of the other one is not taken."""
    graph, snap = _business(manifests, {"acme": "accounting_vendor: qb\n"})
    state = _state(graph, snap)
    quiet = snap.vendors["v-acme"].model_copy(update={"accounting_vendor_remote_id": "QB-1"})
    renamed = quiet.model_copy(update={"name": "ACME"})
    listings = [renamed, quiet] if changed == "first" else [quiet, renamed]
    pages = PagePlanner(graph, state)
    index = VendorIndex()
    for page in ([listings[0], snap.vendors["v-globex"]], [listings[1]]):
        index.add(page)
        pages.page(page, snap.users)
    rest = [v for v in snap.vendors.values() if v.id not in ("v-acme", "v-globex")]
    index.add(rest)
    pages.page(rest, snap.users)
    paged = Snapshot(
        business=snap.business,
        users=snap.users,
        vendors=index.vendors,
        vendor_index=index,
        accounting_vendors=snap.accounting_vendors,
        entities=snap.entities,
    )
    paged.vendor_views.update(pages.views)
    paged.page_work = pages.work
    assert "vendor/acme" in pages.work.quiet and "vendor/acme" in pages.work.linked
    whole = _as_read(paged)
    assert _outcome(graph, state, paged) == _outcome(graph, state, whole)
    assert (
        "vendor/acme" in PlanContext(graph=graph, state=state, snapshot=paged).quiet_matches
    ) is (changed == "first")


TEXTS = st.none() | st.sampled_from(["Acme", "US", "CA", "bob@example.com", ""])


@settings(max_examples=60, deadline=None)
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "description": TEXTS,
            "state": TEXTS,
            "accounting_vendor": TEXTS,
            "external_id": TEXTS,
            "owner": TEXTS,
        },
    ),
    st.sampled_from(
        [
            "",
            "ignore_changes: [description]\n",
            'address: {line1: 1 Main, city: SF, postal_code: "94105"}\n',
        ]
    ),
    st.sampled_from(["external_vendor_id", "verified_match"]),
)
def test_a_manifest_agrees_with_a_view_only_where_no_field_differs(
    tmp_path_factory: pytest.TempPathFactory, live: dict[str, Any], extra: str, mode: str
) -> None:
    manifests = Manifests(tmp_path_factory.mktemp("m"))
    manifests.write("acme.yaml", vendor_doc("acme", "Acme", "description: Acme\n" + extra))
    desired = manifests.graph().vendors["vendor/acme"]
    view = vendor_view(vendor("v-acme", "Acme", country="US"), snapshot().users)
    view.update(live)
    if _agrees(mode, desired, view):
        assert live_fields(mode, desired, view) == []
