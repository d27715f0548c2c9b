"""Fixtures for client tests against the embedded sandbox (a real HTTP server on loopback)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from rampctl.ramp.client import RampClient
from rampctl.ramp.config import ClientConfig
from rampctl.ramp.scopes import READ_SCOPES, WRITE_SCOPES

ALL_SCOPES = READ_SCOPES + WRITE_SCOPES


@pytest.fixture
def sandbox() -> Iterator[Any]:
    """A demo-seeded sandbox, started for one test."""
    embedded = pytest.importorskip("rampctl.sandbox.embedded", reason="sandbox not built yet")
    with embedded.running_sandbox(seed="demo") as running:
        yield running


def sandbox_config(running: Any, **overrides: Any) -> ClientConfig:
    """A ClientConfig for `running` with short waits, so tests stay fast."""
    values: dict[str, Any] = {
        "base_url": running.base_url,
        "client_id": running.client_id,
        "client_secret": running.client_secret,
        "max_retry_s": 10.0,
        "retry_wait_initial_s": 0.02,
        "retry_wait_max_s": 0.2,
        "backoff_429_s": 0.2,
    }
    values.update(overrides)
    return ClientConfig(**values)


@pytest.fixture
def client(sandbox: Any) -> Iterator[RampClient]:
    """A client with every scope rampctl uses, against the sandbox."""
    with RampClient(sandbox_config(sandbox), scopes=ALL_SCOPES) as ramp:
        yield ramp
