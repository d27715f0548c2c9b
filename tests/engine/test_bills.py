"""Bill engine pieces: the payment gate, import round trip, the rent example."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from pathlib import Path

from rampctl.engine.bill_money import Money, money_summary
from rampctl.engine.planner import PlanSettings, plan_with_snapshot
from rampctl.engine.safety import payment_refusal
from rampctl.manifest import load_manifests
from rampctl.model.desired import build_graph
from rampctl.state.model import State
from tests.engine.conftest import demo_bills, demo_manifests_with

REPO = Path(__file__).resolve().parents[2]


def test_payment_gate() -> None:
    summary = Money.from_json(
        {"payments": {"count": 2, "totals": {"USD": "900.00", "GBP": "20.00"}}}
    )
    assert payment_refusal(summary, limit=None, interactive=True) is None
    refused = payment_refusal(summary, limit=None, interactive=False)
    assert refused is not None and "GBP 20.00, USD 900.00" in refused
    assert payment_refusal(summary, limit=Decimal("900"), interactive=False) is None
    over = payment_refusal(summary, limit=Decimal("899.99"), interactive=True)
    assert over is not None and "USD 900.00" in over and "GBP" not in over
    nothing = Money.from_json({"payments": {"totals": {}}})
    assert payment_refusal(nothing, limit=None, interactive=False) is None


def test_rent_example_declares_a_year_of_bills() -> None:
    graph = build_graph(load_manifests(REPO / "examples" / "bills"))
    assert sorted(graph.bills) == [f"bill/rent-2026-{m:02d}" for m in range(1, 13)]
    assert {b.total_minor for b in graph.bills.values()} == {891250}
    assert all(b.depends_on == ["vendor/harbor-properties"] for b in graph.bills.values())


def test_money_summary_of_no_changes_is_empty() -> None:
    summary = money_summary([], {})
    assert asdict(summary.create) == {"count": 0, "totals": {}}
    assert summary.bills == ()


def test_imported_open_bills_plan_as_clean_adoptions(tmp_path: Path) -> None:
    with demo_bills() as demo:
        docs = demo.docs
        assert [d["spec"]["invoice_number"] for d in docs] == ["INV-1001", "INV-1002"]
        assert docs[0]["spec"]["payment"] == {
            "method": "ACH",
            "source_account": "Operating Checking",
            "vendor_account": "Acme operating",
            "arrival_date": "2025-02-14",
        }
        graph = demo_manifests_with(tmp_path / "manifests", docs)
        plan, _ = plan_with_snapshot(
            demo.client, graph, State.new(), environment="sandbox", settings=PlanSettings()
        )
    bill_changes = [c for c in plan.changes if c.kind == "bill"]
    assert [(c.action.value, c.request, c.fields) for c in bill_changes] == [
        ("adopt", None, ()),
        ("adopt", None, ()),
    ]
    assert plan.money.create.count == 0
