"""Planning AccountingVendor manifests as a pure function of graph, snapshot and state."""

from __future__ import annotations

from rampctl.engine.accounting import plan_accounting_vendors
from rampctl.engine.changes import Action
from rampctl.state.model import ResourceState, State
from tests.engine.conftest import Manifests, accounting_vendor, snapshot

DOCS = (
    "apiVersion: rampctl/v1\nkind: AccountingVendor\nmetadata: {name: kept}\n"
    "spec: {remote_id: QB-1, name: New Name}\n"
    "---\n"
    "apiVersion: rampctl/v1\nkind: AccountingVendor\nmetadata: {name: renamed, previously: [old]}\n"
    "spec: {remote_id: QB-2, name: Two}\n"
    "---\n"
    "apiVersion: rampctl/v1\nkind: AccountingVendor\nmetadata: {name: fresh}\n"
    "spec: {remote_id: QB-3, name: Three, active: false}\n"
)


def _state() -> State:
    entries = {
        "accounting_vendor/kept": ResourceState(
            kind="accounting_vendor", ramp_id="a1", fingerprint="x", key="QB-1"
        ),
        "accounting_vendor/old": ResourceState(
            kind="accounting_vendor", ramp_id="a2", fingerprint="x", key="QB-2"
        ),
    }
    return State.new().model_copy(update={"resources": entries, "serial": 1})


def test_returns_changes_problems_fingerprints_claims_and_moves(manifests: Manifests) -> None:
    manifests.write("av.yaml", DOCS)
    graph, state = manifests.graph(), _state()
    snap = snapshot(
        [], [accounting_vendor("a1", "QB-1", "Old Name"), accounting_vendor("a2", "QB-2", "Two")]
    )
    before = state.model_dump()
    found = plan_accounting_vendors(graph, snap, state)
    assert [(c.address, c.action) for c in found.changes] == [
        ("accounting_vendor/fresh", Action.CREATE),
        ("accounting_vendor/kept", Action.UPDATE),
        ("accounting_vendor/renamed", Action.ADOPT),
    ]
    assert [(p.address, p.field) for p in found.problems] == [
        ("accounting_vendor/fresh", "spec.active")
    ]
    assert set(found.fingerprints) == {"accounting_vendor/kept", "accounting_vendor/renamed"}
    assert dict(found.claims) == {"a1": "accounting_vendor/kept", "a2": "accounting_vendor/renamed"}
    assert found.moves["accounting_vendor/renamed"].old == "accounting_vendor/old"
    assert state.model_dump() == before  # nothing written into its inputs


def test_a_recorded_move_does_not_take_an_object_already_claimed(manifests: Manifests) -> None:
    manifests.write("av.yaml", DOCS)
    snap = snapshot([], [accounting_vendor("a2", "QB-9", "Two")])
    found = plan_accounting_vendors(manifests.graph(), snap, _state(), taken=frozenset({"a2"}))
    assert "accounting_vendor/renamed" not in found.moves
    assert "a2" not in found.claims


def test_clearing_active_is_a_problem_and_nothing_is_planned(manifests: Manifests) -> None:
    manifests.write(
        "av.yaml",
        "apiVersion: rampctl/v1\nkind: AccountingVendor\nmetadata: {name: kept}\n"
        "spec: {remote_id: QB-1, name: New Name, active: null}\n",
    )
    snap = snapshot([], [accounting_vendor("a1", "QB-1", "Old Name")])
    found = plan_accounting_vendors(manifests.graph(), snap, _state())
    problems = [(p.address, p.field) for p in found.problems]
    assert problems == [("accounting_vendor/kept", "spec.active")]
    [change] = found.changes
    assert [f.path for f in change.fields] == ["name"]
    assert change.request == {"name": "New Name"}
