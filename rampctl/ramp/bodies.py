"""Ramp's JSON answers read strictly: `NaN`, `Infinity` and `-Infinity` are refused.

JSON has no such numbers, but Python's `json` module and pydantic's parser both take them.
An object built from one could not be written back as JSON (a state entry, a plan file), so
rampctl refuses the whole answer where it arrives, with an error naming the request (method,
path, status, `x-trace-id`) and never a value from the body. A read so answered fails
(`RampError`); a write so answered was taken by Ramp, but what it made cannot be read back, so
its outcome is uncertain (`OutcomeUncertainError`: the next run looks the object up by key).
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from rampctl.errors import OutcomeUncertainError, RampError

NON_FINITE = "Ramp's answer holds NaN or Infinity, which are not JSON numbers"
READS = frozenset({"GET", "HEAD"})


class _NonFinite(Exception):
    """Raised inside the parser at the first `NaN`, `Infinity` or `-Infinity`."""


def _refuse(constant: str) -> float:
    raise _NonFinite


def may_hold_non_finite(content: bytes) -> bool:
    """Whether `content` may hold `NaN` or `Infinity` (False is certain: a cheap screen; True
    may also be the word inside a string, which only `read_json` tells apart)."""
    return b"NaN" in content or b"Infinity" in content


def read_json(response: httpx.Response, method: str) -> Any:
    """The JSON body of `response` to a `method` request (as `response.json()` reads it).

    Raises `ValueError` when the body is not JSON; `RampError` (a read) or
    `OutcomeUncertainError` (a write) when it holds `NaN`, `Infinity` or `-Infinity` as a
    number (the word inside a string is fine).
    """
    try:
        return json.loads(response.content, parse_constant=_refuse)
    except _NonFinite:
        raise _refused(response, method) from None


def _refused(response: httpx.Response, method: str) -> RampError:
    where: dict[str, Any] = {
        "method": method,
        "path": response.url.path,
        "status": response.status_code,
        "trace_id": response.headers.get("x-trace-id"),
    }
    if method.upper() in READS:
        return RampError(f"{NON_FINITE}; rampctl refuses it", **where)
    return OutcomeUncertainError(
        f"{NON_FINITE}: Ramp took the request, but rampctl cannot read back what it made "
        "(the next run looks the object up by its key before trying again)",
        **where,
    )
