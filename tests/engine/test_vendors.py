"""Vendor planning as a value: changes, problems and fingerprints returned, nothing written."""

from __future__ import annotations

from rampctl.engine.context import PlanContext
from rampctl.engine.vendors import plan_vendor, plan_vendors
from rampctl.state.model import ResourceState, State
from tests.engine.conftest import Manifests, snapshot, vendor, vendor_doc


def test_a_vendor_plan_returns_its_problems_and_creates_nothing_checked(
    manifests: Manifests,
) -> None:
    manifests.write("acme.yaml", vendor_doc("acme", "Acme").replace("bob@", "nobody@"))
    graph = manifests.graph()
    ctx = PlanContext(graph=graph, state=State.new(), snapshot=snapshot())
    found = plan_vendor(ctx, graph.vendors["vendor/acme"])
    assert [(p.address, p.field) for p in found.problems] == [("vendor/acme", "spec.owner")]
    assert [c.action.value for c in found.changes] == ["create"]
    assert dict(found.fingerprints) == {}


def test_vendor_plans_carry_the_fingerprints_of_the_live_vendors(manifests: Manifests) -> None:
    manifests.write("acme.yaml", vendor_doc("acme", "Acme", "description: Changed\n"))
    manifests.write("bolt.yaml", vendor_doc("bolt", "Bolt"))
    live = [vendor("id-acme", "Acme", external_vendor_id="acme")]
    ctx = PlanContext(graph=manifests.graph(), state=State.new(), snapshot=snapshot(live))
    found = plan_vendors(ctx)
    assert found.problems == ()
    assert [(c.address, c.action.value) for c in found.changes] == [
        ("vendor/acme", "adopt"),
        ("vendor/bolt", "create"),
    ]
    assert list(found.fingerprints) == ["vendor/acme"]
    assert found == plan_vendors(ctx)  # the same inputs give the same value


def test_an_unchanged_vendor_carries_no_fingerprint(manifests: Manifests) -> None:
    """Only changed vendors' fingerprints are kept (apply checks those), so a plan of many
    unchanged vendors works out none of theirs."""
    manifests.write("acme.yaml", vendor_doc("acme", "Acme"))
    manifests.write("bolt.yaml", vendor_doc("bolt", "Bolt", "description: Changed\n"))
    live = [
        vendor("id-acme", "Acme", external_vendor_id="acme"),
        vendor("id-bolt", "Bolt", external_vendor_id="bolt"),
    ]
    state = State.new()
    for key in ("acme", "bolt"):
        entry = ResourceState(kind="vendor", ramp_id=f"id-{key}", fingerprint="f", key=key)
        state.resources[f"vendor/{key}"] = entry
    ctx = PlanContext(graph=manifests.graph(), state=state, snapshot=snapshot(live))
    found = plan_vendors(ctx)
    assert [(c.address, c.action.value) for c in found.changes] == [("vendor/bolt", "update")]
    assert list(found.fingerprints) == ["vendor/bolt"]
