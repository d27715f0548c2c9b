"""`GET /accounting/all-connections`, and the deprecated endpoint beside it."""

from __future__ import annotations

import httpx

from rampctl.sandbox.embedded import RunningSandbox
from tests.sandbox.conftest import api_client, assert_conforms, error_code


def test_all_connections_lists_active_and_disconnected(fresh: RunningSandbox) -> None:
    with api_client(fresh) as api:
        first = api.get("/accounting/all-connections")
        assert_conforms(first, "GET", "/accounting/all-connections")
        [active] = first.json()["connections"]
        assert active["is_active"] is True
        assert api.delete("/accounting/connection").status_code == 204
        api.post("/accounting/connection", json={"remote_provider_name": "NetSuite"})
        both = api.get("/accounting/all-connections").json()["connections"]
        assert [(c["id"] == active["id"], c["is_active"]) for c in both] == [
            (True, False),
            (False, True),
        ]


def test_an_endpoint_can_be_switched_off(fresh: RunningSandbox) -> None:
    change = {"absent_endpoints": ["get /accounting/all-connections"]}
    assert httpx.patch(f"{fresh.base_url}/_sandbox/settings", json=change).status_code == 200
    with api_client(fresh) as api:
        absent = api.get("/accounting/all-connections")
        assert (absent.status_code, error_code(absent)) == (404, "DEVELOPER_7003")
        assert api.get("/accounting/connection").status_code == 200
