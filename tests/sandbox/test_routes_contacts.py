"""Vendor contact creation: in force at once, or pending approval under the policy knob."""

from __future__ import annotations

from typing import Any

import httpx

from rampctl.sandbox import seed_demo
from rampctl.sandbox.embedded import RunningSandbox
from rampctl.sandbox.seed import ident
from tests.sandbox.conftest import api_client, assert_conforms, error_code

ACME = seed_demo.vendor_id("acme")
CONTACTS = f"/vendors/{ACME}/contacts"


def _contacts(api: httpx.Client) -> dict[str, dict[str, Any]]:
    return {c["email"]: c for c in api.get(CONTACTS).json()["data"]}


def test_create_contact_immediately(fresh: RunningSandbox) -> None:
    with api_client(fresh) as api:
        plain = api.post(CONTACTS, json={"email": "Billing@Acme.example", "first_name": "Bo"})
        assert plain.status_code == 201
        assert_conforms(plain, "POST", "/vendors/{vendor_id}/contacts")
        assert plain.json()["approval_status"] == "approved"
        assert plain.json()["is_default"] is False
        made_default = api.post(CONTACTS, json={"email": "ceo@acme.example", "is_default": True})
        contacts = _contacts(api)
        assert [e for e, c in contacts.items() if c["is_default"]] == ["ceo@acme.example"]
        assert contacts["billing@acme.example"]["first_name"] == "Bo"
        vendor = api.get(f"/vendors/{ACME}").json()
        assert {plain.json()["id"], made_default.json()["id"]} <= set(vendor["contacts"])
        again = api.post(CONTACTS, json={"email": "billing@acme.example"})
        assert (again.status_code, error_code(again)) == (400, "DEVELOPER_7076")


def test_create_contact_refusals(fresh: RunningSandbox) -> None:
    with api_client(fresh) as api:
        assert api.post(CONTACTS, json={"first_name": "No email"}).status_code == 422
        assert api.post(CONTACTS, json={"email": "not-an-email"}).status_code == 422
        unknown = api.post(f"/vendors/{ident('no-vendor')}/contacts", json={"email": "a@b.co"})
        assert unknown.status_code == 404


def test_pending_contact_waits_for_approval(fresh: RunningSandbox) -> None:
    fresh.settings.contact_approval = "pending_approval"
    with api_client(fresh) as api:
        held = api.post(CONTACTS, json={"email": "new@acme.example", "is_default": True})
        assert held.status_code == 201
        assert (held.json()["approval_status"], held.json()["is_default"]) == (
            "pending_approval",
            False,
        )
        assert _contacts(api)["new@acme.example"]["approval_status"] == "pending_approval"
        assert held.json()["id"] not in api.get(f"/vendors/{ACME}").json()["contacts"]
        decided = httpx.post(f"{fresh.base_url}/_sandbox/vendors/{ACME}/approve")
        assert decided.json() == {"updates": 0, "contacts": 1}
        contacts = _contacts(api)
        assert contacts["new@acme.example"]["approval_status"] == "approved"
        assert [e for e, c in contacts.items() if c["is_default"]] == ["new@acme.example"]
        assert held.json()["id"] in api.get(f"/vendors/{ACME}").json()["contacts"]


def test_a_pending_contact_cannot_be_billed(fresh: RunningSandbox) -> None:
    from tests.sandbox.test_routes_bills import _bill

    fresh.settings.contact_approval = "pending_approval"
    with api_client(fresh) as api:
        held = api.post(CONTACTS, json={"email": "new@acme.example"}).json()
        refused = api.post("/bills", json=_bill(vendor_contact_id=held["id"]))
        assert refused.status_code == 400 and "waiting for approval" in refused.text
        httpx.post(f"{fresh.base_url}/_sandbox/vendors/{ACME}/approve").raise_for_status()
        assert api.post("/bills", json=_bill(vendor_contact_id=held["id"])).status_code == 201


def test_rejected_contact_disappears(fresh: RunningSandbox) -> None:
    fresh.settings.contact_approval = "pending_approval"
    with api_client(fresh) as api:
        api.post(CONTACTS, json={"email": "new@acme.example"})
        httpx.post(f"{fresh.base_url}/_sandbox/vendors/{ACME}/reject")
        assert "new@acme.example" not in _contacts(api)


def test_no_contact_creation_in_the_2025_api(fresh: RunningSandbox) -> None:
    fresh.settings.api_version = "2025"
    with api_client(fresh) as api:
        absent = api.post(CONTACTS, json={"email": "new@acme.example"})
        assert (absent.status_code, error_code(absent)) == (404, "DEVELOPER_7003")
