"""Business, users and entities over HTTP."""

from __future__ import annotations

import httpx

from tests.sandbox.conftest import assert_conforms


def test_business(api: httpx.Client) -> None:
    response = api.get("/business")
    assert_conforms(response, "GET", "/business")
    assert response.json()["business_name_legal"] == "Northwind Labs, Inc."


def test_users_filter_by_email_and_role(api: httpx.Client) -> None:
    everyone = api.get("/users", params={"page_size": 100})
    assert_conforms(everyone, "GET", "/users")
    assert len(everyone.json()["data"]) == 8
    found = api.get("/users", params={"email": "Carol.Diaz@northwind.example"}).json()["data"]
    assert [(u["first_name"], u["role"]) for u in found] == [("Carol", "BUSINESS_BOOKKEEPER")]
    admins = api.get("/users", params={"role": "BUSINESS_ADMIN"}).json()["data"]
    assert sorted(u["email"] for u in admins) == [
        "bob.martin@northwind.example",
        "frank.ito@northwind.example",
    ]
    one = api.get(f"/users/{found[0]['id']}")
    assert_conforms(one, "GET", "/users/{user_id}")
    bad = api.get("/users", params={"email": "not-an-email"})
    assert bad.status_code == 422


def test_entities_with_bill_pay_accounts(api: httpx.Client) -> None:
    response = api.get("/entities")
    assert_conforms(response, "GET", "/entities")
    accounts = {e["entity_name"]: e["accounts"][0] for e in response.json()["data"]}
    assert accounts["Northwind Labs, Inc."]["external_name"] == "Operating Checking"
    assert accounts["Northwind Labs Ltd"]["usage_type"] == "BILL_PAY_BANK_ACCOUNT"
    gbp = api.get("/entities", params={"currency": "GBP"}).json()["data"]
    assert [e["entity_name"] for e in gbp] == ["Northwind Labs Ltd"]
    assert api.get(f"/entities/{gbp[0]['id']}").json()["is_primary"] is False
