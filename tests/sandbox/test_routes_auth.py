"""Tokens and scopes: client credentials, invalid scopes, bad tokens, missing scopes, revoke."""

from __future__ import annotations

import httpx

from rampctl.sandbox.embedded import RunningSandbox
from tests.sandbox.conftest import API, api_client, assert_conforms, error_code, get_token


def _token(
    sandbox: RunningSandbox, data: dict[str, str], auth: tuple[str, str] | None = None
) -> httpx.Response:
    return httpx.post(
        sandbox.base_url + API + "/token",
        auth=auth or (sandbox.client_id, sandbox.client_secret),
        data=data,
    )


def test_client_credentials_token(sandbox: RunningSandbox) -> None:
    response = _token(
        sandbox, {"grant_type": "client_credentials", "scope": "vendors:read bills:read"}
    )
    assert response.status_code == 200
    assert_conforms(response, "POST", "/token")
    body = response.json()
    assert body["access_token"].startswith("ramp_tok_")
    assert (body["token_type"], body["expires_in"], body["scope"]) == (
        "Bearer",
        864000,
        "bills:read vendors:read",
    )


def test_json_body_is_accepted_too(sandbox: RunningSandbox) -> None:
    response = httpx.post(
        sandbox.base_url + API + "/token",
        auth=(sandbox.client_id, sandbox.client_secret),
        json={"grant_type": "client_credentials", "scope": "vendors:read"},
    )
    assert response.status_code == 200


def test_bad_secret_is_invalid_client(sandbox: RunningSandbox) -> None:
    response = _token(
        sandbox,
        {"grant_type": "client_credentials", "scope": "vendors:read"},
        auth=(sandbox.client_id, "wrong"),
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert error_code(response) == "DEVELOPER_7000"


def test_scope_is_required(sandbox: RunningSandbox) -> None:
    response = _token(sandbox, {"grant_type": "client_credentials"})
    assert response.status_code == 400
    assert response.json()["error_v2"]["additional_info"] == {
        "scope": ["Missing data for required field."]
    }


def test_other_grants_are_not_enabled(sandbox: RunningSandbox) -> None:
    response = _token(sandbox, {"grant_type": "authorization_code", "scope": "vendors:read"})
    assert (response.status_code, response.json()["error"]) == (400, "unauthorized_client")


def test_invalid_scope_rejected_or_subset(fresh: RunningSandbox) -> None:
    fresh.add_client("narrow", "narrow-secret", ["vendors:read"])
    asked = {"grant_type": "client_credentials", "scope": "vendors:read vendors:write"}
    rejected = _token(fresh, asked, auth=("narrow", "narrow-secret"))
    assert (rejected.status_code, rejected.json()["error"]) == (400, "invalid_scope")
    fresh.settings.invalid_scope_mode = "subset"
    granted = _token(fresh, asked, auth=("narrow", "narrow-secret"))
    assert granted.status_code == 200
    assert granted.json()["scope"] == "vendors:read"


def test_missing_and_unknown_tokens(fresh: RunningSandbox) -> None:
    url = fresh.base_url + API + "/vendors"
    missing = httpx.get(url)
    assert (missing.status_code, error_code(missing)) == (401, "DEVELOPER_7000")
    unknown = httpx.get(url, headers={"Authorization": "Bearer ramp_tok_nope"})
    assert (unknown.status_code, error_code(unknown)) == (401, "DEVELOPER_7000")
    fresh.settings.unknown_token_status = 404
    unknown = httpx.get(url, headers={"Authorization": "Bearer ramp_tok_nope"})
    assert (unknown.status_code, error_code(unknown)) == (404, "DEVELOPER_7002")


def test_missing_scope_is_403(sandbox: RunningSandbox) -> None:
    with api_client(sandbox, get_token(sandbox, ("vendors:read",))) as api:
        assert api.get("/vendors").status_code == 200
        response = api.post("/vendors", json={})
        assert (response.status_code, error_code(response)) == (403, "DEVELOPER_7100")
        assert "vendors:write" in response.json()["error_v2"]["message"]
        assert api.get("/bills").status_code == 403


def test_revoked_token_stops_working(sandbox: RunningSandbox) -> None:
    token = get_token(sandbox)
    with api_client(sandbox, token) as api:
        assert api.get("/business").status_code == 200
        revoke = httpx.post(
            sandbox.base_url + API + "/token/revoke",
            auth=(sandbox.client_id, sandbox.client_secret),
            data={"token": token},
        )
        assert revoke.status_code == 200
        assert api.get("/business").status_code == 401
