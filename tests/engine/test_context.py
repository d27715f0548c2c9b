"""PlanContext: read-only inputs of a plan, and lookups worked out once."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from pydantic import JsonValue

from rampctl.engine.context import PlanContext
from rampctl.engine.planner import PlanSettings, build_plan
from rampctl.engine.view import vendor_view
from rampctl.model.desired import DesiredGraph
from rampctl.ramp.models import Vendor
from rampctl.state.model import ResourceState, State
from tests.engine.conftest import Manifests, plan_for, snapshot, vendor, vendor_doc


def _context(declared: list[str], held: dict[str, str]) -> PlanContext:
    vendors: dict[str, Any] = {address: None for address in declared}
    graph = DesiredGraph(vendors=vendors, accounting_vendors={}, digest="d")
    resources = {
        address: ResourceState(kind="vendor", ramp_id=ramp_id, fingerprint="f")
        for address, ramp_id in held.items()
    }
    state = State.new().model_copy(update={"resources": resources})
    return PlanContext(graph=graph, state=state, snapshot=snapshot())


def test_owned_elsewhere_is_what_other_declared_addresses_hold() -> None:
    ctx = _context(
        ["vendor/a", "vendor/b", "vendor/c"],
        {"vendor/a": "id-a", "vendor/b": "id-b", "vendor/c": "id-a", "vendor/gone": "id-g"},
    )
    owned = ctx.owned_elsewhere("vendor/b")
    assert sorted(owned) == ["id-a"] and "id-b" not in owned and "id-g" not in owned
    assert "id-a" in ctx.owned_elsewhere("vendor/a")  # vendor/c holds it too
    assert sorted(ctx.owned_elsewhere("vendor/x")) == ["id-a", "id-b"]
    assert ctx.owned_elsewhere("vendor/b") | {"id-z"} == {"id-a", "id-z"}
    assert len(owned) == 1


def test_left_over_entries_are_those_no_manifest_declares() -> None:
    ctx = _context(["vendor/a"], {"vendor/a": "id-a", "vendor/gone": "id-g"})
    assert list(ctx.left_over("vendor")) == ["vendor/gone"]
    assert ctx.left_over("vendor") is ctx.left_over("vendor")  # worked out once


def test_a_live_vendor_view_is_worked_out_once_per_plan(
    manifests: Manifests, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = ["acme", "bolt", "cask"]
    for name in names:
        extra = "description: Changed\n" if name == "acme" else ""
        manifests.write(f"{name}.yaml", vendor_doc(name, name.title(), extra))
    live = [vendor(f"id-{n}", n.title(), external_vendor_id=n) for n in names]
    resources = {
        f"vendor/{n}": ResourceState(kind="vendor", ramp_id=f"id-{n}", fingerprint="f", key=n)
        for n in names
    }
    state = State.new().model_copy(update={"resources": resources})
    worked_out: list[str] = []

    def counted(item: Vendor, users: Any) -> dict[str, JsonValue]:
        worked_out.append(item.id)
        return vendor_view(item, users)

    monkeypatch.setattr("rampctl.engine.context.vendor_view", counted)
    plan = plan_for(manifests.graph(), snapshot(live), state)
    assert sorted(worked_out) == ["id-acme", "id-bolt", "id-cask"]  # diff, fingerprint, drift
    assert [c.address for c in plan.changes] == ["vendor/acme"]
    assert list(plan.fingerprints) == ["vendor/acme"]
    assert plan.drift == []


def test_the_context_is_read_only_and_planning_twice_gives_the_same_plan(
    manifests: Manifests,
) -> None:
    manifests.write("acme.yaml", vendor_doc("acme", "Acme", "description: Changed\n"))
    manifests.write("bolt.yaml", vendor_doc("bolt", "Bolt"))
    live = [vendor("id-acme", "Acme", external_vendor_id="acme")]
    ctx = PlanContext(graph=manifests.graph(), state=State.new(), snapshot=snapshot(live))
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctx.graph = ctx.graph  # type: ignore[misc]
    first = build_plan(ctx, environment="sandbox", settings=PlanSettings())
    again = build_plan(ctx, environment="sandbox", settings=PlanSettings())
    assert first.to_json()["changes"] == again.to_json()["changes"]
    assert [(c.address, c.action.value) for c in first.changes] == [
        ("vendor/acme", "adopt"),
        ("vendor/bolt", "create"),
    ]
    assert first.fingerprints == again.fingerprints and list(first.fingerprints) == ["vendor/acme"]
    assert not hasattr(ctx, "problems") and not hasattr(ctx, "fingerprints")
