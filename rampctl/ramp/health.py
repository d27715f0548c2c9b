"""Whether Ramp can be reached at all: one shared verdict for every request of a client.

Each request retries transport failures on its own; without a shared verdict, a client with
several readers (and a token fetch each of them waits for) would spend the retry budget once
per request, minutes in all, against a host that never answers. `Reachability` counts time
from the start of the first failed attempt of an unbroken run of transport failures (any
answer from Ramp ends the run); past `budget_s` it gives up for the whole client, and every
later request fails at once with the same one-line message.
"""

from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit

from rampctl.errors import RampTransportError

CHECKS = "check RAMP_BASE_URL (or --env), the network, proxy and firewall, and Ramp's status page"


class RampUnreachableError(RampTransportError):
    """Ramp did not answer for the client's whole retry budget."""

    def __str__(self) -> str:
        return self.message


class Reachability:
    """The client-wide verdict on transport failures (thread-safe)."""

    def __init__(self, base_url: str, budget_s: float) -> None:
        self._host = urlsplit(base_url).netloc or base_url
        self._budget_s = budget_s
        self._lock = threading.Lock()
        self._since: float | None = None
        self._verdict: RampUnreachableError | None = None

    def check(self) -> None:
        """Raise the verdict when Ramp was already found unreachable."""
        if self._verdict is not None:
            raise self._verdict

    def answered(self) -> None:
        """Ramp answered (any status): the run of failures, if any, is over."""
        with self._lock:
            self._since = None

    def failed(self, started: float, error: RampTransportError) -> None:
        """An attempt begun at `started` (monotonic) got no answer; give up past the budget."""
        with self._lock:
            if self._since is None or started < self._since:
                self._since = started
            waited = time.monotonic() - self._since
            if self._verdict is None and waited >= self._budget_s:
                self._verdict = RampUnreachableError(
                    f"cannot reach Ramp at {self._host}: {error.method} {error.path} "
                    f"{error.message}, for {waited:.0f} s; {CHECKS}",
                    method=error.method,
                    path=error.path,
                )
        self.check()


__all__ = ["CHECKS", "RampUnreachableError", "Reachability"]
