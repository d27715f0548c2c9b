"""Money guards: raised totals need --allow-payments; one manifest per bill; renames are moves."""

from __future__ import annotations

from tests.functional.conftest import Project
from tests.functional.test_bills import ACME_BILL, _apply, _bill_writes, _bills, _write_bill


def test_raising_an_unpaid_bill_needs_allow_payments(project: Project) -> None:
    _write_bill(project, amount="100.00")
    assert _apply(project).code == 0
    _write_bill(project, amount="850000.00")
    project.sandbox.clear_log()
    refused = project.rampctl("apply", "--auto-approve")
    assert refused.code == 3, refused.out + refused.err
    assert "new or raised bill payments of USD 849900.00" in refused.err
    assert _bill_writes(project) == []
    lowered = project.rampctl("plan")
    assert "+ 1 new or raised payment scheduled" in lowered.out
    _write_bill(project, amount="50.00")  # lowering a payment moves no new money
    assert project.rampctl("apply", "--auto-approve").code == 0


def test_two_manifests_for_one_bill_are_refused(project: Project) -> None:
    _write_bill(project)
    [acme] = project.vendor_by_key("acme-cloud")
    twin = (
        ACME_BILL.format(memo="Again", amount="1200.50", arrival="2025-03-28")
        .replace("name: acme-inv-2001", "name: acme-inv-2001-twin")
        .replace("vendor: acme-cloud", f"vendor: {{id: {acme['id']}}}")  # same vendor, by id
    )
    (project.root / "manifests" / "bills" / "twin.yaml").write_text(twin)
    result = project.rampctl("plan")
    assert result.code == 1
    assert "is the same bill (same vendor and invoice number)" in result.err
    assert _bills(project, "INV-2001") == []


def test_renaming_a_bill_manifest_moves_it(project: Project) -> None:
    _write_bill(project)
    assert _apply(project).code == 0
    path = project.root / "manifests" / "bills" / "acme.yaml"
    path.write_text(path.read_text().replace("name: acme-inv-2001", "name: acme-march"))
    project.sandbox.clear_log()
    moved = _apply(project)
    assert moved.code == 0, moved.out + moved.err
    assert _bill_writes(project) == []
    assert len(_bills(project, "INV-2001")) == 1
    assert project.rampctl("plan", "--detailed-exitcode").code == 0
