"""Matching Vendor manifests to live vendors: one pure pass over the graph."""

from __future__ import annotations

from rampctl.engine.vendor_match import match_vendors
from rampctl.state.model import ResourceState, State
from tests.engine.conftest import Manifests, snapshot, vendor, vendor_doc


def _state(entries: dict[str, tuple[str, str]]) -> State:
    resources = {
        address: ResourceState(kind="vendor", ramp_id=ramp_id, fingerprint="x", key=key)
        for address, (ramp_id, key) in entries.items()
    }
    return State.new().model_copy(update={"resources": resources, "serial": 1})


def test_matches_by_state_then_key_then_recorded_move(manifests: Manifests) -> None:
    manifests.write("a.yaml", vendor_doc("kept", "Kept"))
    manifests.write("b.yaml", vendor_doc("keyed", "Keyed"))
    manifests.write(
        "c.yaml",
        vendor_doc("renamed", "Renamed").replace(
            "{name: renamed}", "{name: renamed, previously: [old]}"
        ),
    )
    state = _state({"vendor/kept": ("v1", "kept"), "vendor/old": ("v3", "old")})
    snap = snapshot(
        [
            vendor("v1", "Kept", external_vendor_id="kept"),
            vendor("v2", "Keyed", external_vendor_id="keyed"),
            vendor("v3", "Renamed", external_vendor_id="old"),
        ]
    )
    before = state.model_dump()
    found = match_vendors(manifests.graph(), snap, state)
    assert {a: v.id for a, v in found.live.items()} == {
        "vendor/kept": "v1",
        "vendor/keyed": "v2",
        "vendor/renamed": "v3",
    }
    assert dict(found.claims) == {"v1": "vendor/kept", "v2": "vendor/keyed", "v3": "vendor/renamed"}
    assert found.moves["vendor/renamed"].old == "vendor/old" and found.problems == ()
    assert state.model_dump() == before


def test_two_vendors_with_one_key_is_one_problem(manifests: Manifests) -> None:
    manifests.write("a.yaml", vendor_doc("acme", "Acme"))
    snap = snapshot(
        [
            vendor("v1", "Acme", external_vendor_id="acme"),
            vendor("v2", "Acme", external_vendor_id="acme"),
        ]
    )
    found = match_vendors(manifests.graph(), snap, State.new())
    [problem] = found.problems
    assert problem.field == "spec.external_id" and "v1, v2" in problem.message
    assert found.live["vendor/acme"].id == "v1"


def test_a_taken_object_is_not_taken_over_by_a_recorded_move(manifests: Manifests) -> None:
    manifests.write(
        "c.yaml",
        vendor_doc("renamed", "Renamed").replace(
            "{name: renamed}", "{name: renamed, previously: [old]}"
        ),
    )
    state = _state({"vendor/old": ("v3", "old")})
    snap = snapshot([vendor("v3", "Other", external_vendor_id="old")])
    found = match_vendors(manifests.graph(), snap, state, taken=frozenset({"v3"}))
    assert found.live == {} and found.moves == {}


def test_a_recorded_vendor_is_matched_whatever_key_it_carries_and_a_foreign_one_reported(
    manifests: Manifests,
) -> None:
    carried = {"bare": None, "own": "  own ", "recorded": "old-key", "foreign": "someone"}
    for name in carried:
        manifests.write(f"{name}.yaml", vendor_doc(name, name.title()))
    state = _state({f"vendor/{name}": (f"v-{name}", name) for name in carried})
    state.resources["vendor/recorded"].key = "old-key"
    snap = snapshot(
        [vendor(f"v-{n}", n.title(), external_vendor_id=key) for n, key in carried.items()]
    )
    graph = manifests.graph()
    found = match_vendors(graph, snap, state)
    assert {a: v.id for a, v in found.live.items()} == {
        f"vendor/{name}": f"v-{name}" for name in carried
    }
    assert list(found.claims) == [f"v-{a.split('/')[1]}" for a in graph.vendors]  # its order
    [problem] = found.problems
    assert problem.address == "vendor/foreign" and "'someone'" in problem.message
