"""Bills end to end against the sandbox: money moves exactly as the plan shows, never twice."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from rampctl.sandbox.settings import FaultRule
from rampctl.state.store import StateStore
from tests.functional.conftest import REPO, Project

ACME_BILL = """\
apiVersion: rampctl/v1
kind: Bill
metadata:
  name: acme-inv-2001
spec:
  vendor: acme-cloud
  entity: Northwind Labs, Inc.
  invoice_number: INV-2001
  currency: USD
  issue_date: 2025-03-03
  due_date: 2025-03-31
  memo: {memo}
  accounting:
    - field: gl_account
      option: "6100"
  line_items:
    - amount: "{amount}"
      memo: Compute
  inventory_line_items:
    - unit_price: "10.25"
      quantity: 3
      memo: Support hours
  payment:
    method: ACH
    source_account: Operating Checking
    vendor_account: Acme operating
    arrival_date: {arrival}
"""
EXISTING = """\
apiVersion: rampctl/v1
kind: Bill
metadata:
  name: {name}
spec:
  vendor: {vendor}
  entity: Northwind Labs, Inc.
  invoice_number: {number}
  currency: USD
  issue_date: 2025-01-10
  due_date: 2025-02-14
  line_items:
    - amount: "{amount}"
      memo: {number} services
  payment:
{payment}
"""
CHECK = """\
    method: CHECK
    source_account: Operating Checking
    arrival_date: 2025-02-21"""
MANUAL = """\
    method: PAID_MANUALLY
    manual_method: CHECK
    payment_date: 2025-01-31"""


def _write_bill(
    project: Project,
    memo: str = "March hosting",
    amount: str = "1200.50",
    arrival: str = "2025-03-28",
) -> None:
    folder = project.root / "manifests" / "bills"
    folder.mkdir(exist_ok=True)
    text = ACME_BILL.format(memo=memo, amount=amount, arrival=arrival)
    (folder / "acme.yaml").write_text(text)


def _write_existing(project: Project) -> None:
    folder = project.root / "manifests" / "bills"
    folder.mkdir(exist_ok=True)
    open_bill = EXISTING.format(
        name="acme-inv-1002", vendor="acme-cloud", number="INV-1002", amount="350.50", payment=CHECK
    )
    paid = EXISTING.format(
        name="globex-gx-77",
        vendor="globex-logistics",
        number="GX-77",
        amount="980.00",
        payment=MANUAL,
    )
    (folder / "existing.yaml").write_text(open_bill + "---\n" + paid)


def _bills_api(project: Project) -> httpx.Client:
    answer = httpx.post(
        f"{project.sandbox.base_url}/developer/v1/token",
        auth=(project.sandbox.client_id, project.sandbox.client_secret),
        data={"grant_type": "client_credentials", "scope": "bills:read bills:write"},
    )
    assert answer.status_code == 200, answer.text
    token = answer.json()["access_token"]
    return httpx.Client(
        base_url=f"{project.sandbox.base_url}/developer/v1",
        headers={"Authorization": f"Bearer {token}"},
    )


def _bills(project: Project, number: str, archived: bool = False) -> list[dict[str, Any]]:
    with _bills_api(project) as api:
        params = {"is_archived": "true" if archived else "false", "page_size": "100"}
        data: list[dict[str, Any]] = api.get("/bills", params=params).json()["data"]
    return [b for b in data if b["invoice_number"] == number]


def _bill_writes(project: Project) -> list[str]:
    return [w for w in project.writes() if "/bills" in w]


def _apply(project: Project, *extra: str) -> Any:
    return project.rampctl("apply", "--auto-approve", "--allow-payments", *extra)


def test_create_in_minor_units_approved_then_replan_is_empty(project: Project) -> None:
    _write_bill(project)
    result = _apply(project)
    assert result.code == 0, result.out + result.err
    [bill] = _bills(project, "INV-2001")
    assert bill["amount"] == {"amount": 123125, "currency_code": "USD"}
    assert [i["amount"]["amount"] for i in bill["line_items"]] == [120050]
    assert bill["inventory_line_items"][0]["unit_price"]["amount"] == 1025
    assert bill["approval_status"] == "APPROVED"
    assert bill["payment"]["payment_method"] == "ACH"
    assert _bill_writes(project) == ["POST /developer/v1/bills"]
    assert project.rampctl("plan", "--detailed-exitcode").code == 0


def test_new_payments_need_allow_payments_unless_under_the_limit(project: Project) -> None:
    _write_bill(project)
    refused = project.rampctl("apply", "--auto-approve")
    assert refused.code == 3
    assert "USD 1231.25" in refused.err and "--allow-payments" in refused.err
    over = project.rampctl("apply", "--auto-approve", "--payment-limit", "1000")
    assert over.code == 3
    assert _bill_writes(project) == []
    under = project.rampctl("apply", "--auto-approve", "--payment-limit", "1231.25")
    assert under.code == 0, under.out + under.err
    assert _bill_writes(project) == ["POST /developer/v1/bills"]


def test_patchable_change_is_sent_and_payment_change_is_manual(project: Project) -> None:
    _write_bill(project)
    assert _apply(project).code == 0
    _write_bill(project, memo="March hosting and support", amount="1300.00", arrival="2025-03-27")
    plan = json.loads(project.rampctl("plan", "--json").out)
    bill_changes = {c["action"]: c for c in plan["changes"] if c["kind"] == "bill"}
    assert set(bill_changes) == {"update", "manual"}
    assert bill_changes["update"]["request"] == {
        "memo": "March hosting and support",
        "line_items": [{"amount": "1300.00", "memo": "Compute"}],
    }
    manual = bill_changes["manual"]
    assert [f["path"] for f in manual["fields"]] == ["payment.arrival_date"]
    assert "cannot change a bill's payment" in manual["reason"]
    assert plan["money"]["update"] == {"count": 1, "totals": {"USD": "1330.75"}}
    result = _apply(project)
    assert result.code == 0, result.out + result.err
    assert "manual change needed: bill/acme-inv-2001" in result.out
    [bill] = _bills(project, "INV-2001")
    assert bill["memo"] == "March hosting and support"
    assert bill["amount"]["amount"] == 133075
    assert bill["payment"]["payment_date"].startswith("2025-03-28")
    assert _bill_writes(project)[-1].startswith("PATCH /developer/v1/bills/")
    again = json.loads(project.rampctl("plan", "--json").out)
    assert [c["action"] for c in again["changes"] if c["kind"] == "bill"] == ["manual"]


def test_removal_archives_unpaid_and_forgets_paid_without_a_request(project: Project) -> None:
    _write_existing(project)
    adopted = _apply(project)
    assert adopted.code == 0, adopted.out + adopted.err
    assert _bill_writes(project) == []
    (project.root / "manifests" / "bills" / "existing.yaml").unlink()
    plan = project.rampctl("plan")
    assert "to archive" in plan.out
    assert "paid bills cannot be archived: rampctl stops tracking it; Ramp is not touched" in (
        plan.out
    )
    data = json.loads(project.rampctl("plan", "--json").out)
    actions = {c["address"]: c["action"] for c in data["changes"] if c["kind"] == "bill"}
    assert actions == {"bill/acme-inv-1002": "archive", "bill/globex-gx-77": "forget"}
    assert data["money"]["archive"] == {"count": 1, "totals": {"USD": "350.50"}}
    assert _apply(project, "--allow-deletes").code == 0
    [archive] = _bill_writes(project)
    assert archive.startswith("DELETE /developer/v1/bills/")
    assert _bills(project, "INV-1002") == []
    assert len(_bills(project, "INV-1002", archived=True)) == 1
    assert len(_bills(project, "GX-77")) == 1
    state = StateStore(project.root / "rampctl.state.json").load()
    assert not [a for a in state.resources if a.startswith("bill/")]
    assert project.rampctl("plan", "--detailed-exitcode").code == 0


def test_archive_counts_toward_the_delete_threshold(project: Project) -> None:
    _write_existing(project)
    assert _apply(project).code == 0
    (project.root / "manifests" / "bills" / "existing.yaml").unlink()
    result = project.rampctl(
        "apply", "--auto-approve", "--min-managed", "1", "--max-delete-fraction", "0"
    )
    assert result.code == 3
    assert "1 of" in result.err and "deleted or deactivated" in result.err
    assert _bill_writes(project) == []


def test_money_summary_in_human_json_and_markdown(project: Project) -> None:
    _write_bill(project)
    human = project.rampctl("plan").out
    assert human.startswith("Money (bills):\n")
    assert "+ 1 bill to create: USD 1,231.25" in human
    assert "+ 1 new or raised payment scheduled: USD 1,231.25" in human
    assert "3 x 10.25 = 30.75  Support hours" in human
    data = json.loads(project.rampctl("plan", "--json").out)
    schema = json.loads((REPO / "rampctl/render/plan.schema.json").read_text())
    jsonschema.validate(data, schema)
    assert data["format_version"] == "1.5"
    assert data["money"]["create"] == {"count": 1, "totals": {"USD": "1231.25"}}
    assert data["money"]["payments"] == {"count": 1, "totals": {"USD": "1231.25"}}
    [entry] = data["money"]["bills"]
    assert entry["lines"][1] == {
        "memo": "Support hours",
        "quantity": 3,
        "unit_price": "10.25",
        "amount": "30.75",
    }
    markdown = project.rampctl("plan", "--markdown").out
    assert markdown.index("Money") < markdown.index("Plan:")
    assert "USD 1,231.25" in markdown


def test_saved_plan_with_a_bill_applies_and_refuses_when_stale(project: Project) -> None:
    _write_existing(project)
    _write_bill(project)
    assert project.rampctl("plan", "--out", "plan.json").code == 0
    result = project.rampctl("apply", "--allow-payments", "plan.json")
    assert result.code == 0, result.out + result.err
    _write_bill(project, memo="Changed")
    assert project.rampctl("plan", "--out", "plan2.json").code == 0
    with _bills_api(project) as api:
        bill_id = _bills(project, "INV-2001")[0]["id"]
        token = api.headers["Authorization"]
    edited = httpx.patch(
        f"{project.sandbox.base_url}/developer/v1/bills/{bill_id}",
        headers={"Authorization": token},
        json={"memo": "edited in Ramp"},
    )
    assert edited.status_code == 200
    stale = project.rampctl("apply", "plan2.json")
    assert stale.code == 4
    assert "bill/acme-inv-2001 changed in Ramp since the plan" in stale.err


def _subprocess_apply(project: Project, **env: str) -> subprocess.CompletedProcess[str]:
    return project.apply_in_subprocess("--allow-payments", **env)


@pytest.mark.parametrize("point", ["before_send:1", "after_send:1", "after_state:1"])
def test_kill_during_bill_create_never_makes_two_bills(project: Project, point: str) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0  # vendors first
    _write_bill(project)
    killed = _subprocess_apply(project, RAMPCTL_CRASH_AT=point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    finished = _subprocess_apply(project)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert len(_bills(project, "INV-2001")) == 1
    posts = [w for w in _bill_writes(project) if w.startswith("POST")]
    assert len(posts) == 1
    assert project.rampctl("plan", "--detailed-exitcode").code == 0


def test_lost_create_answer_is_found_by_vendor_and_invoice_number(project: Project) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    _write_bill(project)
    project.sandbox.settings.faults.append(
        FaultRule(kind="drop_after_commit", method="POST", path="/developer/v1/bills", count=1)
    )
    result = _apply(project)
    assert result.code == 0, result.out + result.err
    assert len(_bills(project, "INV-2001")) == 1
    assert len([w for w in _bill_writes(project) if w.startswith("POST")]) == 1
    assert project.rampctl("plan", "--detailed-exitcode").code == 0


def test_plan_reports_unresolvable_references_with_positions(project: Project) -> None:
    folder = project.root / "manifests" / "bills"
    folder.mkdir()
    text = ACME_BILL.format(memo="m", amount="1.00", arrival="2025-03-28")
    text = text.replace("Operating Checking", "Savings").replace("Acme operating", "Other")
    text = text.replace(
        "entity: Northwind Labs, Inc.", "entity: Northwind Labs, Inc.\n  contact: x@y.example"
    )
    (folder / "bad.yaml").write_text(text)
    result = project.rampctl("plan")
    assert result.code == 1
    path = Path("manifests/bills/bad.yaml")
    assert (
        f"{path}:8:3: bill/acme-inv-2001: spec.contact: 'x@y.example' is not a contact"
        in result.err
    )
    assert "no bill-pay bank account 'Savings'" in result.err
    assert "has no bank account 'Other'" in result.err
    assert _bill_writes(project) == []
