"""`POST /token` and `POST /token/revoke`: OAuth2 client credentials, as Ramp serves them.

The body is form-encoded (as Ramp's guide and every client send it); JSON is also accepted,
since Ramp's OpenAPI document labels it so. The client app authenticates with Basic auth.
"""

from __future__ import annotations

from rampctl.sandbox import auth, spec
from rampctl.sandbox.api import Ctx, Endpoint, Reply
from rampctl.sandbox.problems import VALIDATION, ApiProblem


def token(ctx: Ctx) -> Reply:
    """Issue an access token for the client credentials grant."""
    client = auth.authenticate_client(ctx.store, ctx.headers.get("authorization"))
    body = ctx.body if isinstance(ctx.body, dict) else {}
    spec.validate_body("POST", "/token", body, reject_unknown=False)
    grant_type = body.get("grant_type")
    if grant_type != "client_credentials":
        raise ApiProblem(
            400,
            VALIDATION,
            f"grant type {grant_type} is not enabled for this app",
            oauth_error="unauthorized_client",
        )
    asked = str(body.get("scope") or "").split()
    if not asked:
        raise ApiProblem(
            400,
            VALIDATION,
            "scope is required for the client_credentials grant",
            additional_info={"scope": ["Missing data for required field."]},
            oauth_error="invalid_request",
        )
    granted = _granted(ctx, set(asked), set(client["scopes"]))
    access = auth.issue_token(ctx.store, str(client["client_id"]), granted)
    return Reply(
        body={
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": auth.TOKEN_LIFETIME_S,
            "scope": " ".join(sorted(granted)),
        },
        headers={"cache-control": "no-store"},
    )


def _granted(ctx: Ctx, asked: set[str], allowed: set[str]) -> set[str]:
    granted = asked & allowed
    refused = sorted(asked - allowed)
    if refused and (ctx.settings.invalid_scope_mode == "reject" or not granted):
        raise ApiProblem(
            400,
            VALIDATION,
            f"scope not allowed for this app: {' '.join(refused)}",
            additional_info={"scope": [f"Not allowed: {' '.join(refused)}"]},
            oauth_error="invalid_scope",
        )
    return granted


def revoke(ctx: Ctx) -> Reply:
    """Revoke an access token of the authenticated client."""
    client = auth.authenticate_client(ctx.store, ctx.headers.get("authorization"))
    body = ctx.body if isinstance(ctx.body, dict) else {}
    spec.validate_body("POST", "/token/revoke", body, reject_unknown=False)
    auth.revoke_token(ctx.store, str(client["client_id"]), str(body["token"]))
    return Reply(status=200, body=None)


ENDPOINTS = [
    Endpoint(method="POST", template="/token", scope=None, handler=token, validate_body=False),
    Endpoint(
        method="POST", template="/token/revoke", scope=None, handler=revoke, validate_body=False
    ),
]
