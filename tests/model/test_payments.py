"""The payment-method rules: derived from Ramp's payment-details variants, used everywhere."""

from __future__ import annotations

from typing import get_args

import pytest

from rampctl.model import payments
from rampctl.ramp.models import DETAILS_FOR_METHOD, PaymentMethod


def test_every_detail_field_maps_to_a_field_of_a_ramp_variant() -> None:
    ramp_fields = {name for variant in DETAILS_FOR_METHOD.values() for name in variant.model_fields}
    assert set(payments.DETAIL_FIELDS.values()) == ramp_fields


def test_fields_per_method_follow_ramps_variants() -> None:
    assert payments.PAYMENT_FIELDS["ACH"] == (
        ("source_account", "vendor_account", "arrival_date"),
        (),
    )
    assert payments.PAYMENT_FIELDS["CHECK"] == (("source_account", "arrival_date"), ())
    assert payments.PAYMENT_FIELDS["CARD"] == (("spend_limit_id",), ("transaction_id",))
    assert payments.PAYMENT_FIELDS["PAID_MANUALLY"] == (("manual_method", "payment_date"), ())
    assert "VENDOR_CREDIT" not in payments.PAYMENT_FIELDS  # takes no payment details
    assert set(payments.PAYMENT_FIELDS) <= set(get_args(PaymentMethod))


def test_bank_methods_are_those_paying_a_vendor_account() -> None:
    assert {"ACH", "DOMESTIC_WIRE", "INTERNATIONAL", "SWIFT"} == payments.BANK_METHODS


@pytest.mark.parametrize(
    ("method", "transaction", "moves"),
    [
        ("ACH", None, True),
        ("CARD", None, True),
        ("CARD", "txn-1", False),
        ("PAID_MANUALLY", None, False),
        ("VENDOR_CREDIT", None, False),
        (None, None, False),
    ],
)
def test_moves_money(method: str | None, transaction: str | None, moves: bool) -> None:
    assert payments.moves_money(method, transaction) is moves


def test_ramp_details_renames_manifest_fields() -> None:
    resolved = {
        "method": "ACH",
        "source_account": "ba1",
        "vendor_account": "va1",
        "arrival_date": "2026-01-05",
    }
    assert payments.ramp_details(resolved) == {
        "source_bank_account_id": "ba1",
        "vendor_account_id": "va1",
        "payment_arrival_date": "2026-01-05",
    }
    assert payments.ramp_details({"method": "UNSPECIFIED"}) is None
