"""Business, users, entities, departments and locations over HTTP."""

from __future__ import annotations

import httpx

from rampctl.sandbox.embedded import RunningSandbox
from rampctl.sandbox.seed import ident
from tests.sandbox.conftest import api_client, assert_conforms, error_code


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


def test_departments_and_locations_are_listed(api: httpx.Client) -> None:
    departments = api.get("/departments")
    assert_conforms(departments, "GET", "/departments")
    assert {d["name"] for d in departments.json()["data"]} == {
        "Engineering",
        "Finance",
        "Operations",
    }
    engineering = departments.json()["data"][0]
    one = api.get(f"/departments/{engineering['id']}")
    assert_conforms(one, "GET", "/departments/{department_id}")
    assert one.json() == engineering
    assert api.get(f"/departments/{ident('nowhere')}").status_code == 404
    locations = api.get("/locations")
    assert_conforms(locations, "GET", "/locations")
    [london] = [loc for loc in locations.json()["data"] if loc["name"] == "London"]
    uk = london["entity_id"]
    in_uk = api.get("/locations", params={"entity_id": uk}).json()["data"]
    assert [loc["name"] for loc in in_uk] == ["London"]
    assert london["id"] in api.get(f"/entities/{uk}").json()["location_ids"]
    assert api.get(f"/locations/{london['id']}").json() == london


def test_a_user_takes_only_known_departments_and_locations(fresh: RunningSandbox) -> None:
    carol = ident("user:carol.diaz@northwind.example")
    london = ident("location:London")
    with api_client(fresh) as api:
        unknown = api.patch(f"/users/{carol}", json={"department_id": ident("nowhere")})
        assert (unknown.status_code, error_code(unknown)) == (400, "DEVELOPER_7076")
        assert api.patch(f"/users/{carol}", json={"location_id": london}).status_code == 204
        assert api.get(f"/users/{carol}").json()["entity_id"] == ident("entity:uk")
