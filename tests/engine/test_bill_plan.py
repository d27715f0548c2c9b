"""Bill planning as a value: one manifest per bill key, claims and moves returned."""

from __future__ import annotations

from pathlib import Path

from rampctl.engine.bill_plan import plan_bills
from rampctl.engine.bill_read import read_bill_inputs
from rampctl.engine.context import PlanContext
from rampctl.state.model import State
from tests.engine.conftest import demo_bills, demo_manifests_with


def test_two_manifests_of_one_bill_are_a_problem_and_the_first_keeps_it(tmp_path: Path) -> None:
    with demo_bills() as demo:
        docs = demo.docs
        spec = {**docs[0]["spec"], "vendor": {"id": demo.acme_id}}  # the same vendor, by id
        twin = {**docs[0], "metadata": {"name": "zz-twin"}, "spec": spec}
        graph = demo_manifests_with(tmp_path / "manifests", [*docs, twin])
        ctx = PlanContext(graph=graph, state=State.new(), snapshot=demo.snapshot)
        read_bill_inputs(demo.client, ctx)
    found = plan_bills(ctx)
    first = f"bill/{docs[0]['metadata']['name']}"
    assert [(p.address, p.field) for p in found.problems] == [
        ("bill/zz-twin", "spec.invoice_number")
    ]
    assert sorted(found.claims.values()) == sorted(f"bill/{d['metadata']['name']}" for d in docs)
    assert first in found.fingerprints and "bill/zz-twin" not in found.fingerprints
    assert [c.action.value for c in found.changes] == ["adopt", "adopt"]
    taken = plan_bills(ctx, taken=set(found.claims))  # bills other kinds hold are not matched
    assert sorted(c.action.value for c in taken.changes) == ["create", "create"]
