"""Client apps and access tokens of the sandbox (OAuth2 client credentials, as Ramp does).

Client apps and tokens live in the store, so a data file keeps them across runs. Tokens are
opaque `ramp_tok_...` strings, valid 10 days, bound to the scopes granted at issue.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rampctl.sandbox.problems import MISSING_SCOPE, UNAUTHORIZED, UNKNOWN_TOKEN, ApiProblem
from rampctl.sandbox.store import Store

TOKEN_LIFETIME_S = 864000
IN_SCOPE_SCOPES: tuple[str, ...] = (
    "accounting:read",
    "accounting:write",
    "bills:read",
    "bills:write",
    "business:read",
    "departments:read",
    "entities:read",
    "locations:read",
    "users:read",
    "users:write",
    "vendors:read",
    "vendors:write",
)
DEFAULT_CLIENT_ID = "rampctl_sandbox_client"


@dataclass(frozen=True, kw_only=True)
class Grant:
    """Who a valid access token belongs to and what it may do."""

    client_id: str
    scopes: frozenset[str]


def add_client(store: Store, client_id: str, client_secret: str, scopes: Iterable[str]) -> None:
    """Register (or replace) a client app with its allowed scopes."""
    data = {"client_id": client_id, "client_secret": client_secret, "scopes": sorted(set(scopes))}
    with store.transaction():
        if store.get("client", client_id) is not None:
            store.put("client", client_id, data)
        else:
            store.insert("client", client_id, data)


def ensure_default_client(store: Store) -> tuple[str, str]:
    """The default client app (all in-scope scopes), created with a random secret if absent."""
    existing = store.get("client", DEFAULT_CLIENT_ID)
    if existing is not None:
        return DEFAULT_CLIENT_ID, str(existing["client_secret"])
    secret = "rampctl_sandbox_secret_" + secrets.token_urlsafe(24)
    add_client(store, DEFAULT_CLIENT_ID, secret, IN_SCOPE_SCOPES)
    return DEFAULT_CLIENT_ID, secret


def basic_client_id(header: str | None) -> str | None:
    """The client id of a Basic Authorization header, without checking the secret."""
    parsed = _parse_basic(header)
    return None if parsed is None else parsed[0]


def authenticate_client(store: Store, header: str | None) -> dict[str, Any]:
    """The client app named by a valid Basic Authorization header, or a 401 invalid_client."""
    parsed = _parse_basic(header)
    client = None if parsed is None else store.get("client", parsed[0])
    if (
        parsed is None
        or client is None
        or not hmac.compare_digest(str(client["client_secret"]), parsed[1])
    ):
        raise ApiProblem(
            401, UNAUTHORIZED, "Client authentication failed", oauth_error="invalid_client"
        )
    return client


def _parse_basic(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None


def issue_token(store: Store, client_id: str, scopes: Iterable[str]) -> str:
    """Store and return a new access token for `client_id` with `scopes`."""
    token = "ramp_tok_" + secrets.token_urlsafe(30)
    data = {
        "client_id": client_id,
        "scopes": sorted(set(scopes)),
        "expires_at": time.time() + TOKEN_LIFETIME_S,
        "revoked": False,
    }
    store.insert("token", token, data)
    return token


def revoke_token(store: Store, client_id: str, token: str) -> None:
    """Revoke `token` if it belongs to `client_id` (unknown tokens are ignored, per RFC 7009)."""
    data = store.get("token", token)
    if data is not None and data["client_id"] == client_id:
        data["revoked"] = True
        store.put("token", token, data)


def bearer_token(header: str | None) -> str | None:
    """The token of a Bearer Authorization header, or None."""
    if not header or not header.lower().startswith("bearer "):
        return None
    return header[7:].strip() or None


def token_client(store: Store, token: str | None) -> str | None:
    """The client id a token was issued to (valid or not), for rate limiting."""
    data = None if token is None else store.get("token", token)
    return None if data is None else str(data["client_id"])


def check_token(store: Store, header: str | None, unknown_status: int) -> Grant:
    """The grant of a valid bearer token; 401 when missing, `unknown_status` when bad."""
    token = bearer_token(header)
    if token is None:
        raise ApiProblem(401, UNAUTHORIZED, "Missing or malformed Authorization header")
    data = store.get("token", token)
    if data is None or data["revoked"] or float(data["expires_at"]) < time.time():
        code = UNKNOWN_TOKEN if unknown_status == 404 else UNAUTHORIZED
        raise ApiProblem(unknown_status, code, "Invalid, expired or revoked access token")
    return Grant(client_id=str(data["client_id"]), scopes=frozenset(data["scopes"]))


def require_scope(grant: Grant, scope: str) -> None:
    """Raise a 403 DEVELOPER_7100 unless the grant holds `scope`."""
    if scope not in grant.scopes:
        raise ApiProblem(403, MISSING_SCOPE, f"Access token is missing the scope {scope}")
