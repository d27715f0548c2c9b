"""Vendors over HTTP: pagination with filters, validation, link rules, deletion, contacts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from rampctl.sandbox import seed_demo
from rampctl.sandbox.embedded import RunningSandbox
from rampctl.sandbox.seed import ident
from tests.sandbox.conftest import api_client, assert_conforms, error_code

OWNER = ident("user:grace.kim@northwind.example")


def _body(**extra: Any) -> dict[str, Any]:
    body = {
        "name": "Hooli Telecom",
        "country": "us",
        "vendor_owner_id": OWNER,
        "business_vendor_contacts": {"email": "AP@hooli.example", "first_name": "Gavin"},
    }
    return {**body, **extra}


@pytest.fixture
def api(fresh: RunningSandbox) -> Iterator[httpx.Client]:
    with api_client(fresh) as client:
        yield client


def test_pages_keep_filters_and_follow_next(api: httpx.Client) -> None:
    first = api.get("/vendors", params={"is_active": "true", "page_size": 2})
    assert_conforms(first, "GET", "/vendors")
    next_url = first.json()["page"]["next"]
    query = parse_qs(urlsplit(next_url).query)
    assert next_url.startswith(str(api.base_url))
    assert query == {
        "is_active": ["true"],
        "page_size": ["2"],
        "start": [first.json()["data"][-1]["id"]],
    }
    second = api.get(next_url)
    assert second.json()["page"]["next"] is None
    names = [v["name"] for v in first.json()["data"] + second.json()["data"]]
    assert names == [
        "Acme Cloud Inc.",
        "Globex Logistics",
        "Initech Software",
        "Umbrella Insurance",
    ]


@pytest.mark.parametrize("size", [1, 101, "x"])
def test_page_size_out_of_range(api: httpx.Client, size: object) -> None:
    response = api.get("/vendors", params={"page_size": size})
    assert response.status_code == 422
    body = response.json()
    assert body["error_v2"]["error_code"] == "DEVELOPER_7001"
    assert body["error_v2"]["additional_info"]["page_size"]
    if size != "x":
        assert body["error"] == {"page_size": ["Value must be between 2 and 100"]}


def test_filters(api: httpx.Client) -> None:
    by_key = api.get("/vendors", params={"external_vendor_id": "initech"}).json()["data"]
    assert [v["name"] for v in by_key] == ["Initech Software"]
    by_owner = api.get(
        "/vendors", params={"vendor_owner_id": ident("user:erin.walsh@northwind.example")}
    )
    assert [v["name"] for v in by_owner.json()["data"]] == ["Vandelay Imports"]
    by_name = api.get("/vendors", params={"name": "Globex Logistics"}).json()["data"]
    assert [v["external_vendor_id"] for v in by_name] == ["globex-logistics"]
    assert (
        api.get("/vendors", params={"from_created_at": "2030-01-01T00:00:00Z"}).json()["data"] == []
    )


def test_create_is_approved_with_contact(api: httpx.Client) -> None:
    created = api.post("/vendors", json=_body(external_vendor_id="hooli", state="CA"))
    assert created.status_code == 200
    assert_conforms(created, "POST", "/vendors")
    vendor = created.json()
    assert (vendor["country"], vendor["is_active"], vendor["is_deletable"]) == ("US", True, True)
    assert vendor["accounting_vendor_remote_id"] is None
    contacts = api.get(f"/vendors/{vendor['id']}/contacts").json()["data"]
    assert [(c["email"], c["first_name"], c["is_default"]) for c in contacts] == [
        ("ap@hooli.example", "Gavin", True)
    ]
    assert [c["id"] for c in contacts] == vendor["contacts"]
    detail = api.get(f"/vendors/{vendor['id']}")
    assert_conforms(detail, "GET", "/vendors/{vendor_id}")
    entry = detail.json()["custom_form_collection_response"]["custom_form_collection_log_entry"]
    assert entry == {"label": None, "forms": []}


def test_validation_errors_are_per_field(api: httpx.Client) -> None:
    response = api.post("/vendors", json={"name": "X", "country": "US", "bogus": 1})
    assert response.status_code == 422
    info = response.json()["error_v2"]["additional_info"]
    assert info["business_vendor_contacts"] == ["Missing data for required field."]
    assert info["vendor_owner_id"] == ["Missing data for required field."]
    assert info["bogus"] == ["Unknown field."]
    bad_uuid = api.post("/vendors", json=_body(vendor_owner_id="not-a-uuid"))
    assert "vendor_owner_id" in bad_uuid.json()["error_v2"]["additional_info"]


def test_business_rules(api: httpx.Client) -> None:
    unknown_owner = api.post("/vendors", json=_body(vendor_owner_id=ident("nobody")))
    assert (unknown_owner.status_code, error_code(unknown_owner)) == (400, "DEVELOPER_7076")
    taken = api.post("/vendors", json=_body(external_vendor_id="acme-cloud"))
    assert taken.status_code == 400
    blank_name = api.patch(f"/vendors/{seed_demo.vendor_id('acme')}", json={"name": " "})
    assert blank_name.json()["error_v2"]["additional_info"] == {
        "name": ["Missing data for required field."]
    }


def test_link_rules(api: httpx.Client) -> None:
    both = api.post(
        "/vendors",
        json=_body(
            accounting_vendor_remote_id="QB-1007",
            vendor_tracking_category_option_id=ident("accounting-vendor:QB-1007"),
        ),
    )
    assert both.status_code == 400
    taken = api.post("/vendors", json=_body(accounting_vendor_remote_id="QB-1001"))
    assert "already linked" in taken.json()["error_v2"]["message"]
    missing = api.post("/vendors", json=_body(accounting_vendor_remote_id="QB-9999"))
    assert missing.status_code == 400
    linked = api.post("/vendors", json=_body(accounting_vendor_remote_id="QB-1007"))
    assert linked.json()["accounting_vendor_remote_id"] == "QB-1007"
    by_option = api.patch(
        f"/vendors/{seed_demo.vendor_id('vandelay')}",
        json={"vendor_tracking_category_option_id": ident("accounting-vendor:QB-1009")},
    )
    assert by_option.json()["accounting_vendor_remote_id"] == "QB-1009"


def test_patch_owner_key_and_fields(api: httpx.Client) -> None:
    vendor_id = seed_demo.vendor_id("umbrella")
    response = api.patch(
        f"/vendors/{vendor_id}",
        json={
            "vendor_owner_id": OWNER,
            "external_vendor_id": "umbrella",
            "is_active": False,
            "description": "Insurance",
            "address": {"address_line_1": "1 Main", "city": "Dover", "postal_code": "19901"},
        },
    )
    assert_conforms(response, "PATCH", "/vendors/{vendor_id}")
    vendor = response.json()
    assert (vendor["vendor_owner_id"], vendor["external_vendor_id"], vendor["is_active"]) == (
        OWNER,
        "umbrella",
        False,
    )
    assert vendor["address"]["country"] == "US"
    assert vendor["name"] == "Umbrella Insurance"


def test_vendor_with_bills_is_not_deletable(api: httpx.Client) -> None:
    acme = seed_demo.vendor_id("acme")
    assert api.get(f"/vendors/{acme}").json()["is_deletable"] is False
    refused = api.delete(f"/vendors/{acme}")
    assert refused.status_code == 400
    initech = seed_demo.vendor_id("initech")
    assert api.get(f"/vendors/{initech}").json()["is_deletable"] is True
    assert api.delete(f"/vendors/{initech}").status_code == 204
    assert api.get(f"/vendors/{initech}").status_code == 404
    assert api.get(f"/vendors/{initech}/contacts").status_code == 404


def test_bank_accounts_are_read_only_and_scoped(api: httpx.Client) -> None:
    acme = seed_demo.vendor_id("acme")
    accounts = api.get(f"/vendors/{acme}/accounts")
    assert_conforms(accounts, "GET", "/vendors/{vendor_id}/accounts")
    [account] = accounts.json()["data"]
    assert (account["account_nickname"], account["payment_method"]) == ("Acme operating", "ACH")
    assert api.get(f"/vendors/{acme}/accounts/{account['id']}").status_code == 200
    other = seed_demo.vendor_id("globex")
    assert api.get(f"/vendors/{other}/accounts/{account['id']}").status_code == 404
    assert api.post(f"/vendors/{acme}/accounts", json={}).status_code == 405


def test_rename_by_patch(api: httpx.Client) -> None:
    renamed = api.patch(f"/vendors/{seed_demo.vendor_id('acme')}", json={"name": " Acme Two "})
    assert_conforms(renamed, "PATCH", "/vendors/{vendor_id}")
    assert renamed.json()["name"] == "Acme Two"
    found = api.get("/vendors", params={"name": "Acme Two"}).json()["data"]
    assert [v["id"] for v in found] == [seed_demo.vendor_id("acme")]


def test_api_version_2025_has_no_external_vendor_id(
    fresh: RunningSandbox, api: httpx.Client
) -> None:
    fresh.settings.api_version = "2025"
    acme = seed_demo.vendor_id("acme")
    assert "external_vendor_id" not in api.get(f"/vendors/{acme}").json()
    listed = api.get("/vendors", params={"external_vendor_id": "no-such-key"}).json()["data"]
    assert len(listed) == 5 and all("external_vendor_id" not in v for v in listed)
    created = api.post("/vendors", json=_body(name="Keyless", external_vendor_id="acme-cloud"))
    assert created.status_code == 200 and "external_vendor_id" not in created.json()
    patched = api.patch(f"/vendors/{acme}", json={"external_vendor_id": "other", "state": "CA"})
    assert patched.status_code == 200 and patched.json()["state"] == "CA"
    rename = api.patch(f"/vendors/{acme}", json={"name": "New"})
    assert rename.json()["error_v2"]["additional_info"] == {"name": ["Unknown field."]}
    fresh.settings.reject_unknown_fields = False
    ignored = api.patch(f"/vendors/{acme}", json={"name": "New"})
    assert ignored.json()["name"] == "Acme Cloud Inc."
    fresh.settings.api_version = "2026"
    back = api.get("/vendors", params={"external_vendor_id": "acme-cloud"}).json()["data"]
    assert [v["id"] for v in back] == [acme]
    keyless = api.get(f"/vendors/{created.json()['id']}").json()
    assert keyless["external_vendor_id"] is None
