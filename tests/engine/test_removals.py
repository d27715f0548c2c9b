"""Removals, drift and unmanaged objects as pure functions of the state and the snapshot."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from rampctl.engine.approvals import unkept
from rampctl.engine.context import PlanContext
from rampctl.engine.diff import drift_fields
from rampctl.engine.removals import drifted, find_drift, find_unmanaged, plan_removals
from rampctl.engine.view import user_view, vendor_view
from rampctl.model.desired import DesiredGraph
from rampctl.ramp.models import User
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


def test_removals_are_a_value_and_a_claimed_object_is_a_move() -> None:
    live = [
        vendor("v1", "Gone", is_deletable=True),
        vendor("v2", "Kept", is_deletable=False),
        vendor("v3", "Renamed"),
    ]
    resources = {
        f"vendor/{n}": ResourceState(kind="vendor", ramp_id=i, fingerprint="f")
        for n, i in (("gone", "v1"), ("kept", "v2"), ("old", "v3"))
    }
    state = State.new().model_copy(update={"resources": resources})
    graph = DesiredGraph(vendors={}, accounting_vendors={}, digest="d")
    ctx = PlanContext(graph=graph, state=state, snapshot=snapshot(live))
    found = plan_removals(ctx, {"v3": "vendor/new"})
    assert [(c.address, c.action.value) for c in found.changes] == [
        ("vendor/gone", "delete"),
        ("vendor/kept", "deactivate"),
        ("vendor/old", "forget"),
    ]
    assert found.changes[2].reason == "now managed as vendor/new; Ramp is not touched"
    assert sorted(found.fingerprints) == ["vendor/gone", "vendor/kept"]
    assert found.problems == () and dict(found.claims) == {}


def test_a_users_department_drift_is_shown_by_name_where_the_listing_was_read() -> None:
    dana = User(id="u-d", email="dana@example.com", department_id="d-fin")
    snap = snapshot()
    snap.users[dana.id] = dana
    recorded = {**user_view(dana, snap.users), "department": "d-eng"}
    entry = ResourceState(kind="user", ramp_id="u-d", fingerprint="f", attributes=recorded)
    state = State.new().model_copy(update={"resources": {"user/dana": entry}})
    [unread] = find_drift(state, snap)
    assert [(f.before, f.after) for f in unread.fields] == [("d-eng", "d-fin")]
    snap.departments = {"d-eng": "Engineering", "d-fin": "Finance"}
    [drift] = find_drift(state, snap)
    assert [(f.path, f.before, f.after) for f in drift.fields] == [
        ("department", "Engineering", "Finance")
    ]


VALUES = st.none() | st.sampled_from(["Acme", "US", "x"]) | st.booleans()
RECORD = st.fixed_dictionaries(
    {},
    optional={
        "name": VALUES,
        "country": VALUES,
        "address": st.none() | st.fixed_dictionaries({}, optional={"city": VALUES}),
        "contact": st.fixed_dictionaries({"email": VALUES}),
        "pending": st.none()
        | st.fixed_dictionaries(
            {"requested_at": st.sampled_from(["t1", "t2"])},
            optional={"fields": st.none() | st.dictionaries(st.sampled_from(["name"]), VALUES)},
        ),
        "contacts_pending": st.none() | st.just({"a@b.c": "t1"}),
    },
)


@given(RECORD, RECORD)
def test_drift_is_the_changed_fields_and_the_decided_pending_values(
    attributes: dict[str, Any], live: dict[str, Any]
) -> None:
    """`drifted`, however quickly it tells that nothing changed, finds what its parts find."""
    entry = ResourceState(kind="vendor", ramp_id="v1", fingerprint="f", attributes=attributes)
    live = {k: v for k, v in live.items() if k not in ("contact", "contacts_pending")}
    recorded = {k: v for k, v in attributes.items() if k in live}
    found = {f.path for f in drifted(entry, live)}
    changed = {f.path for f in drift_fields(recorded, live)}
    decided = {f.path for f in unkept(attributes, live)}
    assert decided <= found <= changed | decided
