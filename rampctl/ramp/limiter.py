"""The client-side rate limiter shared by every thread of one RampClient.

Ramp allows `limit` requests per rolling `window_s`. The limiter counts requests in flight
plus requests *answered* within the last window (the answer time is a safe upper bound on
when Ramp counted the request), so the client never sends more than Ramp allows. On a 429
the whole client pauses: `Retry-After` when Ramp sends it, else Ramp's documented
exponential back-off (1 s, 2 s, 4 s... capped at one window).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque

log = logging.getLogger(__name__)


class RateLimiter:
    """Sliding-window request limiter with a client-wide pause after a 429."""

    def __init__(self, *, limit: int, window_s: float, backoff_s: float = 1.0) -> None:
        self._limit = limit
        self._window = window_s
        self._backoff = backoff_s
        self._cond = threading.Condition()
        self._answered: deque[float] = deque()
        self._in_flight = 0
        self._paused_until = 0.0
        self._pause_started = float("-inf")
        self._strikes = 0

    def acquire(self) -> float:
        """Block until a request may be sent; returns its send time (pass it to `on_429`)."""
        with self._cond:
            while True:
                now = time.monotonic()
                wait = self._wait_needed(now)
                if wait == 0.0:
                    self._in_flight += 1
                    return now
                self._cond.wait(timeout=wait)

    def release(self) -> None:
        """Record that a request acquired earlier has been answered (or failed)."""
        with self._cond:
            self._in_flight -= 1
            self._answered.append(time.monotonic())
            self._cond.notify_all()

    def on_success(self) -> None:
        """Reset the 429 back-off after a request got through."""
        with self._cond:
            self._strikes = 0

    def on_429(self, sent_at: float, retry_after: float | None) -> float | None:
        """Pause every request after a 429; returns the pause, or None if one already covers it.

        A request sent before the current pause began was part of the same burst: it neither
        extends the pause nor increases the back-off.
        """
        with self._cond:
            if sent_at < self._pause_started:
                return None
            self._strikes += 1
            delay = retry_after
            if delay is None:
                delay = min(self._backoff * 2 ** (self._strikes - 1), self._window)
            now = time.monotonic()
            self._pause_started = now
            self._paused_until = max(self._paused_until, now + delay)
            return delay

    @property
    def paused_until(self) -> float:
        """Monotonic time until which the client is paused (in the past when not paused)."""
        return self._paused_until

    def _wait_needed(self, now: float) -> float | None:
        """0.0 if a request may go now, else seconds to wait (None: until a release)."""
        if self._paused_until > now:
            return self._paused_until - now
        while self._answered and self._answered[0] + self._window <= now:
            self._answered.popleft()
        if self._in_flight + len(self._answered) < self._limit:
            return 0.0
        if self._answered:
            return self._answered[0] + self._window - now
        return None
