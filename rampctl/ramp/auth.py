"""OAuth2 client-credentials tokens: parsing Ramp's token response and caching it.

One `TokenCache` per client: the first caller fetches (others wait on the lock), the token
is reused until shortly before it expires, and `invalidate` drops it after a 401 so the next
caller fetches exactly one new token. Every token is registered for redaction.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from rampctl.logs import register_secret

_MIN_MARGIN_S = 60.0


@dataclass(frozen=True, kw_only=True)
class Token:
    """An access token, its expiry (monotonic seconds) and the scopes Ramp granted."""

    value: str = field(repr=False)
    expires_at: float
    scopes: frozenset[str]

    def fresh(self, now: float) -> bool:
        """True while the token is safely within its lifetime."""
        return now < self.expires_at


def parse_token(payload: Any, requested: Iterable[str], now: float) -> Token:
    """Build a Token from Ramp's JSON token response; a missing `scope` means all requested."""
    if not isinstance(payload, dict) or not isinstance(payload.get("access_token"), str):
        raise ValueError("token response has no access_token")
    value = payload["access_token"]
    register_secret(value)
    lifetime = float(payload.get("expires_in") or 3600)
    margin = min(_MIN_MARGIN_S, lifetime / 10)
    scope_text = payload.get("scope")
    scopes = scope_text.split() if isinstance(scope_text, str) else list(requested)
    return Token(value=value, expires_at=now + lifetime - margin, scopes=frozenset(scopes))


class TokenCache:
    """Holds the current token; fetches a new one when missing, expired or invalidated."""

    def __init__(self, fetch: Callable[[], Token]) -> None:
        self._fetch = fetch
        self._lock = threading.Lock()
        self._token: Token | None = None

    def get(self) -> Token:
        """The cached token, fetching one first if needed (one fetch at a time)."""
        with self._lock:
            if self._token is None or not self._token.fresh(time.monotonic()):
                self._token = self._fetch()
            return self._token

    def invalidate(self, token: Token) -> None:
        """Forget `token` (after a 401) unless another thread has already replaced it."""
        with self._lock:
            if self._token is token:
                self._token = None

    @property
    def current(self) -> Token | None:
        """The cached token, if any, without fetching."""
        return self._token
