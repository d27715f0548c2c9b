"""Bill engine pieces: the payment gate, import round trip, the rent example."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from rampctl.engine.bill_money import money_summary
from rampctl.engine.planner import PlanSettings, plan_with_snapshot
from rampctl.engine.safety import payment_refusal
from rampctl.engine.snapshot import read_snapshot
from rampctl.importer.bill_draft import import_bills
from rampctl.manifest import load_manifests
from rampctl.model.desired import build_graph
from rampctl.ramp.client import RampClient
from rampctl.ramp.config import ClientConfig
from rampctl.ramp.scopes import READ_SCOPES
from rampctl.state.model import State

REPO = Path(__file__).resolve().parents[2]


def test_payment_gate() -> None:
    summary = {"payments": {"count": 2, "totals": {"USD": "900.00", "GBP": "20.00"}}}
    assert payment_refusal(summary, limit=None, interactive=True) is None
    refused = payment_refusal(summary, limit=None, interactive=False)
    assert refused is not None and "GBP 20.00, USD 900.00" in refused
    assert payment_refusal(summary, limit=Decimal("900"), interactive=False) is None
    over = payment_refusal(summary, limit=Decimal("899.99"), interactive=True)
    assert over is not None and "USD 900.00" in over and "GBP" not in over
    assert payment_refusal({"payments": {"totals": {}}}, limit=None, interactive=False) is None


def test_rent_example_declares_a_year_of_bills() -> None:
    graph = build_graph(load_manifests(REPO / "examples" / "bills"))
    assert sorted(graph.bills) == [f"bill/rent-2026-{m:02d}" for m in range(1, 13)]
    assert {b.total_minor for b in graph.bills.values()} == {891250}
    assert all(b.depends_on == ["vendor/harbor-properties"] for b in graph.bills.values())


def test_money_summary_of_no_changes_is_empty() -> None:
    summary = money_summary([], {})
    assert summary["create"] == {"count": 0, "totals": {}}
    assert summary["bills"] == []


def test_imported_open_bills_plan_as_clean_adoptions(tmp_path: Path) -> None:
    embedded = pytest.importorskip("rampctl.sandbox.embedded")
    with embedded.running_sandbox(seed="demo") as sandbox:
        config = ClientConfig(
            base_url=sandbox.base_url,
            client_id=sandbox.client_id,
            client_secret=sandbox.client_secret,
        )
        with RampClient(config, scopes=READ_SCOPES) as client:
            snapshot = read_snapshot(client)
            acme = snapshot.vendors_by_key["acme-cloud"][0]
            docs = import_bills(
                client, snapshot, since="2025-01-01", vendor_names={acme.id: "acme-cloud"}
            )
            assert [d["spec"]["invoice_number"] for d in docs] == ["INV-1001", "INV-1002"]
            assert docs[0]["spec"]["payment"] == {
                "method": "ACH",
                "source_account": "Operating Checking",
                "vendor_account": "Acme operating",
                "arrival_date": "2025-02-14",
            }
            root = tmp_path / "manifests"
            shutil.copytree(REPO / "manifests", root)
            (root / "bills.yaml").write_text(yaml.safe_dump_all(docs, sort_keys=False))
            graph = build_graph(load_manifests(root))
            plan, _ = plan_with_snapshot(
                client, graph, State.new(), environment="sandbox", settings=PlanSettings()
            )
    bill_changes = [c for c in plan.changes if c.kind == "bill"]
    assert [(c.action.value, c.request, c.fields) for c in bill_changes] == [
        ("adopt", None, ()),
        ("adopt", None, ()),
    ]
    assert plan.money["create"]["count"] == 0
