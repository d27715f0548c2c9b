"""Accounting over HTTP: connection, batch upload all-or-nothing, patch, delete, links."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from rampctl.sandbox import seed_demo
from rampctl.sandbox.embedded import RunningSandbox
from tests.sandbox.conftest import api_client, assert_conforms


@pytest.fixture
def api(fresh: RunningSandbox) -> Iterator[httpx.Client]:
    with api_client(fresh) as client:
        yield client


def _remote_ids(api: httpx.Client) -> list[str]:
    return [
        v["id"] for v in api.get("/accounting/vendors", params={"page_size": 100}).json()["data"]
    ]


def test_upload_is_all_or_nothing(api: httpx.Client) -> None:
    ok = api.post(
        "/accounting/vendors",
        json={"vendors": [{"id": "QB-2001", "name": "New A"}, {"id": "QB-2002", "name": "New B"}]},
    )
    assert ok.status_code == 201
    assert_conforms(ok, "POST", "/accounting/vendors")
    assert ok.json()["uploaded"] == [v["ramp_id"] for v in ok.json()["vendors"]]
    clash = api.post(
        "/accounting/vendors",
        json={"vendors": [{"id": "QB-2003", "name": "C"}, {"id": "QB-1001", "name": "Dup"}]},
    )
    assert clash.status_code == 400
    dupes = api.post(
        "/accounting/vendors",
        json={"vendors": [{"id": "QB-2004", "name": "D"}, {"id": "QB-2004", "name": "D"}]},
    )
    assert dupes.status_code == 400
    too_many = api.post(
        "/accounting/vendors", json={"vendors": [{"id": f"T-{i}", "name": "T"} for i in range(501)]}
    )
    assert too_many.status_code == 422
    assert _remote_ids(api) == [f"QB-{1000 + i}" for i in range(1, 13)] + ["QB-2001", "QB-2002"]


def test_patch_delete_and_reactivate(api: httpx.Client) -> None:
    listed = api.get("/accounting/vendors", params={"remote_id": "QB-1005"})
    assert_conforms(listed, "GET", "/accounting/vendors")
    ramp_id = listed.json()["data"][0]["ramp_id"]
    patched = api.patch(
        f"/accounting/vendors/{ramp_id}", json={"name": "Stark Supplies", "code": ""}
    )
    assert (patched.json()["name"], patched.json().get("code")) == ("Stark Supplies", None)
    assert api.delete(f"/accounting/vendors/{ramp_id}").status_code == 204
    assert api.get(f"/accounting/vendors/{ramp_id}").json()["is_active"] is False
    assert "QB-1005" not in [
        v["id"] for v in api.get("/accounting/vendors", params={"is_active": "true"}).json()["data"]
    ]
    again = api.patch(f"/accounting/vendors/{ramp_id}", json={"reactivate": True})
    assert again.json()["is_active"] is True


def test_connection_lifecycle(api: httpx.Client) -> None:
    current = api.get("/accounting/connection")
    assert_conforms(current, "GET", "/accounting/connection")
    assert current.json()["remote_provider_name"] == "Northwind ERP"
    assert (
        api.post("/accounting/connection", json={"remote_provider_name": "Other"}).status_code
        == 400
    )
    assert api.delete("/accounting/connection").status_code == 204
    assert api.get("/accounting/connection").status_code == 404
    assert api.get("/accounting/vendors").status_code == 400
    acme = api.get(f"/vendors/{seed_demo.vendor_id('acme')}").json()
    assert acme["accounting_vendor_remote_id"] is None
    created = api.post("/accounting/connection", json={"remote_provider_name": "New ERP"})
    assert created.status_code == 201
    assert _remote_ids(api) == []


def test_auto_create_accounting_vendor_setting(fresh: RunningSandbox, api: httpx.Client) -> None:
    body = {
        "name": "Auto Co",
        "country": "US",
        "vendor_owner_id": seed_demo.ident("user:bob.martin@northwind.example"),
        "business_vendor_contacts": {"email": "ap@auto.example"},
    }
    assert api.post("/vendors", json=body).json()["accounting_vendor_remote_id"] is None
    fresh.settings.auto_create_accounting_vendor = True
    linked = api.post("/vendors", json={**body, "name": "Auto Two"}).json()
    assert linked["accounting_vendor_remote_id"].startswith("RAMP-")
    names = [
        v["name"]
        for v in api.get(
            "/accounting/vendors", params={"remote_id": linked["accounting_vendor_remote_id"]}
        ).json()["data"]
    ]
    assert names == ["Auto Two"]
