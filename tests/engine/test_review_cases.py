"""Edge cases: unclearable fields, moves, links in use, uncertain PATCHes, excluded needs."""

from __future__ import annotations

import pytest

from rampctl.engine.changes import Action, Change, Level
from rampctl.engine.planner import select
from rampctl.engine.writes import vendor_has
from rampctl.errors import ManifestError, PlanError
from rampctl.state.model import ResourceState, State
from tests.engine.conftest import (
    Manifests,
    accounting_vendor,
    plan_for,
    snapshot,
    vendor,
    vendor_doc,
)

CONTACT = {"email": "ap@acme.example", "first_name": "Ada", "last_name": None, "phone": None}


def _state(entries: dict[str, str], **attributes: object) -> State:
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
        plan_for(manifests.graph(), snapshot([live]), _state({"vendor/acme": "v1"}))
    [problem] = caught.value.problems
    assert (problem.line, problem.field) == (7, "spec.owner")


def test_a_field_ramp_cannot_clear_is_a_problem_not_an_endless_change(manifests: Manifests) -> None:
    manifests.write("v.yaml", vendor_doc("acme", "Acme", "active: null\n"))
    live = vendor("v1", "Acme", external_vendor_id="acme")
    with pytest.raises(ManifestError, match="Ramp's API cannot clear active"):
        plan_for(manifests.graph(), snapshot([live]), _state({"vendor/acme": "v1"}))


def test_state_can_be_cleared_with_null(manifests: Manifests) -> None:
    manifests.write("v.yaml", vendor_doc("acme", "Acme", "state: null\n"))
    live = vendor("v1", "Acme", external_vendor_id="acme", state="CA")
    [change] = plan_for(manifests.graph(), snapshot([live]), _state({"vendor/acme": "v1"})).changes
    assert change.request == {"state": None}


def test_dotted_ignore_changes_leave_sub_fields_alone(manifests: Manifests) -> None:
    extra = (
        "address: {line1: 2 New St, city: Oakland, postal_code: '94601'}\n"
        "ignore_changes: [address.line1]\n"
    )
    manifests.write("v.yaml", vendor_doc("acme", "Acme", extra))
    address = {"address_line_1": "1 Old St", "city": "SF", "postal_code": "94601", "country": "US"}
    live = vendor("v1", "Acme", external_vendor_id="acme", address=address)
    [change] = plan_for(manifests.graph(), snapshot([live]), _state({"vendor/acme": "v1"})).changes
    assert [f.path for f in change.fields] == ["address.city"]
    assert change.request is not None
    assert change.request["address"]["address_line_1"] == "1 Old St"  # Ramp's value is kept
    assert change.request["address"]["city"] == "Oakland"


def test_renamed_manifest_with_the_same_key_is_a_move(manifests: Manifests) -> None:
    manifests.write("v.yaml", vendor_doc("hooli", "Hooli", "external_id: hooli-telecom\n"))
    live = vendor("v1", "Hooli", external_vendor_id="hooli-telecom", is_deletable=True)
    plan = plan_for(manifests.graph(), snapshot([live]), _state({"vendor/hooli-telecom": "v1"}))
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
    state = _state({"vendor/acme": "v1", "accounting_vendor/acme-av": "a1"})
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
    plan = plan_for(manifests.graph(), snap, _state({"accounting_vendor/av": "a1"}))
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


def test_uncertain_patch_is_done_only_when_every_field_holds() -> None:
    address = {"address_line_1": "1 Old St", "city": "SF", "postal_code": "94105"}
    live = vendor("v1", "Acme", address=address, description=None)
    assert not vendor_has(live, {"address": {**address, "address_line_1": "2 New St"}})
    assert vendor_has(live, {"address": address})
    assert vendor_has(live, {"description": ""})  # an empty description clears it
    assert not vendor_has(live, {"description": "Hosting"})
