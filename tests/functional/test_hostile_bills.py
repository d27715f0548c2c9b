"""Bills under hostile conditions: late commits, lost state and edited plans never pay twice."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rampctl.engine.plan import checksum
from rampctl.sandbox.settings import FaultRule
from tests.functional.conftest import Project
from tests.functional.test_bills import _apply, _bill_writes, _bills, _bills_api, _write_bill


def _late_commit(project: Project, kind: str) -> None:
    """The next POST /bills is answered at once (504 or dropped) and committed 1 s later;
    the request timeout is 3 s (see conftest), so a client that waits it out sees the bill."""
    project.sandbox.settings.late_commit_ms = 1000
    project.sandbox.settings.faults.append(
        FaultRule(kind=kind, method="POST", path="/developer/v1/bills", count=1)  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("kind", ["late_commit", "late_commit_drop"])
def test_a_bill_committed_late_is_found_and_not_sent_again(project: Project, kind: str) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0  # vendors first
    _write_bill(project)
    _late_commit(project, kind)
    first = _apply(project)
    assert first.code == 6, first.out + first.err
    assert "uncertain: bill/acme-inv-2001" in first.out
    second = _apply(project)  # at once: the bill is not in Ramp yet
    assert second.code == 0, second.out + second.err
    assert "Waiting" in second.err
    assert len(_bills(project, "INV-2001")) == 1
    assert len([w for w in _bill_writes(project) if w.startswith("POST")]) == 1
    assert project.rampctl("plan", "--detailed-exitcode").code == 0


@pytest.mark.parametrize("rebuild", [True, False])
def test_an_archived_bill_is_not_paid_again_after_state_loss(
    project: Project, rebuild: bool
) -> None:
    _write_bill(project)
    assert _apply(project).code == 0
    [bill] = _bills(project, "INV-2001")
    with _bills_api(project) as api:
        archived = api.delete(f"/bills/{bill['id']}")
    assert archived.status_code in (200, 204), archived.text
    (project.root / "rampctl.state.json").unlink()
    if rebuild:
        rebuilt = project.rampctl("state", "rebuild")
        assert rebuilt.code == 0, rebuilt.out + rebuilt.err
        state = json.loads((project.root / "rampctl.state.json").read_text())
        assert state["resources"]["bill/acme-inv-2001"]["ramp_id"] == bill["id"]
    project.sandbox.clear_log()
    plan = json.loads(project.rampctl("plan", "--json").out)
    actions = [c["action"] for c in plan["changes"] if c["kind"] == "bill"]
    assert actions == ["manual"]
    assert plan["money"]["payments"]["count"] == 0
    result = _apply(project)
    assert result.code == 0, result.out + result.err
    assert _bill_writes(project) == []
    assert len(_bills(project, "INV-2001", archived=True)) == 1


def _tamper(path: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    """Edit a saved plan and recompute its (keyless) checksum, as an attacker can."""
    data = json.loads(path.read_text())
    data.pop("checksum")
    edit(data)
    data["checksum"] = checksum(data)
    path.write_text(json.dumps(data))


def _raise_request(data: dict[str, Any]) -> None:
    [change] = [c for c in data["changes"] if c["kind"] == "bill"]
    change["request"]["line_items"][0]["amount"] = "900000.00"


def _raise_everything(data: dict[str, Any]) -> None:
    """Raise the request and everything shown with it, so the file agrees with itself."""
    _raise_request(data)
    [entry] = data["money"]["bills"]
    entry["lines"][0]["amount"] = "900000.00"
    entry["total"] = entry["new_payment"] = "900030.75"
    for section in ("create", "payments"):
        data["money"][section]["totals"]["USD"] = "900030.75"
    [change] = [c for c in data["changes"] if c["kind"] == "bill"]
    for field in change["fields"]:
        if field["path"] == "total":
            field["after"] = "900030.75"


def test_an_edited_plan_file_is_refused_by_show_and_apply(project: Project) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0  # vendors first
    _write_bill(project)
    assert project.rampctl("plan", "--out", "plan.json").code == 0
    path = project.root / "plan.json"
    _tamper(path, _raise_request)
    shown = project.rampctl("show", str(path))
    assert shown.code == 1
    assert "bill/acme-inv-2001: the money shown is not what its request sends" in shown.err
    refused = project.rampctl("apply", "--payment-limit", "2000", str(path))
    assert refused.code == 1, refused.out + refused.err
    assert "was the file edited?" in refused.err
    assert _bill_writes(project) == []


def test_a_consistently_edited_plan_file_is_refused_by_apply(project: Project) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    _write_bill(project)
    assert project.rampctl("plan", "--out", "plan.json").code == 0
    path = project.root / "plan.json"
    _tamper(path, _raise_everything)
    shown = project.rampctl("show", str(path))
    assert shown.code == 0 and "900,030.75" in shown.out  # it shows what it would send
    refused = project.rampctl("apply", "--allow-payments", str(path))
    assert refused.code == 4, refused.out + refused.err
    assert "bill/acme-inv-2001 (create): its request is not the one the manifests give" in (
        refused.err
    )
    assert _bill_writes(project) == []
    assert _bills(project, "INV-2001") == []


def test_the_payment_limit_counts_what_a_saved_plan_sends(project: Project) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    _write_bill(project)
    assert project.rampctl("plan", "--out", "plan.json").code == 0
    refused = project.rampctl("apply", "--payment-limit", "1000", "plan.json")
    assert refused.code == 3 and "USD 1231.25" in refused.err
    applied = project.rampctl("apply", "--payment-limit", "1231.25", "plan.json")
    assert applied.code == 0, applied.out + applied.err
    assert len(_bills(project, "INV-2001")) == 1


def _bill_text(vendor: str, lines: str, payment: str) -> str:
    return f"""\
apiVersion: rampctl/v1
kind: Bill
metadata:
  name: hostile
spec:
  vendor: {vendor}
  entity: Northwind Labs, Inc.
  invoice_number: H-1
  currency: USD
  issue_date: 2025-03-03
  due_date: 2025-03-31
{lines}
  payment:
{payment}
"""


def test_quantity_times_unit_price_is_bounded(project: Project) -> None:
    folder = project.root / "manifests" / "bills"
    folder.mkdir()
    lines = (
        '  inventory_line_items:\n    - unit_price: "999999999999.99"\n'
        "      quantity: 100000000000000\n      memo: Units"
    )
    payment = "    method: PAID_MANUALLY\n    manual_method: CHECK\n    payment_date: 2025-03-10"
    (folder / "huge.yaml").write_text(_bill_text("acme-cloud", lines, payment))
    result = _apply(project)
    assert result.code == 1
    assert (
        f"{Path('manifests/bills/huge.yaml')}:14:17: bill/hostile: "
        "spec.inventory_line_items[0].quantity: quantity x unit_price is " in result.err
    )
    assert "more than 12 digits before the decimal point" in result.err
    assert project.writes() == []


def test_a_check_bill_for_a_vendor_without_address_is_refused_at_plan_time(
    project: Project,
) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    folder = project.root / "manifests" / "bills"
    folder.mkdir()
    lines = '  line_items:\n    - amount: "10.00"\n      memo: Freight'
    payment = (
        "    method: CHECK\n    source_account: Operating Checking\n    arrival_date: 2025-03-28"
    )
    (folder / "check.yaml").write_text(_bill_text("globex-logistics", lines, payment))
    project.sandbox.clear_log()
    plan = project.rampctl("plan")
    assert plan.code == 1
    assert (
        f"{Path('manifests/bills/check.yaml')}:16:5: bill/hostile: spec.payment.method: "
        "vendor 'Globex Logistics' has no postal address in Ramp" in plan.err
    )
    assert _apply(project).code == 1
    assert _bill_writes(project) == []
