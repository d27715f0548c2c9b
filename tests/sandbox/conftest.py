"""Fixtures for the sandbox tests: a running in-memory demo sandbox and authorised clients."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from rampctl.sandbox.auth import IN_SCOPE_SCOPES
from rampctl.sandbox.embedded import RunningSandbox, running_sandbox

API = "/developer/v1"


def get_token(sandbox: RunningSandbox, scopes: tuple[str, ...] = IN_SCOPE_SCOPES) -> str:
    """A fresh access token of the default client with `scopes`."""
    response = httpx.post(
        sandbox.base_url + API + "/token",
        auth=(sandbox.client_id, sandbox.client_secret),
        data={"grant_type": "client_credentials", "scope": " ".join(scopes)},
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def api_client(sandbox: RunningSandbox, token: str | None = None) -> httpx.Client:
    """An httpx client on the sandbox API prefix, with a bearer token."""
    headers = {"Authorization": f"Bearer {token or get_token(sandbox)}"}
    return httpx.Client(base_url=sandbox.base_url + API, headers=headers, timeout=10)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    """An in-memory demo sandbox shared by one test module."""
    with running_sandbox(seed="demo") as running:
        yield running


@pytest.fixture(scope="module")
def api(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    """A client with every in-scope scope, on the module's sandbox."""
    with api_client(sandbox) as client:
        yield client


@pytest.fixture
def fresh() -> Iterator[RunningSandbox]:
    """A new in-memory demo sandbox for one test (for tests that change settings or data)."""
    with running_sandbox(seed="demo") as running:
        yield running


def assert_conforms(response: httpx.Response, method: str, template: str) -> None:
    """The response's body fits the OpenAPI response schema for its status."""
    from rampctl.sandbox import spec

    schema = spec.response_schema(method, template, response.status_code)
    assert schema is not None, f"undocumented {response.status_code} for {method} {template}"
    assert spec.errors_of(schema, response.json()) == {}
    assert response.headers["x-trace-id"]


def error_code(response: httpx.Response) -> str:
    """The error_v2 code of an error response."""
    return str(response.json()["error_v2"]["error_code"])
