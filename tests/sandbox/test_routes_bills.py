"""Bills over HTTP: auto-approval, payment variants, money units, update rules, archive."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from rampctl.sandbox import seed_demo
from rampctl.sandbox.embedded import RunningSandbox
from rampctl.sandbox.seed import ident
from tests.sandbox.conftest import api_client, assert_conforms

ACME = seed_demo.vendor_id("acme")
SOURCE = ident("bank-account:us")
VENDOR_ACCOUNT = ident("vendor-bank-account:acme")


@pytest.fixture
def api(fresh: RunningSandbox) -> Iterator[httpx.Client]:
    with api_client(fresh) as client:
        yield client


def _bill(**extra: Any) -> dict[str, Any]:
    body = {
        "vendor_id": ACME,
        "vendor_contact_id": ident("contact:acme"),
        "entity_id": ident("entity:us"),
        "invoice_number": "INV-2001",
        "invoice_currency": "USD",
        "issued_at": "2025-03-03",
        "due_at": "2025-04-01",
        "payment_method": "ACH",
        "payment_details": {
            "payment_arrival_date": "2025-04-01",
            "source_bank_account_id": SOURCE,
            "vendor_account_id": VENDOR_ACCOUNT,
        },
        "line_items": [{"amount": "10.25", "memo": "a"}, {"amount": 5}],
        "inventory_line_items": [{"unit_price": "1.10", "unit_quantity": 3}],
    }
    return {**body, **extra}


def test_demo_bills(api: httpx.Client) -> None:
    response = api.get("/bills")
    assert_conforms(response, "GET", "/bills")
    bills = {b["invoice_number"]: b for b in response.json()["data"]}
    assert bills["INV-1001"]["amount"] == {"amount": 120000, "currency_code": "USD"}
    assert bills["INV-1002"]["payment"]["payment_method"] == "CHECK"
    assert (bills["GX-77"]["status"], bills["GX-77"]["amount"]["amount"]) == ("PAID", 98000)
    assert bills["INV-1001"]["vendor"]["remote_id"] == "QB-1001"


def test_create_is_approved_with_minor_units(api: httpx.Client) -> None:
    response = api.post("/bills", json=_bill())
    assert response.status_code == 201
    assert_conforms(response, "POST", "/bills")
    bill = response.json()
    assert (bill["approval_status"], bill["status"], bill["archived_at"]) == (
        "APPROVED",
        "OPEN",
        None,
    )
    assert bill["amount"] == {"amount": 1025 + 500 + 330, "currency_code": "USD"}
    assert bill["payment"]["details"]["vendor_account_id"] == VENDOR_ACCOUNT
    assert bill["bill_owner"]["id"] == ident("user:bob.martin@northwind.example")
    assert api.get(f"/bills/{bill['id']}").json()["issued_at"] == "2025-03-03T00:00:00+00:00"


def test_paid_manually_is_paid(api: httpx.Client) -> None:
    details = {"manual_payment_method": "PAID_IN_ERP", "payment_date": "2025-03-05"}
    bill = api.post(
        "/bills", json=_bill(payment_method="PAID_MANUALLY", payment_details=details)
    ).json()
    assert (bill["status"], bill["paid_at"]) == ("PAID", "2025-03-05T00:00:00+00:00")


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"invoice_number": "X" * 21}, 422, "invoice_number"),
        ({"payment_details": None}, 422, "payment_details"),
        (
            {
                "payment_details": {
                    "payment_arrival_date": "2025-04-01",
                    "source_bank_account_id": SOURCE,
                }
            },
            422,
            "payment_details.vendor_account_id",
        ),
        ({"vendor_contact_id": ident("contact:globex")}, 400, "vendor_contact_id"),
        (
            {
                "payment_details": {
                    "payment_arrival_date": "2025-04-05",
                    "source_bank_account_id": SOURCE,
                    "vendor_account_id": VENDOR_ACCOUNT,
                }
            },
            400,
            "payment_details.payment_arrival_date",
        ),
        (
            {
                "payment_details": {
                    "payment_arrival_date": "2025-04-01",
                    "source_bank_account_id": ident("x"),
                    "vendor_account_id": VENDOR_ACCOUNT,
                }
            },
            400,
            "payment_details.source_bank_account_id",
        ),
        (
            {
                "vendor_id": seed_demo.vendor_id("globex"),
                "vendor_contact_id": ident("contact:globex"),
            },
            400,
            "payment_details.vendor_account_id",
        ),
        ({"invoice_currency": "XXY"}, 422, "invoice_currency"),
    ],
)
def test_create_refusals(
    api: httpx.Client, changes: dict[str, Any], status: int, field: str
) -> None:
    response = api.post("/bills", json=_bill(**changes))
    assert response.status_code == status, response.text
    assert field in response.json()["error_v2"]["additional_info"]


def test_update_has_no_payment_details_and_recomputes(api: httpx.Client) -> None:
    bill_id = ident("bill:INV-1002")
    refused = api.patch(f"/bills/{bill_id}", json={"payment_details": {}})
    assert refused.json()["error_v2"]["additional_info"] == {"payment_details": ["Unknown field."]}
    updated = api.patch(
        f"/bills/{bill_id}", json={"memo": "checked", "line_items": [{"amount": "1.5"}]}
    )
    assert_conforms(updated, "PATCH", "/bills/{bill_id}")
    assert (updated.json()["memo"], updated.json()["amount"]["amount"]) == ("checked", 150)
    paid = api.patch(f"/bills/{ident('bill:GX-77')}", json={"memo": "late"})
    assert paid.status_code == 400


def test_delete_archives_and_refuses_paid(api: httpx.Client) -> None:
    bill_id = ident("bill:INV-1002")
    assert api.delete(f"/bills/{bill_id}").status_code == 204
    archived = api.get(f"/bills/{bill_id}").json()
    assert archived["archived_at"] is not None
    assert bill_id not in [b["id"] for b in api.get("/bills").json()["data"]]
    assert [b["id"] for b in api.get("/bills", params={"is_archived": "true"}).json()["data"]] == [
        bill_id
    ]
    assert api.delete(f"/bills/{ident('bill:GX-77')}").status_code == 400
    assert api.get(f"/vendors/{ACME}").json()["is_deletable"] is False


def test_list_filters(api: httpx.Client) -> None:
    def numbers(**params: Any) -> list[str]:
        return [b["invoice_number"] for b in api.get("/bills", params=params).json()["data"]]

    assert numbers(payment_status="PAID") == ["GX-77"]
    assert numbers(vendor_id=ACME, page_size=2) == ["INV-1001", "INV-1002"]
    assert numbers(payment_method="CHECK") == ["INV-1002"]
    assert numbers(min_amount="500", max_amount=1000) == ["GX-77"]
    assert numbers(from_paid_at="2025-01-01T00:00:00Z", to_paid_at="2025-12-31T00:00:00Z") == [
        "GX-77"
    ]
