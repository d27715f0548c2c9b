"""Bill request bodies built from typed values, with the Ramp names the Bill kind declares."""

from __future__ import annotations

from dataclasses import replace

from rampctl.engine.bill_bodies import create_body, patch_body
from rampctl.engine.bill_refs import ResolvedBill
from rampctl.engine.changes import FieldChange
from rampctl.model.kinds.bill import (
    BillLineValues,
    BillPaymentValues,
    BillValues,
    InventoryLineValues,
)
from rampctl.ramp.models import BillCreate, BillUpdate

VALUES = BillValues(
    vendor="acme",
    entity="Main",
    invoice_number="INV-7",
    currency="USD",
    issue_date="2026-01-02",
    due_date="2026-02-02",
    accounting=(("gl", "6000"),),
    line_items=(BillLineValues(amount="12.50", memo="Hosting"),),
    inventory_line_items=(
        InventoryLineValues(unit_price="2.00", quantity=3, accounting=(("gl", "6100"),)),
    ),
    payment=BillPaymentValues(
        method="ACH", source_account="ba-1", vendor_account="va-1", arrival_date="2026-02-02"
    ),
)
BILL = ResolvedBill(
    values=VALUES, vendor_id="v-1", entity_id="e-1", contact_id="c-1", names_contact=True
)


def test_the_create_body_carries_every_set_field_by_ramps_name() -> None:
    body = create_body(BILL)
    assert body == {
        "vendor_id": "v-1",
        "vendor_contact_id": "c-1",
        "entity_id": "e-1",
        "invoice_number": "INV-7",
        "invoice_currency": "USD",
        "issued_at": "2026-01-02",
        "due_at": "2026-02-02",
        "payment_method": "ACH",
        "payment_details": {
            "source_bank_account_id": "ba-1",
            "vendor_account_id": "va-1",
            "payment_arrival_date": "2026-02-02",
        },
        "line_items": [{"amount": "12.50", "memo": "Hosting"}],
        "inventory_line_items": [
            {
                "unit_price": "2.00",
                "unit_quantity": 3,
                "accounting_field_selections": [
                    {"field_external_id": "gl", "field_option_external_id": "6100"}
                ],
            }
        ],
        "accounting_field_selections": [
            {"field_external_id": "gl", "field_option_external_id": "6000"}
        ],
    }
    BillCreate(**body)  # Ramp's request model takes it


def test_a_payment_without_details_sends_none() -> None:
    unspecified = replace(VALUES, payment=BillPaymentValues(method="UNSPECIFIED"))
    assert "payment_details" not in create_body(replace(BILL, values=unspecified))


def test_the_patch_body_sends_the_changed_fields_only() -> None:
    patch = [
        FieldChange(path="contact_id", before="c-0", after="c-1"),
        FieldChange(path="due_date", before="2026-01-30", after="2026-02-02"),
        FieldChange(path="memo", before="old", after=None),
        FieldChange(path="line_items", before=[], after=[]),
    ]
    body = patch_body(BILL, patch)
    assert body == {
        "vendor_contact_id": "c-1",
        "due_at": "2026-02-02",
        "memo": None,
        "line_items": [{"amount": "12.50", "memo": "Hosting"}],
    }
    BillUpdate(**body)
