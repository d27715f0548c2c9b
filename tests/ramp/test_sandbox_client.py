"""RampClient against the embedded sandbox: real HTTP, real pagination, faults, rate limits."""

from __future__ import annotations

import logging
import time
from typing import Any

import httpx
import pytest

from rampctl.errors import OutcomeUncertainError, RampError, RampScopeError
from rampctl.ramp.client import RampClient
from rampctl.ramp.models import ContactCreate, VendorCreate, VendorUpdate
from rampctl.ramp.scopes import READ_SCOPES
from tests.ramp.conftest import ALL_SCOPES, sandbox_config

VENDORS = "/developer/v1/vendors"
NO_ID = "00000000-0000-0000-0000-000000000000"
CANARY_SECRET = "canary-secret-5d1f0c"


def _log(sandbox: Any) -> list[Any]:
    """The sandbox's request log once it has settled (it is written just after answering)."""
    seen = sandbox.request_log()
    while True:
        time.sleep(0.03)
        now = sandbox.request_log()
        if len(now) == len(seen):
            return now
        seen = now


def _requests(sandbox: Any, method: str, path: str) -> list[Any]:
    return [r for r in _log(sandbox) if r.method == method and r.path == path]


def _new_vendor(client: RampClient, key: str) -> VendorCreate:
    owner = client.list_users(email="bob.martin@northwind.example")[0]
    return VendorCreate(
        name=f"Vendor {key}",
        country="US",
        state="NY",
        vendor_owner_id=owner.id,
        business_vendor_contacts=ContactCreate(email=f"{key}@example.com"),
        external_vendor_id=key,
    )


def test_demo_business_reads(client: RampClient) -> None:
    results = client.run_concurrently(
        {
            "users": client.list_users,
            "entities": client.list_entities,
            "vendors": client.list_vendors,
            "accounting": client.list_accounting_vendors,
            "connection": client.get_accounting_connection,
            "business": client.get_business,
        }
    )
    assert len(results["users"]) == 8
    assert {e.entity_name for e in results["entities"]} >= {"Northwind Labs, Inc."}
    assert len(results["vendors"]) == 5
    assert len(results["accounting"]) == 12
    assert results["connection"] is not None and results["connection"].is_active
    acme = client.list_vendors(external_vendor_id="acme-cloud")
    assert [v.name for v in acme] == ["Acme Cloud Inc."]
    assert not acme[0].is_deletable
    contacts = client.list_vendor_contacts(acme[0].id)
    assert [c.email for c in contacts] == ["ap@acme.example"]
    bills = client.list_bills(vendor_id=acme[0].id)
    assert sorted(b.invoice_number or "" for b in bills) == ["INV-1001", "INV-1002"]


def test_token_is_cached_and_renewed_once_after_revocation(sandbox: Any) -> None:
    with RampClient(sandbox_config(sandbox), scopes=READ_SCOPES) as client:
        client.list_users()
        client.list_entities()
        token = client._requester._tokens.current
        assert token is not None
        httpx.post(
            f"{sandbox.base_url}/developer/v1/token/revoke",
            auth=(sandbox.client_id, sandbox.client_secret),
            data={"token": token.value},
        )
        assert len(client.list_users()) == 8
    statuses = [r.status for r in _requests(sandbox, "GET", "/developer/v1/users")]
    assert statuses[-2:] == [401, 200] or statuses[-2:] == [404, 200]
    assert len(_requests(sandbox, "POST", "/developer/v1/token")) == 2


def test_missing_scope_is_named(sandbox: Any) -> None:
    sandbox.add_client("reader", "reader-secret-1", list(READ_SCOPES))
    config = sandbox_config(sandbox, client_id="reader", client_secret="reader-secret-1")
    with RampClient(config, scopes=ALL_SCOPES) as client, pytest.raises(RampScopeError) as info:
        client.delete_vendor(NO_ID)
    assert "vendors:write" in str(info.value)
    assert _requests(sandbox, "DELETE", f"{VENDORS}/{NO_ID}") == []


def test_multi_page_reads_with_filters() -> None:
    embedded = pytest.importorskip("rampctl.sandbox.embedded")
    with (
        embedded.running_sandbox(seed="250") as sandbox,
        RampClient(sandbox_config(sandbox), scopes=ALL_SCOPES) as client,
    ):
        everything = client.list_vendors()
        for vendor in everything[:3]:
            client.update_vendor(vendor.id, VendorUpdate(is_active=False))
        sandbox.clear_log()
        active = client.list_vendors(is_active=True)
        one = client.list_vendors(external_vendor_id=everything[117].external_vendor_id or "")
        pages = _requests(sandbox, "GET", VENDORS)
    assert len(everything) == 250
    assert len({v.id for v in everything}) == 250
    assert {v.id for v in active} == {v.id for v in everything[3:]}
    assert [v.id for v in one] == [everything[117].id]
    assert len(pages) == 3 + 1
    assert all("is_active=true" in p.query and "page_size=100" in p.query for p in pages[:3])


def test_get_is_retried_after_injected_5xx(sandbox: Any, client: RampClient) -> None:
    from rampctl.sandbox.settings import FaultRule

    sandbox.settings.faults.append(FaultRule(kind="5xx", method="GET", path=VENDORS, count=2))
    assert len(client.list_vendors()) == 5
    statuses = [r.status for r in _requests(sandbox, "GET", VENDORS)]
    assert len(statuses) == 3 and statuses[2] == 200
    assert all(status >= 500 for status in statuses[:2])


def test_post_is_not_resent_after_commit_then_drop(sandbox: Any, client: RampClient) -> None:
    from rampctl.sandbox.settings import FaultRule

    body = _new_vendor(client, "dropped-1")
    sandbox.settings.faults.append(
        FaultRule(kind="drop_after_commit", method="POST", path=VENDORS, count=1)
    )
    with pytest.raises(OutcomeUncertainError) as info:
        client.create_vendor(body)
    assert info.value.method == "POST"
    assert len(_requests(sandbox, "POST", VENDORS)) == 1
    assert [v.name for v in client.list_vendors(external_vendor_id="dropped-1")] == [
        "Vendor dropped-1"
    ]


def test_slow_post_times_out_as_uncertain(sandbox: Any) -> None:
    from rampctl.sandbox.settings import FaultRule

    sandbox.settings.slow_ms = 1500
    with RampClient(sandbox_config(sandbox, timeout_s=0.4), scopes=ALL_SCOPES) as client:
        body = _new_vendor(client, "slow-1")
        sandbox.settings.faults.append(FaultRule(kind="slow", method="POST", path=VENDORS))
        with pytest.raises(OutcomeUncertainError):
            client.create_vendor(body)
    assert len(_requests(sandbox, "POST", VENDORS)) <= 1


def test_429_pauses_the_whole_client_without_a_storm(
    sandbox: Any, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox.settings.rate_limit = 6
    sandbox.settings.rate_window_s = 1.0
    caplog.set_level(logging.WARNING, logger="rampctl")
    # the client believes Ramp allows 30 per second: it must learn better from the 429s
    config = sandbox_config(sandbox, concurrency=4, rate_limit=30, rate_window_s=1.0)
    with RampClient(config, scopes=READ_SCOPES) as client:
        calls = {f"read-{n}": client.list_users for n in range(16)}
        results = client.run_concurrently(calls)
    assert all(len(users) == 8 for users in results.values())
    log = _log(sandbox)
    limited = [r for r in log if r.status == 429]
    assert limited, "the sandbox limit should have been hit"
    assert len(limited) <= 12, f"request storm: {len(limited)} answers were 429"
    assert "pausing all requests" in caplog.text


def test_limiter_sized_to_the_limit_never_gets_429(sandbox: Any) -> None:
    sandbox.settings.rate_limit = 6
    sandbox.settings.rate_window_s = 0.5
    config = sandbox_config(sandbox, rate_limit=6, rate_window_s=0.5, concurrency=4)
    with RampClient(config, scopes=READ_SCOPES) as client:
        client.run_concurrently({f"read-{n}": client.list_entities for n in range(15)})
    assert [r for r in _log(sandbox) if r.status == 429] == []


def test_secrets_are_absent_from_errors_and_logs(
    sandbox: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from rampctl.sandbox.settings import FaultRule

    sandbox.add_client("canary-client", CANARY_SECRET, list(ALL_SCOPES))
    caplog.set_level(logging.DEBUG)
    config = sandbox_config(sandbox, client_id="canary-client", client_secret=CANARY_SECRET)
    texts: list[str] = []
    with RampClient(config, scopes=ALL_SCOPES) as client:
        body = _new_vendor(client, "canary-1")
        sandbox.settings.faults.append(
            FaultRule(kind="drop_after_commit", method="POST", path=VENDORS)
        )
        for call in (
            lambda: client.create_vendor(body),
            lambda: client.get_vendor("no-such-vendor"),
            lambda: client.create_vendor(body.model_copy(update={"country": ""})),
        ):
            with pytest.raises(RampError) as info:
                call()
            texts += [str(info.value), repr(info.value)]
        token = client._requester._tokens.current
    assert token is not None
    everything = "\n".join([*texts, caplog.text, repr(config)])
    assert CANARY_SECRET not in everything
    assert token.value not in everything


def test_bad_credentials_name_the_variables(sandbox: Any) -> None:
    config = sandbox_config(sandbox, client_secret="wrong-secret-123")
    with RampClient(config, scopes=READ_SCOPES) as client, pytest.raises(RampError) as info:
        client.list_users()
    assert "RAMP_CLIENT_SECRET" in str(info.value)
    assert "wrong-secret-123" not in str(info.value)
