"""Turning Ramp's error answers and transport failures into rampctl's RampError tree.

Messages come from Ramp's `error_v2` body (redacted), never from request bodies, and never
carry the token or the client secret.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from typing import Any

import httpx

from rampctl.errors import (
    OutcomeUncertainError,
    RampAuthError,
    RampError,
    RampNotFoundError,
    RampRateLimitError,
    RampScopeError,
    RampTransportError,
)
from rampctl.logs import redact

NOTHING_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""Transport failures that happen before any byte of the request reaches Ramp."""

_BY_STATUS: dict[int, type[RampError]] = {
    401: RampAuthError,
    403: RampScopeError,
    404: RampNotFoundError,
    429: RampRateLimitError,
}


def error_details(response: httpx.Response) -> tuple[str | None, str]:
    """Ramp's `error_v2.error_code` and message (or the OAuth error) from an error answer."""
    body = _json(response)
    v2 = body.get("error_v2") if isinstance(body, dict) else None
    if isinstance(v2, dict):
        code = v2.get("error_code")
        message = v2.get("message") or ""
        return (str(code) if code is not None else None), redact(str(message))
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        description = body.get("error_description") or ""
        return body["error"], redact(str(description or body["error"]))
    return None, redact(response.reason_phrase or f"HTTP {response.status_code}")


def oauth_error(response: httpx.Response) -> str | None:
    """The OAuth `error` string of a token-endpoint answer (e.g. `invalid_scope`), if any."""
    body = _json(response)
    value = body.get("error") if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


def error_from_response(
    response: httpx.Response, method: str, path: str, *, scope: str | None = None
) -> RampError:
    """The RampError (subclass by status) describing an error answer."""
    code, message = error_details(response)
    status = response.status_code
    cls = _BY_STATUS.get(status, RampError)
    if status == 403 and scope:
        message = f"the token lacks the scope {scope} ({message or 'forbidden'})"
    elif status == 429:
        message = f"rate limited by Ramp and still limited after pausing ({message})"
    return cls(
        message or f"HTTP {status}",
        method=method,
        path=path,
        status=status,
        error_code=code,
        trace_id=response.headers.get("x-trace-id"),
    )


def transport_error(exc: httpx.TransportError, method: str, path: str) -> RampTransportError:
    """A RampTransportError for a request that got no answer."""
    what = "could not connect" if isinstance(exc, NOTHING_SENT) else "no answer"
    return RampTransportError(f"{what} ({type(exc).__name__})", method=method, path=path)


def uncertain(
    method: str, path: str, reason: str, response: httpx.Response | None = None
) -> OutcomeUncertainError:
    """The error for a write that may or may not have been applied by Ramp."""
    code, trace = None, None
    status = None
    if response is not None:
        code, detail = error_details(response)
        reason = f"{reason}: {detail}" if detail else reason
        trace = response.headers.get("x-trace-id")
        status = response.status_code
    return OutcomeUncertainError(
        f"outcome unknown after {reason}; the change may or may not have been made "
        "(rampctl looks the object up by its key before trying again)",
        method=method,
        path=path,
        status=status,
        error_code=code,
        trace_id=trace,
    )


def retry_after(response: httpx.Response, *, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), if sent."""
    raw = response.headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(float(raw), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    now = now or dt.datetime.now(dt.UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max((when - now).total_seconds(), 0.0)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (ValueError, RecursionError):  # not JSON, or nested too deeply to read
        return None
