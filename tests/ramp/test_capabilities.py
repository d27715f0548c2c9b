"""The external_vendor_id capability probe, against the sandbox in both API versions."""

from __future__ import annotations

import time
from typing import Any

import pytest

from rampctl.ramp.capabilities import ExternalIdSupport, probe_external_vendor_id
from rampctl.ramp.client import RampClient
from rampctl.sandbox.embedded import running_sandbox
from tests.ramp.conftest import ALL_SCOPES, sandbox_config


def test_the_2026_api_returns_and_filters(client: RampClient) -> None:
    support = probe_external_vendor_id(client)
    assert support == ExternalIdSupport(returned=True, filtered=True)
    assert support.supported and support.known
    assert support.describe() == "external_vendor_id returned and filterable"


def test_the_2025_api_does_neither(sandbox: Any, client: RampClient) -> None:
    sandbox.settings.api_version = "2025"
    support = probe_external_vendor_id(client)
    assert support == ExternalIdSupport(returned=False, filtered=False)
    assert support.known and not support.supported
    assert support.describe() == "external_vendor_id not returned nor filtered by this Ramp"


def test_the_probe_reads_one_page_and_writes_nothing(sandbox: Any, client: RampClient) -> None:
    sandbox.settings.api_version = "2025"
    sandbox.clear_log()
    probe_external_vendor_id(client)
    assert _settled_log(sandbox) == [("GET", "/developer/v1/vendors")]


def _settled_log(sandbox: Any) -> list[tuple[str, str]]:
    """The API requests logged (token requests aside), once the log stops growing."""
    seen: list[tuple[str, str]] | None = None
    while True:
        now = [(r.method, r.path) for r in sandbox.request_log() if not r.path.endswith("/token")]
        if now == seen:
            return now
        seen = now
        time.sleep(0.03)


@pytest.mark.parametrize("api_version", ["2025", "2026"])
def test_a_business_without_vendors_cannot_tell(api_version: str) -> None:
    with running_sandbox(seed="empty") as empty:
        empty.settings.api_version = api_version  # type: ignore[assignment]
        with RampClient(sandbox_config(empty), scopes=ALL_SCOPES) as client:
            support = probe_external_vendor_id(client)
    assert support == ExternalIdSupport(returned=None, filtered=None)
    assert not support.known and not support.supported
    assert "unknown" in support.describe()


def test_filtered_but_not_returned_is_not_supported() -> None:
    support = ExternalIdSupport(returned=False, filtered=True)
    assert not support.supported
    assert support.describe() == "external_vendor_id not returned by this Ramp"
