"""Bill planning as a value: one manifest per bill key, claims and moves returned."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from rampctl.engine.bill_plan import plan_bills
from rampctl.engine.bill_read import read_bill_inputs
from rampctl.engine.context import PlanContext
from rampctl.engine.snapshot import read_snapshot
from rampctl.importer.bill_draft import import_bills
from rampctl.manifest import load_manifests
from rampctl.model.desired import build_graph
from rampctl.ramp.client import RampClient
from rampctl.ramp.config import ClientConfig
from rampctl.ramp.scopes import READ_SCOPES
from rampctl.state.model import State

REPO = Path(__file__).resolve().parents[2]


def test_two_manifests_of_one_bill_are_a_problem_and_the_first_keeps_it(tmp_path: Path) -> None:
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
            spec = {**docs[0]["spec"], "vendor": {"id": acme.id}}  # the same vendor, by id
            twin = {**docs[0], "metadata": {"name": "zz-twin"}, "spec": spec}
            root = tmp_path / "manifests"
            shutil.copytree(REPO / "manifests", root)
            (root / "bills.yaml").write_text(yaml.safe_dump_all([*docs, twin], sort_keys=False))
            graph = build_graph(load_manifests(root))
            ctx = PlanContext(graph=graph, state=State.new(), snapshot=snapshot)
            read_bill_inputs(client, ctx)
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
