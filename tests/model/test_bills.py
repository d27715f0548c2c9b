"""Desired bills: typed, frozen values declared by the Bill kind, and their JSON form."""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import pytest

from rampctl.manifest import load_manifests
from rampctl.model.bills import DesiredBill, build_bills
from rampctl.model.kinds import BILL
from rampctl.model.kinds.bill import BillLineValues, BillPaymentValues, InventoryLineValues

BILL_DOC = """
apiVersion: rampctl/v1
kind: Bill
metadata: {name: inv-7}
spec:
  vendor: {id: " v-1 "}
  contact: AP@Acme.Example
  entity: " Main "
  invoice_number: " INV-7 "
  currency: USD
  issue_date: "2026-01-02"
  due_date: "2026-02-01"
  accounting: [{field: gl, option: "6000"}, {field: dept, option: ops}]
  line_items:
    - {amount: "12.5", memo: " Hosting ", accounting: [{field: gl, option: "6100"}]}
  inventory_line_items:
    - {unit_price: "2", quantity: 3}
  payment:
    {method: ACH, source_account: Operating, vendor_account: Main, arrival_date: "2026-02-02"}
"""


def _bill(tmp_path: Path) -> DesiredBill:
    (tmp_path / "bill.yaml").write_text(textwrap.dedent(BILL_DOC).lstrip())
    sources = load_manifests(tmp_path)
    return build_bills(sources.bills())["bill/inv-7"]


def test_a_bill_manifest_becomes_typed_frozen_values(tmp_path: Path) -> None:
    bill = _bill(tmp_path)
    f = bill.fields
    assert (f.vendor, f.contact, f.entity, f.invoice_number) == (
        "v-1",
        "ap@acme.example",
        "Main",
        "INV-7",
    )
    assert f.accounting == (("dept", "ops"), ("gl", "6000"))
    assert f.line_items == (
        BillLineValues(amount="12.50", memo="Hosting", accounting=(("gl", "6100"),)),
    )
    assert f.inventory_line_items == (InventoryLineValues(unit_price="2.00", quantity=3),)
    assert f.payment == BillPaymentValues(
        method="ACH", source_account="Operating", vendor_account="Main", arrival_date="2026-02-02"
    )
    assert (bill.total_minor, bill.moves_money) == (1850, True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.memo = "changed"  # type: ignore[misc]


def test_the_compared_form_is_json_and_leaves_the_references_out(tmp_path: Path) -> None:
    f = _bill(tmp_path).fields
    assert f.comparable() == {
        "invoice_number": "INV-7",
        "currency": "USD",
        "issue_date": "2026-01-02",
        "due_date": "2026-02-01",
        "posting_date": None,
        "memo": None,
        "accounting": [["dept", "ops"], ["gl", "6000"]],
        "line_items": [{"amount": "12.50", "memo": "Hosting", "accounting": [["gl", "6100"]]}],
        "inventory_line_items": [
            {"unit_price": "2.00", "quantity": 3, "memo": None, "accounting": []}
        ],
    }
    assert f.payment.as_dict() == {
        "method": "ACH",
        "source_account": "Operating",
        "vendor_account": "Main",
        "arrival_date": "2026-02-02",
    }


def test_the_bill_kind_is_declared_by_its_values() -> None:
    assert [s.path for s in BILL.fields][:3] == ["vendor", "contact", "entity"]
    assert not any(s.view for s in BILL.fields[:3])
    assert BILL.field("line_items").value_type is BillLineValues
    assert BILL.field("payment.arrival_date").ramp == "payment_arrival_date"
