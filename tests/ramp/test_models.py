"""Typed objects: tolerant responses, strict request bodies that send only what was set."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pydantic import ValidationError

from rampctl.ramp.models import (
    AccountingVendorUpdate,
    AddressInput,
    BankPaymentDetails,
    BillCreate,
    BillLineItemInput,
    Business,
    CheckPaymentDetails,
    ContactCreate,
    Vendor,
    VendorCreate,
    VendorUpdate,
)
from tests.ramp.fake_ramp import vendor

OWNER = "11111111-1111-1111-1111-111111111111"


def test_vendor_ignores_unknown_fields() -> None:
    parsed = Vendor.model_validate(vendor(7, external_vendor_id="k", brand_new={"a": 1}))
    assert parsed.external_vendor_id == "k"
    assert not hasattr(parsed, "brand_new")
    assert not hasattr(parsed, "some_future_field")


def test_business_name_falls_back_to_card_name() -> None:
    assert Business(id="b", business_name_on_card="NW").name == "NW"


def test_create_body_has_only_set_fields() -> None:
    body = VendorCreate(
        name="Acme",
        country="US",
        vendor_owner_id=OWNER,
        business_vendor_contacts=ContactCreate(email="a@acme.example", first_name="Ada"),
        address=AddressInput(address_line_1="1 Market St", city="SF", postal_code="94105"),
    ).to_body()
    assert body == {
        "name": "Acme",
        "country": "US",
        "vendor_owner_id": OWNER,
        "business_vendor_contacts": {"email": "a@acme.example", "first_name": "Ada"},
        "address": {"address_line_1": "1 Market St", "city": "SF", "postal_code": "94105"},
    }


def test_nullable_fields_may_be_sent_as_null() -> None:
    assert VendorUpdate(state=None).to_body() == {"state": None}


@pytest.mark.parametrize("field", ["description", "accounting_vendor_remote_id", "is_active"])
def test_null_is_refused_where_ramp_does_not_take_it(field: str) -> None:
    with pytest.raises(ValidationError, match="cannot be null"):
        VendorUpdate.model_validate({field: None})


def test_both_link_fields_are_refused() -> None:
    with pytest.raises(ValidationError, match="at most one"):
        VendorUpdate(accounting_vendor_remote_id="QB-1", vendor_tracking_category_option_id="x")


def test_unknown_request_fields_are_refused() -> None:
    with pytest.raises(ValidationError):
        VendorUpdate.model_validate({"nickname": "renamed"})


def test_vendor_rename_is_an_update_but_never_to_blank() -> None:
    assert VendorUpdate(name="Renamed").to_body() == {"name": "Renamed"}
    with pytest.raises(ValidationError):
        VendorUpdate(name="")


def test_accounting_vendor_update_clears_code_with_empty_string() -> None:
    assert AccountingVendorUpdate(code="").to_body() == {"code": ""}


def _bill(**extra: object) -> BillCreate:
    values: dict[str, object] = {
        "vendor_id": "v",
        "vendor_contact_id": "c",
        "entity_id": "e",
        "invoice_number": "INV-1",
        "invoice_currency": "USD",
        "issued_at": dt.date(2024, 1, 2),
        "due_at": dt.date(2024, 2, 1),
        "payment_method": "CHECK",
    }
    values.update(extra)
    return BillCreate.model_validate(values)


def test_bill_body_uses_iso_dates_and_decimal_strings() -> None:
    body = _bill(line_items=[BillLineItemInput(amount=Decimal("12.50"))]).to_body()
    assert body["issued_at"] == "2024-01-02"
    assert body["line_items"] == [{"amount": "12.50"}]


def test_payment_details_pick_the_variant_by_fields() -> None:
    check = _bill(
        payment_details={"payment_arrival_date": "2024-02-01", "source_bank_account_id": "s"}
    )
    bank = _bill(
        payment_method="ACH",
        payment_details={
            "payment_arrival_date": "2024-02-01",
            "source_bank_account_id": "s",
            "vendor_account_id": "a",
        },
    )
    assert isinstance(check.payment_details, CheckPaymentDetails)
    assert isinstance(bank.payment_details, BankPaymentDetails)


def test_payment_details_must_fit_the_payment_method() -> None:
    with pytest.raises(ValidationError, match="do not fit"):
        _bill(
            payment_method="ACH",
            payment_details={"payment_arrival_date": "2024-02-01", "source_bank_account_id": "s"},
        )
    with pytest.raises(ValidationError, match="do not fit"):
        _bill(payment_method="ONE_TIME_CARD", payment_details={"spend_limit_id": "x"})


def test_invoice_number_longer_than_20_is_refused() -> None:
    with pytest.raises(ValidationError):
        _bill(invoice_number="X" * 21)
