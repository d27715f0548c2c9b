"""Drift and unmanaged objects as pure functions of the state and the snapshot."""

from __future__ import annotations

from rampctl.engine.removals import find_drift, find_unmanaged
from rampctl.engine.view import vendor_view
from rampctl.state.model import ResourceState, State
from tests.engine.conftest import accounting_vendor, snapshot, vendor


def test_drift_compares_each_state_entry_with_its_live_record() -> None:
    live = vendor("v1", "New Name", external_vendor_id="acme")
    snap = snapshot([live])
    recorded = {**vendor_view(live, snap.users), "name": "Old Name"}
    resources = {
        "vendor/acme": ResourceState(
            kind="vendor", ramp_id="v1", fingerprint="f", attributes=recorded
        ),
        "vendor/gone": ResourceState(kind="vendor", ramp_id="v9", fingerprint="f"),
    }
    state = State.new().model_copy(update={"resources": resources})
    drift = find_drift(state, snap)
    assert [(d.address, d.deleted) for d in drift] == [
        ("vendor/acme", False),
        ("vendor/gone", True),
    ]
    assert [(f.path, f.before, f.after) for f in drift[0].fields] == [
        ("name", "Old Name", "New Name")
    ]


def test_unmanaged_are_the_live_objects_nothing_claims() -> None:
    snap = snapshot(
        [vendor("v1", "Mine"), vendor("v2", "Theirs")], [accounting_vendor("a1", "QB-1", "AV")]
    )
    found = find_unmanaged(snap, {"v1"})
    assert [(u.kind, u.ramp_id) for u in found] == [
        ("accounting_vendor", "a1"),
        ("vendor", "v2"),
    ]
