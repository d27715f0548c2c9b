"""SandboxSettings: JSON round trip, validated updates, one-shot fault rules."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from rampctl.sandbox.embedded import RunningSandbox
from rampctl.sandbox.settings import FaultRule, SandboxSettings


def test_update_and_json() -> None:
    settings = SandboxSettings()
    settings.update(
        {
            "latency_ms": "12",
            "rate_limit": 7,
            "invalid_scope_mode": "subset",
            "add_fault": {"kind": "slow", "method": "post", "path": "/x*"},
        }
    )
    data = settings.to_json()
    assert (data["latency_ms"], data["rate_limit"], data["invalid_scope_mode"]) == (
        12.0,
        7,
        "subset",
    )
    assert data["faults"] == [{"kind": "slow", "method": "POST", "path": "/x*", "count": 1}]


@pytest.mark.parametrize(
    "changes",
    [
        {"nope": 1},
        {"unknown_token_status": 500},
        {"add_fault": {"kind": "fire"}},
        {"invalid_scope_mode": "maybe"},
        {"add_fault": {"kind": "5xx", "count": 0}},
        {"api_version": "2024"},
        {"api_version": 2025},
        {"contact_approval": "later"},
        {"vendor_update_approval": True},
        {"invite_task_steps": -1},
        {"absent_endpoints": "GET /accounting/all-connections"},
        {"absent_endpoints": ["/accounting/all-connections"]},
    ],
)
def test_bad_updates_change_nothing(changes: dict[str, object]) -> None:
    settings = SandboxSettings()
    with pytest.raises((ValueError, TypeError)):
        settings.update({"latency_ms": 3, **changes})
    assert settings.latency_ms == 0


def test_rules_match_method_and_path_and_run_out() -> None:
    settings = SandboxSettings(faults=[FaultRule(kind="5xx", method="GET", path="/v/*", count=2)])
    assert settings.take_fault("POST", "/v/1") is None
    assert settings.take_fault("GET", "/w") is None
    assert [settings.take_fault("GET", "/v/1") for _ in range(3)] == ["5xx", "5xx", None]


def test_fidelity_settings_round_trip() -> None:
    settings = SandboxSettings()
    assert (settings.api_version, settings.has_external_vendor_id) == ("2026", True)
    settings.update(
        {
            "api_version": "2025",
            "contact_approval": "pending_approval",
            "vendor_update_approval": "pending_approval",
            "invite_task_steps": "0",
            "absent_endpoints": ["get  /accounting/all-connections"],
        }
    )
    data = settings.to_json()
    assert {k: data[k] for k in ("api_version", "contact_approval", "invite_task_steps")} == {
        "api_version": "2025",
        "contact_approval": "pending_approval",
        "invite_task_steps": 0,
    }
    assert data["absent_endpoints"] == ["GET /accounting/all-connections"]
    assert settings.is_absent("GET", "/accounting/all-connections")
    assert settings.is_absent("POST", "/vendors/{vendor_id}/contacts")  # not in 2025
    assert not settings.has_external_vendor_id
    settings.update({"api_version": "2026"})
    assert not settings.is_absent("POST", "/vendors/{vendor_id}/contacts")


@pytest.mark.parametrize(
    "change",
    [
        {"latency_ms": "inf"},
        {"latency_ms": float("nan")},
        {"latency_ms": -1},
        {"rate_limit": -5},
        {"rate_limit": 2.5},
        {"rate_limit": True},
        {"fault_5xx_rate": 1.5},
        {"late_commit_ms": "soon"},
        {"reject_unknown_fields": "no"},
        {"fault_seed": "x"},
        {"add_fault": {"kind": "5xx", "count": 0}},
    ],
)
def test_invalid_settings_are_refused(change: dict[str, Any]) -> None:
    settings = SandboxSettings()
    before = settings.to_json()
    with pytest.raises((ValueError, TypeError)):
        settings.update(change)
    assert settings.to_json() == before


def test_invalid_settings_over_http_are_a_422(fresh: RunningSandbox) -> None:
    url = f"{fresh.base_url}/_sandbox/settings"
    for change in ({"latency_ms": "inf"}, {"rate_limit": -5}):
        response = httpx.patch(url, json=change)
        assert response.status_code == 422, response.text
    assert httpx.get(url).json()["rate_limit"] == 200
