"""The scope each endpoint needs, and the scope sets commands ask for."""

from __future__ import annotations

import pytest

from rampctl.ramp.scopes import READ_SCOPES, WRITE_SCOPES, scope_for, scopes_for_writes


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("GET", "/business", "business:read"),
        ("GET", "/users", "users:read"),
        ("GET", "/entities/e1", "entities:read"),
        ("GET", "/vendors/v1/contacts", "vendors:read"),
        ("GET", "/vendors/v1/accounts", "vendors:read"),
        ("POST", "/vendors", "vendors:write"),
        ("PATCH", "/vendors/v1", "vendors:write"),
        ("DELETE", "/vendors/v1", "vendors:write"),
        ("GET", "/accounting/connection", "accounting:read"),
        ("POST", "/accounting/vendors", "accounting:write"),
        ("GET", "/bills/b1", "bills:read"),
        ("DELETE", "/bills/b1", "bills:write"),
        ("POST", "/token", None),
        ("POST", "/users/deferred", "users:write"),
        ("GET", "/users/deferred/status/t1", "users:write"),
        ("PATCH", "/users/u1", "users:write"),
        ("PATCH", "/users/u1/deactivate", "users:write"),
        ("PATCH", "/users/u1/reactivate", "users:write"),
        ("POST", "/vendors/v1/contacts", "vendors:write"),
        ("GET", "/accounting/all-connections", "accounting:read"),
    ],
)
def test_scope_for_matches_the_spec(method: str, path: str, scope: str | None) -> None:
    assert scope_for(method, path) == scope


def test_reads_never_ask_for_write_scopes() -> None:
    assert not any(s.endswith(":write") for s in READ_SCOPES)
    assert all(s.endswith(":write") for s in WRITE_SCOPES)


def test_apply_adds_only_the_write_scopes_it_uses() -> None:
    assert scopes_for_writes({"vendors"}) == (*READ_SCOPES, "vendors:write")
    assert scopes_for_writes({"users"}) == (*READ_SCOPES, "users:write")


def test_scope_for_agrees_with_every_operation_of_the_spec() -> None:
    from tests.ramp.openapi_check import spec

    checked = 0
    for template, item in spec()["paths"].items():
        path = template.removeprefix("/developer/v1")
        for method, operation in item.items():
            if method == "parameters" or not isinstance(operation, dict):
                continue
            needed = [s for sec in operation.get("security", []) for s in sec.get("oauth2", [])]
            assert scope_for(method, path) == (needed[0] if needed else None), (method, path)
            checked += 1
    assert checked >= 20
