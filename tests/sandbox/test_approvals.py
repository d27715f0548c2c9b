"""Vendor edits held by an approval policy: shown as pending, applied or dropped on decision."""

from __future__ import annotations

import httpx

from rampctl.sandbox import seed_demo
from rampctl.sandbox.embedded import RunningSandbox
from rampctl.sandbox.seed import ident
from tests.sandbox.conftest import api_client, assert_conforms

ACME = seed_demo.vendor_id("acme")
CAROL = ident("user:carol.diaz@northwind.example")
ADDRESS = {"address_line_1": "1 New St", "city": "Boston", "postal_code": "02110", "state": "MA"}


def test_held_update_is_pending_until_approved(fresh: RunningSandbox) -> None:
    fresh.settings.vendor_update_approval = "pending_approval"
    with api_client(fresh) as api:
        before = api.get(f"/vendors/{ACME}").json()
        assert before["pending_update"] is None
        changed = api.patch(
            f"/vendors/{ACME}",
            json={"vendor_owner_id": CAROL, "address": ADDRESS, "description": "now"},
        )
        assert_conforms(changed, "PATCH", "/vendors/{vendor_id}")
        body = changed.json()
        assert body["description"] == "now"
        assert (body["vendor_owner_id"], body["address"]) == (
            before["vendor_owner_id"],
            before["address"],
        )
        pending = body["pending_update"]
        assert pending["status"] == "PENDING_APPROVAL" and pending["requested_at"]
        assert pending["fields"] == {
            "vendor_owner_id": CAROL,
            "address": {**ADDRESS, "country": "US"},
        }
        later = api.get(f"/vendors/{ACME}")
        assert_conforms(later, "GET", "/vendors/{vendor_id}")
        assert later.json()["pending_update"] == pending
        listed = api.get("/vendors", params={"name": before["name"]}).json()["data"][0]
        assert listed["pending_update"] == pending
        again = api.patch(f"/vendors/{ACME}", json={"vendor_owner_id": CAROL})
        assert again.status_code == 400 and "awaiting approval" in again.text
        same = api.patch(f"/vendors/{ACME}", json={"vendor_owner_id": before["vendor_owner_id"]})
        assert same.status_code == 200
        httpx.post(f"{fresh.base_url}/_sandbox/vendors/{ACME}/approve").raise_for_status()
        after = api.get(f"/vendors/{ACME}").json()
        assert (after["vendor_owner_id"], after["pending_update"]) == (CAROL, None)
        assert after["address"]["city"] == "Boston"


def test_rejected_update_leaves_the_vendor_as_it_was(fresh: RunningSandbox) -> None:
    fresh.settings.vendor_update_approval = "pending_approval"
    with api_client(fresh) as api:
        before = api.get(f"/vendors/{ACME}").json()
        api.patch(f"/vendors/{ACME}", json={"vendor_owner_id": CAROL})
        decided = httpx.post(f"{fresh.base_url}/_sandbox/vendors/{ACME}/reject")
        assert decided.json() == {"updates": 1, "contacts": 0}
        after = api.get(f"/vendors/{ACME}").json()
        assert (after["vendor_owner_id"], after["pending_update"]) == (
            before["vendor_owner_id"],
            None,
        )
        assert (
            httpx.post(f"{fresh.base_url}/_sandbox/vendors/{ident('x')}/approve").status_code == 404
        )


def test_ungoverned_fields_and_immediate_policy_apply_at_once(fresh: RunningSandbox) -> None:
    with api_client(fresh) as api:
        body = api.patch(
            f"/vendors/{ACME}", json={"vendor_owner_id": CAROL, "name": "Acme 2"}
        ).json()
        assert (body["vendor_owner_id"], body["name"], body["pending_update"]) == (
            CAROL,
            "Acme 2",
            None,
        )
        fresh.settings.vendor_update_approval = "pending_approval"
        renamed = api.patch(f"/vendors/{ACME}", json={"name": "Acme 3"}).json()
        assert (renamed["name"], renamed["pending_update"]) == ("Acme 3", None)
