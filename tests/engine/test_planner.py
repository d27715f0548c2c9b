"""Planning logic against a hand-built snapshot: matching, diff, actions, ordering, problems."""

from __future__ import annotations

import pytest

from rampctl.engine.changes import Action, Change, Drift, Level
from rampctl.engine.planner import managed_vendors, select, selected_drift
from rampctl.errors import ManifestError, PlanError
from rampctl.state.model import ResourceState, State
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


def test_new_vendor_is_created_with_its_key_owner_and_contact(manifests: Manifests) -> None:
    manifests.write("v.yaml", vendor_doc("acme", "Acme Inc.", "description: Hosting\n"))
    plan = plan_for(manifests.graph(), snapshot())
    [change] = plan.changes
    assert change.action is Action.CREATE
    assert change.request == {
        "name": "Acme Inc.",
        "country": "US",
        "vendor_owner_id": BOB,
        "business_vendor_contacts": {"email": "ap@acme.example", "first_name": "Ada"},
        "external_vendor_id": "acme",
    }
    assert change.followup == {"description": "Hosting"}


def test_vendor_with_the_key_in_ramp_is_adopted_not_created(manifests: Manifests) -> None:
    manifests.write("v.yaml", vendor_doc("acme", "Acme Inc.", "description: Hosting\n"))
    live = vendor("v1", "Acme Inc.", external_vendor_id="acme", description="Old")
    plan = plan_for(manifests.graph(), snapshot([live]))
    [change] = plan.changes
    assert change.action is Action.ADOPT
    assert change.ramp_id == "v1"
    assert change.request == {"description": "Hosting"}
    assert [(f.path, f.before, f.after) for f in change.fields] == [
        ("description", "Old", "Hosting")
    ]


def test_matching_vendor_in_state_without_differences_plans_nothing(manifests: Manifests) -> None:
    manifests.write("v.yaml", vendor_doc("acme", "Acme Inc."))
    live = vendor("v1", "  Acme Inc. ", external_vendor_id="acme", country="us")
    state = _state(
        {"vendor/acme": "v1"},
        contact={"email": "ap@acme.example", "first_name": "Ada", "last_name": None, "phone": None},
    )
    plan = plan_for(manifests.graph(), snapshot([live]), state)
    assert plan.changes == []
    assert not plan.has_changes


def test_rename_is_an_update_by_patch_never_a_recreate(manifests: Manifests) -> None:
    manifests.write("v.yaml", vendor_doc("acme", "Acme Corp"))
    live = vendor("v1", "Acme Inc.", external_vendor_id="acme")
    plan = plan_for(manifests.graph(), snapshot([live]), _state({"vendor/acme": "v1"}))
    [change] = plan.changes
    assert change.action is Action.UPDATE
    assert change.request == {"name": "Acme Corp"}
    assert [(f.path, f.before, f.after) for f in change.fields] == [
        ("name", "Acme Inc.", "Acme Corp")
    ]


def test_owner_change_sends_the_user_id(manifests: Manifests) -> None:
    manifests.write("v.yaml", vendor_doc("acme", "Acme", "").replace("bob@", "CAROL@"))
    live = vendor("v1", "Acme", external_vendor_id="acme")
    plan = plan_for(manifests.graph(), snapshot([live]), _state({"vendor/acme": "v1"}))
    [change] = [c for c in plan.changes if c.action is Action.UPDATE]
    assert change.request == {"vendor_owner_id": CAROL}


def test_unknown_owner_is_a_plan_error_with_position(manifests: Manifests) -> None:
    manifests.write("v.yaml", vendor_doc("acme", "Acme").replace("bob@", "nobody@"))
    with pytest.raises(ManifestError) as caught:
        plan_for(manifests.graph(), snapshot())
    [problem] = caught.value.problems
    assert problem.file.endswith("v.yaml")
    assert problem.line == 7
    assert problem.field == "spec.owner"
    assert "no Ramp user and no User manifest has the email 'nobody@example.com'" in problem.message


def test_accounting_vendor_is_created_before_the_vendor_linking_it(manifests: Manifests) -> None:
    manifests.write("v.yaml", vendor_doc("acme", "Acme", "accounting_vendor: acme-av\n"))
    manifests.write(
        "av.yaml",
        "apiVersion: rampctl/v1\nkind: AccountingVendor\nmetadata: {name: acme-av}\n"
        "spec: {remote_id: QB-9, name: Acme, code: AC}\n",
    )
    plan = plan_for(manifests.graph(), snapshot())
    assert [(c.address, c.level) for c in plan.changes] == [
        ("accounting_vendor/acme-av", Level.ACCOUNTING_VENDORS),
        ("vendor/acme", Level.VENDORS),
    ]
    av, v = plan.changes
    assert av.request == {"id": "QB-9", "name": "Acme"}
    assert av.followup == {"code": "AC"}
    assert v.request is not None and v.request["accounting_vendor_remote_id"] == "QB-9"
    assert v.depends_on == ("accounting_vendor/acme-av",)


def test_link_to_an_accounting_vendor_held_by_another_vendor_is_refused(
    manifests: Manifests,
) -> None:
    manifests.write("v.yaml", vendor_doc("acme", "Acme", "accounting_vendor: {remote_id: QB-1}\n"))
    other = vendor("v9", "Other", accounting_vendor_remote_id="QB-1")
    snap = snapshot([other], [accounting_vendor("a1", "QB-1", "Other")])
    with pytest.raises(ManifestError, match="already linked to vendor 'Other'"):
        plan_for(manifests.graph(), snap)


def test_unknown_remote_id_is_a_plan_error(manifests: Manifests) -> None:
    manifests.write(
        "v.yaml", vendor_doc("acme", "Acme", "accounting_vendor: {remote_id: QB-404}\n")
    )
    with pytest.raises(ManifestError, match="no accounting vendor with remote id 'QB-404'"):
        plan_for(manifests.graph(), snapshot())


def test_ignore_changes_is_honoured(manifests: Manifests) -> None:
    manifests.write(
        "v.yaml", vendor_doc("acme", "Acme", "description: New\nignore_changes: [description]\n")
    )
    live = vendor("v1", "Acme", external_vendor_id="acme", description="Old")
    state = _state(
        {"vendor/acme": "v1"},
        contact={"email": "ap@acme.example", "first_name": "Ada", "last_name": None, "phone": None},
    )
    assert plan_for(manifests.graph(), snapshot([live]), state).changes == []


def test_removed_manifest_deletes_deletable_and_deactivates_undeletable(
    manifests: Manifests,
) -> None:
    manifests.write("v.yaml", vendor_doc("keep", "Keep"))
    live = [
        vendor("v1", "Gone", is_deletable=True),
        vendor("v2", "Billed", is_deletable=False),
        vendor("v3", "Old", is_deletable=False, is_active=False),
    ]
    state = _state(
        {"vendor/gone": "v1", "vendor/billed": "v2", "vendor/old": "v3", "vendor/lost": "v4"}
    )
    plan = plan_for(manifests.graph(), snapshot(live), state, safety=_lenient())
    by = {c.address: c for c in plan.changes}
    assert by["vendor/gone"].action is Action.DELETE
    assert by["vendor/billed"].action is Action.DEACTIVATE
    assert by["vendor/billed"].request == {"is_active": False}
    assert by["vendor/old"].action is Action.FORGET
    assert by["vendor/lost"].action is Action.FORGET
    assert [d.address for d in plan.drift if d.deleted] == ["vendor/lost"]


def test_drift_is_reported_apart_from_changes(manifests: Manifests) -> None:
    manifests.write("v.yaml", vendor_doc("acme", "Acme"))
    live = vendor("v1", "Acme", external_vendor_id="acme", description="Edited in Ramp")
    state = _state({"vendor/acme": "v1"}, description="Set by rampctl")
    plan = plan_for(manifests.graph(), snapshot([live]), state)
    [drift] = plan.drift
    assert [(f.path, f.before, f.after) for f in drift.fields] == [
        ("description", "Set by rampctl", "Edited in Ramp")
    ]


def test_unmanaged_vendors_are_counted_and_never_touched(manifests: Manifests) -> None:
    manifests.write("v.yaml", vendor_doc("acme", "Acme"))
    plan = plan_for(manifests.graph(), snapshot([vendor("v7", "Stranger")]))
    assert [u.ramp_id for u in plan.unmanaged] == ["v7"]
    assert all(c.ramp_id != "v7" for c in plan.changes)


def test_targets_and_excludes_select_by_glob(manifests: Manifests) -> None:
    manifests.write("a.yaml", vendor_doc("acme", "Acme") + "---\n" + vendor_doc("beta", "Beta"))
    graph = manifests.graph()
    assert [c.address for c in plan_for(graph, snapshot(), targets=("vendor/a*",)).changes] == [
        "vendor/acme"
    ]
    assert [c.address for c in plan_for(graph, snapshot(), excludes=("vendor/acme",)).changes] == [
        "vendor/beta"
    ]


def _lenient() -> object:
    from rampctl.engine.safety import SafetySettings

    return SafetySettings(max_removal_fraction=1.0)


def _state(ids: dict[str, str], **attributes: object) -> State:
    resources = {
        address: ResourceState(
            kind=address.split("/")[0],
            ramp_id=rid,
            fingerprint="x",
            attributes=dict(attributes),
            key=address.split("/")[1],
        )
        for address, rid in ids.items()
    }
    return State.new().model_copy(update={"resources": resources, "serial": 3})


# --- edge cases: unclearable fields, moves, links in use, excluded needs ---------------------

CONTACT = {"email": "ap@acme.example", "first_name": "Ada", "last_name": None, "phone": None}


def _owned(entries: dict[str, str], **attributes: object) -> State:
    resources = {
        a: ResourceState(
            kind=a.split("/")[0],
            ramp_id=r,
            fingerprint="x",
            attributes={"contact": CONTACT, **attributes},
            key=a.split("/")[1],
        )
        for a, r in entries.items()
    }
    return State.new().model_copy(update={"resources": resources, "serial": 2})


def test_unknown_owner_on_an_existing_vendor_is_a_positioned_problem(manifests: Manifests) -> None:
    manifests.write("v.yaml", vendor_doc("acme", "Acme").replace("bob@", "nobody@"))
    live = vendor("v1", "Acme", external_vendor_id="acme")
    with pytest.raises(ManifestError) as caught:
        plan_for(manifests.graph(), snapshot([live]), _owned({"vendor/acme": "v1"}))
    [problem] = caught.value.problems
    assert (problem.line, problem.field) == (7, "spec.owner")


def test_a_field_ramp_cannot_clear_is_a_problem_not_an_endless_change(manifests: Manifests) -> None:
    manifests.write("v.yaml", vendor_doc("acme", "Acme", "active: null\n"))
    live = vendor("v1", "Acme", external_vendor_id="acme")
    with pytest.raises(ManifestError, match="Ramp's API cannot clear active"):
        plan_for(manifests.graph(), snapshot([live]), _owned({"vendor/acme": "v1"}))


def test_state_can_be_cleared_with_null(manifests: Manifests) -> None:
    manifests.write("v.yaml", vendor_doc("acme", "Acme", "state: null\n"))
    live = vendor("v1", "Acme", external_vendor_id="acme", state="CA")
    [change] = plan_for(manifests.graph(), snapshot([live]), _owned({"vendor/acme": "v1"})).changes
    assert change.request == {"state": None}


def test_dotted_ignore_changes_leave_sub_fields_alone(manifests: Manifests) -> None:
    extra = (
        "address: {line1: 2 New St, city: Oakland, postal_code: '94601'}\n"
        "ignore_changes: [address.line1]\n"
    )
    manifests.write("v.yaml", vendor_doc("acme", "Acme", extra))
    address = {"address_line_1": "1 Old St", "city": "SF", "postal_code": "94601", "country": "US"}
    live = vendor("v1", "Acme", external_vendor_id="acme", address=address)
    [change] = plan_for(manifests.graph(), snapshot([live]), _owned({"vendor/acme": "v1"})).changes
    assert [f.path for f in change.fields] == ["address.city"]
    assert change.request is not None
    assert change.request["address"]["address_line_1"] == "1 Old St"  # Ramp's value is kept
    assert change.request["address"]["city"] == "Oakland"


def test_renamed_manifest_with_the_same_key_is_a_move(manifests: Manifests) -> None:
    manifests.write("v.yaml", vendor_doc("hooli", "Hooli", "external_id: hooli-telecom\n"))
    live = vendor("v1", "Hooli", external_vendor_id="hooli-telecom", is_deletable=True)
    plan = plan_for(manifests.graph(), snapshot([live]), _owned({"vendor/hooli-telecom": "v1"}))
    by = {c.address: c for c in plan.changes}
    assert by["vendor/hooli"].action is Action.ADOPT
    assert by["vendor/hooli"].ramp_id == "v1"
    assert by["vendor/hooli-telecom"].action is Action.FORGET
    assert "now managed as vendor/hooli" in by["vendor/hooli-telecom"].reason
    assert not any(c.action in (Action.CREATE, Action.DELETE) for c in plan.changes)


def test_accounting_vendor_still_linked_is_forgotten_not_deleted(manifests: Manifests) -> None:
    manifests.write("v.yaml", vendor_doc("acme", "Acme", "accounting_vendor: {remote_id: QB-1}\n"))
    live = vendor("v1", "Acme", external_vendor_id="acme", accounting_vendor_remote_id="QB-1")
    snap = snapshot([live], [accounting_vendor("a1", "QB-1", "Acme")])
    state = _owned({"vendor/acme": "v1", "accounting_vendor/acme-av": "a1"})
    by = {c.address: c for c in plan_for(manifests.graph(), snap, state).changes}
    assert by["accounting_vendor/acme-av"].action is Action.FORGET
    assert "still linked by vendor/acme" in by["accounting_vendor/acme-av"].reason


def test_rename_and_deactivate_of_an_accounting_vendor_both_apply(
    manifests: Manifests,
) -> None:
    manifests.write(
        "av.yaml",
        "apiVersion: rampctl/v1\nkind: AccountingVendor\nmetadata: {name: av}\n"
        "spec: {remote_id: QB-1, name: New Name, active: false}\n",
    )
    snap = snapshot([], [accounting_vendor("a1", "QB-1", "Old Name")])
    plan = plan_for(manifests.graph(), snap, _owned({"accounting_vendor/av": "a1"}))
    assert [(c.action, c.request) for c in plan.changes] == [
        (Action.UPDATE, {"name": "New Name"}),
        (Action.DEACTIVATE, None),
    ]


def test_creating_an_inactive_accounting_vendor_is_a_problem(manifests: Manifests) -> None:
    manifests.write(
        "av.yaml",
        "apiVersion: rampctl/v1\nkind: AccountingVendor\nmetadata: {name: av}\n"
        "spec: {remote_id: QB-7, name: Seven, active: false}\n",
    )
    with pytest.raises(ManifestError, match="created active"):
        plan_for(manifests.graph(), snapshot())


def test_excluding_a_dependency_of_a_selected_change_is_refused() -> None:
    av = Change(
        address="accounting_vendor/x",
        kind="accounting_vendor",
        action=Action.CREATE,
        name="X",
        level=Level.ACCOUNTING_VENDORS,
    )
    v = Change(
        address="vendor/y",
        kind="vendor",
        action=Action.CREATE,
        name="Y",
        depends_on=("accounting_vendor/x",),
        level=Level.VENDORS,
    )
    with pytest.raises(PlanError, match="vendor/y needs accounting_vendor/x"):
        select([av, v], (), ("accounting_vendor",))


def test_the_vendors_a_plan_compares_are_those_recorded_or_keyed_by_a_manifest(
    manifests: Manifests,
) -> None:
    manifests.write("v.yaml", vendor_doc("acme", "Acme Inc."))
    state = State.new()
    state.resources["vendor/old"] = ResourceState(kind="vendor", ramp_id="id-old", fingerprint="f")
    picks = managed_vendors(manifests.graph(), state)
    assert picks(vendor("id-old", "Old"))
    assert picks(vendor("id-acme", "Acme Inc.", external_vendor_id=" acme "))
    assert not picks(vendor("id-other", "Other", external_vendor_id="other"))
    assert not picks(vendor("id-none", "Acme Inc."))


def test_drift_follows_the_selection() -> None:
    drift = [
        Drift(address=a, kind=a.split("/")[0], name=a)
        for a in ("accounting_vendor/acme", "vendor/acme", "vendor/initech")
    ]

    def shown(chosen: set[str], targets: tuple[str, ...], excludes: tuple[str, ...]) -> list[str]:
        return [d.address for d in selected_drift(drift, chosen, targets, excludes)]

    assert shown(set(), (), ()) == [d.address for d in drift]
    assert shown(set(), ("vendor/initech",), ()) == ["vendor/initech"]
    assert shown(set(), ("vendor",), ()) == ["vendor/acme", "vendor/initech"]
    # a dependency the targeted change brought in
    assert shown({"vendor/acme", "accounting_vendor/acme"}, ("vendor/acme",), ()) == [
        "accounting_vendor/acme",
        "vendor/acme",
    ]
    assert shown(set(), (), ("vendor/*",)) == ["accounting_vendor/acme"]
