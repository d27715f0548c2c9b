"""Knobs through real HTTP: rate limit, latency, 5xx / slow / drop-after-commit faults."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from rampctl.sandbox.embedded import RunningSandbox
from rampctl.sandbox.seed import ident
from rampctl.sandbox.settings import FaultRule
from tests.sandbox.conftest import api_client, error_code, get_token


def _vendor(key: str) -> dict[str, Any]:
    return {
        "name": f"Vendor {key}",
        "country": "US",
        "external_vendor_id": key,
        "vendor_owner_id": ident("user:bob.martin@northwind.example"),
        "business_vendor_contacts": {"email": f"{key}@example.com"},
    }


def test_rate_limit_per_client_rolling_window(fresh: RunningSandbox) -> None:
    fresh.settings.rate_limit, fresh.settings.rate_window_s = 5, 0.5
    token = get_token(fresh)  # the token call counts against the same client
    fresh.add_client("other", "other-secret", ["business:read"])
    with api_client(fresh, token) as api:
        statuses = [api.get("/business").status_code for _ in range(6)]
        assert statuses == [200, 200, 200, 200, 429, 429]
        limited = api.get("/business")
        assert error_code(limited) == "DEVELOPER_7429"
        assert limited.headers["x-trace-id"]
        other = httpx.post(
            fresh.base_url + "/developer/v1/token",
            auth=("other", "other-secret"),
            data={"grant_type": "client_credentials", "scope": "business:read"},
        )
        assert other.status_code == 200
        time.sleep(0.6)
        assert api.get("/business").status_code == 200


def test_latency_is_added(fresh: RunningSandbox) -> None:
    with api_client(fresh) as api:
        fresh.settings.latency_ms = 150
        started = time.monotonic()
        api.get("/business")
        assert time.monotonic() - started >= 0.15
    assert fresh.request_log()[-1].duration_ms >= 150


def test_one_shot_5xx_rule(fresh: RunningSandbox) -> None:
    fresh.settings.faults.append(
        FaultRule(kind="5xx", method="GET", path="/developer/v1/vendors*", count=2)
    )
    with api_client(fresh) as api:
        assert [api.get("/vendors").status_code for _ in range(3)] == [500, 500, 200]
        assert api.get("/business").status_code == 200
    assert [e.fault for e in fresh.request_log()[-4:]] == ["5xx", "5xx", None, None]


def test_random_5xx_rate_is_deterministic_with_seed(fresh: RunningSandbox) -> None:
    fresh.settings.rate_limit = 10_000
    with api_client(fresh) as api:

        def run() -> list[int]:
            fresh.settings.update({"fault_seed": None})
            fresh.settings.update({"fault_5xx_rate": 0.5, "fault_seed": 7})
            statuses = [api.get("/business").status_code for _ in range(20)]
            fresh.settings.update({"fault_5xx_rate": 0.0, "fault_seed": None})
            api.get("/business")  # the picker sees the seed cleared
            return statuses

        first = run()
        assert 0 < first.count(500) < 20
        assert run() == first


def test_slow_fault_makes_clients_time_out(fresh: RunningSandbox) -> None:
    fresh.settings.slow_ms = 800
    fresh.settings.faults.append(FaultRule(kind="slow", path="/developer/v1/business"))
    with api_client(fresh) as api:
        with pytest.raises(httpx.ReadTimeout):
            api.get("/business", timeout=0.3)
        assert api.get("/business", timeout=2).status_code == 200


def test_drop_after_commit_writes_then_breaks_the_connection(fresh: RunningSandbox) -> None:
    fresh.settings.faults.append(
        FaultRule(kind="drop_after_commit", method="POST", path="/developer/v1/vendors")
    )
    with api_client(fresh) as api:
        with pytest.raises(httpx.TransportError):
            api.post("/vendors", json=_vendor("dropped"))
        found = api.get("/vendors", params={"external_vendor_id": "dropped"}).json()["data"]
        assert [v["name"] for v in found] == ["Vendor dropped"]
        assert api.post("/vendors", json=_vendor("next")).status_code == 200


def test_drop_after_commit_on_delete_and_refused_writes(fresh: RunningSandbox) -> None:
    with api_client(fresh) as api:
        fresh.settings.fault_drop_after_commit_rate = 1.0
        refused = api.post("/vendors", json={"name": "x"})
        assert refused.status_code == 422  # nothing committed: answered normally
        with pytest.raises(httpx.TransportError):
            api.delete(f"/vendors/{ident('vendor:initech')}")
        fresh.settings.fault_drop_after_commit_rate = 0.0
        assert api.get(f"/vendors/{ident('vendor:initech')}").status_code == 404
        assert api.get("/business").status_code == 200


def test_admin_api_reads_log_and_changes_settings(fresh: RunningSandbox) -> None:
    admin = httpx.Client(base_url=fresh.base_url + "/_sandbox")
    with admin, api_client(fresh) as api:
        assert admin.delete("/requests").status_code == 204
        api.get("/vendors", params={"page_size": 3})
        [entry] = admin.get("/requests").json()
        assert (entry["method"], entry["path"], entry["query"], entry["status"]) == (
            "GET",
            "/developer/v1/vendors",
            "page_size=3",
            200,
        )
        patched = admin.patch(
            "/settings", json={"latency_ms": 5, "add_fault": {"kind": "5xx", "path": "*/business"}}
        )
        assert patched.json()["faults"] == [
            {"kind": "5xx", "method": "*", "path": "*/business", "count": 1}
        ]
        assert fresh.settings.latency_ms == 5
        assert api.get("/business").status_code == 500
        assert admin.get("/settings").json()["faults"] == []
        assert admin.patch("/settings", json={"nope": 1}).status_code == 422
        added = admin.post(
            "/clients",
            json={"client_id": "ci", "client_secret": "ci-secret", "scopes": ["vendors:read"]},
        )
        assert added.status_code == 201


def test_deeply_nested_json_is_a_422_not_a_500(api: httpx.Client) -> None:
    body = b"[" * 10_000 + b"]" * 10_000
    response = api.post("/vendors", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "nested deeper than" in response.text


def test_a_body_past_the_size_bound_is_413_without_being_read_whole(api: httpx.Client) -> None:
    from rampctl.sandbox.middleware import MAX_BODY_BYTES

    body = b'{"name": "' + b"x" * (MAX_BODY_BYTES + 1) + b'"}'
    declared = api.post("/vendors", content=body, headers={"content-type": "application/json"})
    assert declared.status_code == 413
    assert error_code(declared) == "DEVELOPER_7413"

    def chunks() -> Any:  # no content-length: counted while read
        yield body

    streamed = api.post("/vendors", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413


def test_the_request_log_keeps_only_the_latest_requests() -> None:
    from rampctl.sandbox.middleware import LoggedRequest, RequestLog

    log = RequestLog(limit=3)
    for n in range(5):
        log.add(
            LoggedRequest(
                method="GET", path=f"/{n}", query="", status=200, started_at=0, duration_ms=0
            )
        )
    assert [r.path for r in log.items()] == ["/2", "/3", "/4"]


def test_late_commit_answers_504_and_commits_later(fresh: RunningSandbox) -> None:
    fresh.settings.late_commit_ms = 200
    fresh.settings.faults.append(FaultRule(kind="late_commit", method="POST", path="*/vendors"))
    with api_client(fresh, get_token(fresh)) as api:
        answered = api.post("/vendors", json=_vendor("late-one"))
        assert answered.status_code == 504
        deadline = time.monotonic() + 10
        while not api.get("/vendors", params={"external_vendor_id": "late-one"}).json()["data"]:
            assert time.monotonic() < deadline, "the late commit never landed"
            time.sleep(0.05)
