"""RampClient against a scripted fake Ramp: tokens, scopes, retries, uncertainty, errors."""

from __future__ import annotations

import json
import logging
import re

import httpx
import pytest

from rampctl.errors import (
    OutcomeUncertainError,
    RampAuthError,
    RampError,
    RampNotFoundError,
    RampScopeError,
    RampWaitTooLongError,
)
from rampctl.ramp.client import RampClient
from rampctl.ramp.limiter import Priority, priority
from rampctl.ramp.models import ContactCreate, VendorCreate, VendorUpdate
from rampctl.ramp.scopes import READ_SCOPES, WRITE_SCOPES
from tests.ramp.fake_ramp import (
    CLIENT_SECRET,
    FakeRamp,
    RecordingLimiter,
    config,
    error,
    vendor,
)

ALL = READ_SCOPES + WRITE_SCOPES
NEW_VENDOR = VendorCreate(
    name="Acme",
    country="US",
    vendor_owner_id="11111111-1111-1111-1111-111111111111",
    business_vendor_contacts=ContactCreate(email="ap@acme.example"),
    external_vendor_id="acme",
)


def make(fake: FakeRamp, scopes: tuple[str, ...] = ALL, **overrides: object) -> RampClient:
    return RampClient(config(**overrides), scopes=scopes, transport=fake.transport())


def test_token_is_fetched_once_and_reused() -> None:
    fake = FakeRamp(lists={"/users": [], "/entities": []})
    with make(fake) as client:
        client.list_users()
        client.list_entities()
        client.list_users(email="a@b.example")
    assert len(fake.sent("POST", "/token")) == 1
    assert client.request_count == 4
    assert client.token_request_count == 1


def test_token_request_asks_for_the_given_scopes_with_basic_auth() -> None:
    fake = FakeRamp(lists={"/users": []})
    with make(fake, scopes=READ_SCOPES) as client:
        client.list_users()
    token_request = fake.sent("POST", "/token")[0]
    assert token_request.headers["authorization"].startswith("Basic ")
    body = dict(httpx.QueryParams(token_request.content.decode()))
    assert body["grant_type"] == "client_credentials"
    assert set(body["scope"].split()) == set(READ_SCOPES)
    bearer = fake.sent("GET", "/users")[0].headers["authorization"]
    assert bearer == f"Bearer {fake.tokens[0]}"


def test_401_fetches_one_new_token_and_repeats_the_request() -> None:
    fake = FakeRamp(lists={"/users": []})
    fake.script("GET", "/users", error(401, "DEVELOPER_7000", "token expired"))
    with make(fake) as client:
        assert client.list_users() == []
    users = fake.sent("GET", "/users")
    assert len(fake.tokens) == 2
    assert users[1].headers["authorization"] == f"Bearer {fake.tokens[1]}"


def test_unknown_token_404_counts_as_a_bad_token() -> None:
    fake = FakeRamp(lists={"/users": []})
    fake.script("GET", "/users", error(404, "DEVELOPER_7002", "unknown token"))
    with make(fake) as client:
        client.list_users()
    assert len(fake.tokens) == 2


def test_second_401_is_an_auth_error() -> None:
    fake = FakeRamp()
    bad = error(401, "DEVELOPER_7000", "no")
    fake.script("GET", "/business", bad, bad, bad)
    with make(fake) as client, pytest.raises(RampAuthError) as info:
        client.get_business()
    assert len(fake.sent("GET", "/business")) == 2
    assert info.value.status == 401


def test_refused_credentials_name_the_variables() -> None:
    fake = FakeRamp()
    fake.script(
        "POST",
        "/token",
        httpx.Response(401, json={"error": "invalid_client", "error_description": "bad client"}),
    )
    with make(fake) as client, pytest.raises(RampAuthError) as info:
        client.get_business()
    assert "RAMP_CLIENT_SECRET" in str(info.value)
    assert CLIENT_SECRET not in str(info.value)


def test_403_names_the_missing_scope() -> None:
    fake = FakeRamp()
    fake.script("POST", "/vendors", error(403, "DEVELOPER_7100", "forbidden"))
    with make(fake) as client, pytest.raises(RampScopeError) as info:
        client.create_vendor(NEW_VENDOR)
    assert "vendors:write" in str(info.value)
    assert info.value.error_code == "DEVELOPER_7100"
    assert info.value.trace_id == "trace-123"


def test_write_without_requested_write_scope_is_refused_before_sending() -> None:
    fake = FakeRamp()
    with make(fake, scopes=READ_SCOPES) as client, pytest.raises(RampScopeError) as info:
        client.delete_vendor("v1")
    assert "vendors:write" in str(info.value)
    assert fake.requests == []


def test_scope_not_granted_is_reported_without_sending() -> None:
    fake = FakeRamp(scope=" ".join(READ_SCOPES))
    with make(fake) as client, pytest.raises(RampScopeError) as info:
        client.update_vendor("v1", VendorUpdate(description="x"))
    assert "vendors:write" in str(info.value)
    assert fake.sent("PATCH", "/vendors/v1") == []


def test_get_is_retried_after_5xx_and_timeouts() -> None:
    fake = FakeRamp()
    ok = httpx.Response(200, json=vendor(1))
    fake.script("GET", "/vendors/v1", error(502, "X", "bad gateway"), httpx.ReadTimeout("slow"), ok)
    with make(fake) as client:
        assert client.get_vendor("v1").name == "Vendor 1"
    assert len(fake.sent("GET", "/vendors/v1")) == 3


def test_get_retries_are_bounded() -> None:
    fake = FakeRamp()
    fake.script("GET", "/vendors/v1", *[error(500, "X", "down") for _ in range(500)])
    with make(fake, max_retry_s=0.3) as client, pytest.raises(RampError) as info:
        client.get_vendor("v1")
    assert info.value.status == 500
    assert 2 <= len(fake.sent("GET", "/vendors/v1")) < 100


@pytest.mark.parametrize(
    "failure",
    [error(500, "X", "boom"), httpx.ReadTimeout("t"), httpx.RemoteProtocolError("reset")],
)
def test_post_is_not_resent_after_an_ambiguous_failure(failure: object) -> None:
    fake = FakeRamp()
    fake.script("POST", "/vendors", failure, httpx.Response(200, json=vendor(2)))  # type: ignore[arg-type]
    with make(fake) as client, pytest.raises(OutcomeUncertainError) as info:
        client.create_vendor(NEW_VENDOR)
    assert len(fake.sent("POST", "/vendors")) == 1
    assert info.value.method == "POST"
    assert info.value.path == "/developer/v1/vendors"


def test_patch_is_not_resent_after_a_timeout() -> None:
    fake = FakeRamp()
    fake.script(
        "PATCH", "/vendors/v1", httpx.WriteTimeout("t"), httpx.Response(200, json=vendor(1))
    )
    with make(fake) as client, pytest.raises(OutcomeUncertainError):
        client.update_vendor("v1", VendorUpdate(is_active=False))
    assert len(fake.sent("PATCH", "/vendors/v1")) == 1


def test_post_is_resent_when_nothing_was_sent() -> None:
    fake = FakeRamp()
    fake.script(
        "POST", "/vendors", httpx.ConnectError("refused"), httpx.Response(200, json=vendor(3))
    )
    with make(fake) as client:
        assert client.create_vendor(NEW_VENDOR).name == "Vendor 3"
    assert len(fake.sent("POST", "/vendors")) == 2


def test_delete_repeated_after_ambiguous_failure_accepts_404() -> None:
    fake = FakeRamp()
    fake.script(
        "DELETE", "/vendors/v1", httpx.ReadTimeout("t"), error(404, "DEVELOPER_404", "not found")
    )
    with make(fake) as client:
        client.delete_vendor("v1")
    assert len(fake.sent("DELETE", "/vendors/v1")) == 2


def test_plain_404_is_not_found() -> None:
    fake = FakeRamp()
    fake.script("DELETE", "/vendors/v1", error(404, "DEVELOPER_404", "not found"))
    with make(fake) as client, pytest.raises(RampNotFoundError):
        client.delete_vendor("v1")


def test_4xx_is_not_retried_and_carries_ramp_details() -> None:
    fake = FakeRamp()
    fake.script("POST", "/vendors", error(422, "DEVELOPER_7001", "country is invalid"))
    with make(fake) as client, pytest.raises(RampError) as info:
        client.create_vendor(NEW_VENDOR)
    text = str(info.value)
    for part in (
        "POST",
        "/developer/v1/vendors",
        "422",
        "DEVELOPER_7001",
        "country is invalid",
        "trace-123",
    ):
        assert part in text
    assert len(fake.sent("POST", "/vendors")) == 1


def test_429_pauses_then_resends_and_logs_the_pause(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeRamp()
    fake.script(
        "POST",
        "/vendors",
        error(429, "RATE", "slow down", **{"Retry-After": "0.2"}),
        httpx.Response(200, json=vendor(4)),
    )
    caplog.set_level(logging.WARNING, logger="rampctl")
    with make(fake) as client:
        assert client.create_vendor(NEW_VENDOR).name == "Vendor 4"
    assert "pausing all requests for 0.2 s" in caplog.text
    assert len(fake.sent("POST", "/vendors")) == 2


def test_secrets_never_reach_errors_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeRamp()
    caplog.set_level(logging.DEBUG)

    def echo_token(request: httpx.Request) -> httpx.Response:
        auth = request.headers["authorization"]
        return error(400, "X", f"bad request with {auth} and {CLIENT_SECRET}")

    fake.script("GET", "/business", echo_token)
    with make(fake) as client, pytest.raises(RampError) as info:
        client.get_business()
    text = str(info.value) + repr(info.value) + caplog.text + repr(client.config)
    assert fake.tokens and fake.tokens[0] not in text
    assert CLIENT_SECRET not in text


def test_run_concurrently_returns_every_result_and_raises_the_first_error() -> None:
    fake = FakeRamp(lists={"/users": [], "/entities": [], "/vendors": [vendor(1)]})
    with make(fake) as client:
        results = client.run_concurrently(
            {
                "users": client.list_users,
                "entities": client.list_entities,
                "vendors": client.list_vendors,
            }
        )
        assert results["vendors"][0].name == "Vendor 1"
        assert results["users"] == []
        fake.script("GET", "/business", error(400, "X", "nope"))
        with pytest.raises(RampError, match="nope"):
            client.run_concurrently({"b": client.get_business, "u": client.list_users})


def test_clients_sharing_a_limiter_share_its_pause_and_lowered_limit() -> None:
    """Ramp counts every request of one set of credentials against one limit: a second
    client handed the first one's limiter (apply's writer, beside its reader) is held by it."""
    fake = FakeRamp(lists={"/users": []})
    fake.script(
        "POST",
        "/vendors",
        error(429, "RATE", "slow down", **{"Retry-After": "0.05"}),
        httpx.Response(200, json=vendor(4)),
    )
    with make(fake, rate_limit=50) as reader:
        reader.list_users()
        shared = reader.limiter
        with RampClient(
            reader.config, scopes=ALL, transport=fake.transport(), limiter=shared
        ) as writer:
            assert writer.limiter is shared
            writer.create_vendor(NEW_VENDOR)
    assert shared.limit < 50  # the writer's 429 lowered the limit the reader uses too
    assert len(fake.sent("POST", "/vendors")) == 2


def test_listed_items_with_the_same_fields_share_one_fields_set() -> None:
    """A long list holds one fields-set per shape, not one per item (half a vendor's size)."""
    fake = FakeRamp(lists={"/vendors": [vendor(1), vendor(2), {**vendor(3), "state": "CA"}]})
    with make(fake) as client:
        first, second, third = client.list_vendors()
    assert first.model_fields_set is second.model_fields_set
    assert third.model_fields_set == first.model_fields_set | {"state"}
    changed = first.model_copy(update={"description": "Changed"})
    assert "description" in changed.model_fields_set
    assert second.model_fields_set == first.model_fields_set
    assert "description" not in second.model_fields_set


def test_a_429_on_the_token_request_backs_off_and_keeps_the_limit(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The token request is limited like any other: Ramp's back-off (here 0.1 s, 0.2 s,
    0.4 s...) capped at one window (0.3 s); alone in the window, it lowers no limit."""
    fake = FakeRamp(lists={"/users": []})
    fake.script(
        "POST",
        "/token",
        error(429, "RATE", "slow down"),
        error(429, "RATE", "slow down"),
        error(429, "RATE", "slow down"),
    )
    caplog.set_level(logging.WARNING, logger="rampctl")
    with make(fake, backoff_429_s=0.1, rate_window_s=0.3, rate_limit=50) as client:
        assert client.list_users() == []
        assert client.limiter.limit == 50
    pauses = re.findall(r"pausing all requests for ([\d.]+) s", caplog.text)
    assert pauses == ["0.1", "0.2", "0.3"]
    assert len(fake.sent("POST", "/token")) == 4


def test_a_retry_after_too_long_to_wait_out_stops_the_client_naming_the_wait() -> None:
    fake = FakeRamp(lists={"/users": []})
    fake.script("GET", "/users", error(429, "RATE", "slow down", **{"Retry-After": "3600"}))
    with make(fake) as client:
        with pytest.raises(RampWaitTooLongError) as stopped:
            client.list_users()
        assert str(stopped.value).startswith(
            "GET /developer/v1/users: Ramp asked rampctl to wait 3600 s before its next "
            "request (Retry-After), longer than a run waits (120 s); nothing more was sent."
        )
        with pytest.raises(RampWaitTooLongError) as later:
            client.get_business()
        assert str(later.value).startswith("GET /developer/v1/business: Ramp asked rampctl")
    assert len(fake.sent("GET", "/users")) == 1
    assert fake.sent("GET", "/business") == []


def test_the_token_request_goes_as_critical_whatever_the_callers_class() -> None:
    """Every request waits for the token: it is never paced behind a critical reader."""
    fake = FakeRamp(lists={"/users": []})
    limiter = RecordingLimiter()
    with (
        RampClient(config(), scopes=ALL, transport=fake.transport(), limiter=limiter) as client,
        priority(Priority.BACKGROUND),
    ):
        client.list_users()
    assert limiter.levels == [Priority.CRITICAL, Priority.BACKGROUND]


def _with_nan(body: dict[str, object]) -> httpx.Response:
    content = json.dumps({**body, "total_spend_ytd": {"amount": float("nan")}}).encode()
    return httpx.Response(200, content=content, headers={"x-trace-id": "trace-9"})


def test_a_read_answered_with_nan_is_refused_naming_the_request_only() -> None:
    fake = FakeRamp(lists={"/vendors": [vendor(1, total=float("inf"), name="Secret Co")]})
    fake.script("GET", "/vendors/v1", _with_nan(vendor(2, name="Secret Co")))
    with make(fake) as client:
        for read in (client.list_vendors, lambda: client.get_vendor("v1")):
            with pytest.raises(RampError, match="holds NaN or Infinity") as refused:
                read()
            assert not isinstance(refused.value, OutcomeUncertainError)
            assert "Secret" not in str(refused.value)


def test_a_write_answered_with_nan_is_uncertain() -> None:
    fake = FakeRamp()
    fake.script("POST", "/vendors", _with_nan(vendor(1)))
    with make(fake) as client, pytest.raises(OutcomeUncertainError) as uncertain:
        client.create_vendor(NEW_VENDOR)
    assert str(uncertain.value).startswith(
        "POST /developer/v1/vendors: Ramp's answer holds NaN or Infinity"
    )
    assert len(fake.sent("POST", "/vendors")) == 1  # never resent
