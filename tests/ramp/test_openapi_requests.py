"""Every request the client builds is valid against Ramp's OpenAPI document."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import httpx
import pytest
from jsonschema.exceptions import ValidationError

from rampctl.ramp.client import RampClient
from rampctl.ramp.models import (
    AccountingFieldInput,
    AccountingVendorInput,
    AccountingVendorUpdate,
    AddressInput,
    BankPaymentDetails,
    BillCreate,
    BillLineItemInput,
    BillUpdate,
    ContactCreate,
    ManualPaymentDetails,
    UserInvite,
    UserUpdate,
    VendorContactInput,
    VendorCreate,
    VendorUpdate,
)
from rampctl.ramp.scopes import READ_SCOPES, WRITE_SCOPES
from tests.ramp.fake_ramp import config, vendor
from tests.ramp.openapi_check import validate_request

UUID = "6b864472-294e-4fc9-91ab-158d684c8886"
BILL = {
    "id": UUID,
    "vendor": {"id": UUID, "name": "Acme"},
    "amount": {"amount": 100, "currency_code": "USD"},
}
LISTS = r"/(users|entities|vendors|bills|accounting/vendors|vendors/[^/]+/(contacts|accounts))"
ACCOUNTING_VENDOR = {"ramp_id": UUID, "id": "QB-1", "name": "Acme", "is_active": True}


def _answer(request: httpx.Request) -> httpx.Response:
    path = request.url.path.removeprefix("/developer/v1")
    if path == "/token":
        return httpx.Response(200, json={"access_token": "ramp_tok_x1234567", "expires_in": 60})
    if path == "/accounting/connection":
        return httpx.Response(200, json={"id": UUID, "is_active": True})
    if path.startswith("/users") or path.endswith("/contacts") or "connections" in path:
        return _answer_2026(request, path)
    if request.method == "DELETE":
        return httpx.Response(204)
    one: dict[str, Any] = BILL if path.startswith("/bills") else vendor(1)
    if path.startswith("/accounting/vendors"):
        one = ACCOUNTING_VENDOR
        if request.method == "POST":
            return httpx.Response(201, json={"vendors": [one], "uploaded": [UUID]})
    if request.method == "GET" and re.fullmatch(LISTS, path):
        return httpx.Response(200, json={"data": [], "page": {"next": None}})
    return httpx.Response(200, json={**one, "id": one.get("id", UUID)})


def _answer_2026(request: httpx.Request, path: str) -> httpx.Response:
    if path == "/users/deferred":
        return httpx.Response(201, json={"id": UUID})
    if path.startswith("/users/deferred/status/"):
        return httpx.Response(
            200, json={"id": UUID, "status": "SUCCESS", "data": {"user_id": UUID}}
        )
    if path.endswith(("/deactivate", "/reactivate")):
        return httpx.Response(200, json={})
    if path.startswith("/users/") and request.method == "PATCH":
        return httpx.Response(204)
    if path.endswith("/contacts") and request.method == "POST":
        return httpx.Response(
            201, json={"id": UUID, "email": "b@acme.example", "is_default": False}
        )
    if path == "/accounting/all-connections":
        return httpx.Response(200, json={"connections": [{"id": UUID, "is_active": True}]})
    if re.fullmatch(LISTS, path):
        return httpx.Response(200, json={"data": [], "page": {"next": None}})
    return httpx.Response(200, json={"id": UUID, "email": "ada@acme.example"})


def _exercise_2026(client: RampClient) -> None:
    client.invite_user(
        UserInvite(
            email="ada@acme.example",
            first_name="Ada",
            last_name="Ng",
            role="BUSINESS_USER",
            idempotency_key="k",
            direct_manager_id=UUID,
            employee_id="E1",
            is_manager=False,
        )
    )
    client.get_user_task(UUID)
    client.get_user(UUID)
    client.update_user(UUID, UserUpdate(role="IT_ADMIN", first_name="A", location_id=UUID))
    client.deactivate_user(UUID)
    client.reactivate_user(UUID)
    client.create_vendor_contact(
        UUID,
        VendorContactInput(email="b@acme.example", first_name=None, phone="+1415", is_default=True),
    )
    client.list_accounting_connections()
    client.update_vendor(UUID, VendorUpdate(name="Renamed"))


def _exercise(client: RampClient) -> None:
    client.get_business()
    client.list_users(email="ada@acme.example")
    client.list_entities()
    client.list_vendors(is_active=True, external_vendor_id="acme", name="Acme")
    client.list_vendor_contacts(UUID)
    client.list_vendor_bank_accounts(UUID)
    client.get_accounting_connection()
    client.list_accounting_vendors(remote_id="QB-1", is_active=False)
    client.list_bills(vendor_id=UUID, is_archived=True)
    client.get_vendor(UUID)
    client.get_bill(UUID)
    client.create_vendor(_vendor_create())
    client.update_vendor(
        UUID,
        VendorUpdate(
            description="d",
            state=None,
            is_active=False,
            accounting_vendor_remote_id="QB-2",
            external_vendor_id="acme",
            address=AddressInput(
                address_line_1="1 Main", city="NYC", postal_code="10001", country="US"
            ),
        ),
    )
    client.delete_vendor(UUID)
    client.upload_accounting_vendors([AccountingVendorInput(id="QB-9", name="New")])
    client.update_accounting_vendor(
        UUID, AccountingVendorUpdate(name="n", code="", reactivate=True)
    )
    client.delete_accounting_vendor(UUID)
    client.create_bill(_bill_create())
    client.create_bill(
        _bill_create(
            payment_method="PAID_MANUALLY",
            payment_details=(
                ManualPaymentDetails(
                    manual_payment_method="OTHER", payment_date=dt.date(2024, 5, 1)
                )
            ),
        )
    )
    client.update_bill(
        UUID, BillUpdate(memo=None, invoice_number="INV-2", due_at=dt.date(2024, 6, 1))
    )
    client.delete_bill(UUID)
    _exercise_2026(client)


def _vendor_create() -> VendorCreate:
    return VendorCreate(
        name="Acme",
        country="US",
        state="CA",
        vendor_owner_id=UUID,
        business_vendor_contacts=ContactCreate(
            email="ap@acme.example", first_name="Ada", last_name="Ng", phone="+14155550100"
        ),
        address=AddressInput(
            address_line_1="1 Market St", city="SF", postal_code="94105", state="CA", country="US"
        ),
        vendor_tracking_category_option_id=UUID,
        external_vendor_id="acme",
    )


def _bill_create(**extra: Any) -> BillCreate:
    values: dict[str, Any] = {
        "vendor_id": UUID,
        "vendor_contact_id": UUID,
        "entity_id": UUID,
        "invoice_number": "INV-1",
        "invoice_currency": "USD",
        "issued_at": dt.date(2024, 5, 1),
        "due_at": dt.date(2024, 5, 31),
        "payment_method": "ACH",
        "memo": "m",
        "payment_details": BankPaymentDetails(
            payment_arrival_date=dt.date(2024, 5, 30),
            source_bank_account_id=UUID,
            vendor_account_id=UUID,
        ),
        "line_items": [
            BillLineItemInput(
                amount=Decimal("1200.00"),
                memo="hosting",
                accounting_field_selections=[
                    AccountingFieldInput(field_external_id="f", field_option_external_id="o")
                ],
            )
        ],
    }
    values.update(extra)
    return BillCreate.model_validate(values)


def test_every_request_the_client_builds_matches_the_spec() -> None:
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return _answer(request)

    with RampClient(
        config(), scopes=READ_SCOPES + WRITE_SCOPES, transport=httpx.MockTransport(record)
    ) as client:
        _exercise(client)
    assert len(sent) >= 31
    for request in sent:
        validate_request(request)


def test_the_check_catches_fields_the_api_does_not_take() -> None:
    bad = httpx.Request(
        "PATCH", f"http://127.0.0.1/developer/v1/vendors/{UUID}", json={"nickname": "renamed"}
    )
    with pytest.raises(ValidationError):
        validate_request(bad)
    bad_query = httpx.Request("GET", "http://127.0.0.1/developer/v1/users?colour=red")
    with pytest.raises(AssertionError, match="colour"):
        validate_request(bad_query)
