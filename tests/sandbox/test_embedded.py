"""running_sandbox: start, stop, data files seeded once, the request log, extra clients."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from rampctl.sandbox.embedded import RunningSandbox, SandboxError, running_sandbox
from tests.sandbox.conftest import API, api_client, get_token


def test_serves_on_loopback_and_stops(tmp_path: Path) -> None:
    with running_sandbox(seed="empty") as sandbox:
        url = sandbox.base_url
        assert url.startswith("http://127.0.0.1:")
        with api_client(sandbox) as api:
            assert api.get("/vendors").json() == {"data": [], "page": {"next": None}}
    with pytest.raises(httpx.TransportError):
        httpx.get(url + API + "/business", timeout=1)


def test_data_file_keeps_state_across_runs(tmp_path: Path) -> None:
    data = tmp_path / "nested" / "sandbox.db"
    with running_sandbox(data=data, seed="demo") as sandbox, api_client(sandbox) as api:
        body = {
            "name": "Kept Co",
            "country": "US",
            "vendor_owner_id": _owner(api),
            "business_vendor_contacts": {"email": "kept@kept.example"},
        }
        created = api.post("/vendors", json=body).json()
        secret = sandbox.client_secret
    with running_sandbox(data=data, seed="empty") as again, api_client(again) as api:
        assert again.client_secret == secret
        assert api.get(f"/vendors/{created['id']}").json()["name"] == "Kept Co"
        assert len(api.get("/vendors").json()["data"]) == 6


def _owner(api: httpx.Client) -> str:
    return str(
        api.get("/users", params={"email": "bob.martin@northwind.example"}).json()["data"][0]["id"]
    )


def test_request_log_records_api_calls(sandbox: RunningSandbox) -> None:
    token = get_token(sandbox)
    sandbox.clear_log()
    with api_client(sandbox, token) as api:
        api.get("/vendors", params={"page_size": 2})
        api.get("/vendors/not-a-uuid")
    log = sandbox.request_log()
    assert [(e.method, e.path, e.query, e.status) for e in log] == [
        ("GET", API + "/vendors", "page_size=2", 200),
        ("GET", API + "/vendors/not-a-uuid", "", 422),
    ]
    assert all(e.duration_ms >= 0 and e.started_at > 0 for e in log)
    sandbox.clear_log()
    assert sandbox.request_log() == []


def test_added_client_gets_only_its_scopes(sandbox: RunningSandbox) -> None:
    sandbox.add_client("reader", "reader-secret", ["vendors:read"])
    response = httpx.post(
        sandbox.base_url + API + "/token",
        auth=("reader", "reader-secret"),
        data={"grant_type": "client_credentials", "scope": "vendors:read"},
    )
    assert response.status_code == 200
    assert response.json()["scope"] == "vendors:read"


def test_unknown_seed_is_a_sandbox_error() -> None:
    with pytest.raises(SandboxError, match="unknown seed"), running_sandbox(seed="bogus"):
        pass
