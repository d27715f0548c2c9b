"""The client-side rate limiter shared by every thread of one RampClient.

Ramp allows `limit` requests per rolling `window_s`. The limiter counts requests in flight
plus requests *answered* within the last window (the answer time is a safe upper bound on
when Ramp counted the request), so the client never sends more than it believes Ramp allows.

On a 429 the whole client pauses: `Retry-After` when Ramp sends it, else Ramp's documented
exponential back-off (1 s, 2 s, 4 s... capped at one window). After a pause a single probe
request goes first; the others wait until it gets through, so a limited client sends one
request per back-off step instead of one per thread. A 429 also lowers the client's own
limit to what it had in its window at the time (never below a tenth of the configured
limit), so a limit configured above Ramp's real one settles instead of hitting 429 again.

Ramp counts every run of the same credentials against one window, so a run can start from
the answers earlier runs got (`seed`, wall-clock times) and hand its own on (`answered_times`);
see `rampctl.ramp.window_file`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ticket:
    """Permission to send one request: when it was sent and whether it is the probe."""

    sent_at: float
    probe: bool = False


class RateLimiter:
    """Sliding-window request limiter with a client-wide pause after a 429."""

    def __init__(self, *, limit: int, window_s: float, backoff_s: float = 1.0) -> None:
        self._limit = limit
        self._floor = max(1, limit // 10)
        self._window = window_s
        self._backoff = backoff_s
        self._cond = threading.Condition()
        self._answered: deque[float] = deque()
        self._in_flight = 0
        self._paused_until = 0.0
        self._pause_started = float("-inf")
        self._strikes = 0
        self._probing = False
        self._probe_out = False

    @property
    def limit(self) -> int:
        """The current client-side limit (lowered after a 429)."""
        return self._limit

    def seed(self, answered: Iterable[float]) -> None:
        """Count requests answered earlier (wall-clock times, e.g. by an earlier run of the
        same credentials) in the window; times outside the last window are dropped."""
        with self._cond:
            mono_now, wall_now = time.monotonic(), time.time()
            earlier = [
                mono_now - (wall_now - t)
                for t in answered
                if wall_now - self._window < t <= wall_now
            ]
            self._answered = deque(sorted([*self._answered, *earlier]))
            self._cond.notify_all()

    def answered_times(self) -> list[float]:
        """Wall-clock times of the answers counted in the current window, oldest first."""
        with self._cond:
            mono_now, wall_now = time.monotonic(), time.time()
            return [
                wall_now - (mono_now - t) for t in self._answered if t + self._window > mono_now
            ]

    def acquire(self) -> Ticket:
        """Block until a request may be sent."""
        with self._cond:
            while True:
                now = time.monotonic()
                wait = self._wait_needed(now)
                if wait == 0.0:
                    self._in_flight += 1
                    probe = self._probing
                    self._probe_out = self._probe_out or probe
                    return Ticket(now, probe)
                self._cond.wait(timeout=wait)

    def release(
        self, ticket: Ticket, status: int | None, retry_after: float | None = None
    ) -> float | None:
        """Record the answer (`status`, None if none came) of a request.

        Returns the new client-wide pause in seconds when a 429 starts one, else None.
        """
        with self._cond:
            self._in_flight -= 1
            self._answered.append(time.monotonic())
            if ticket.probe:
                self._probe_out = False
            pause = None
            if status == 429:
                pause = self._on_429(ticket, retry_after)
            elif status is not None:
                self._strikes = 0
                self._probing = False
            self._cond.notify_all()
            return pause

    def _on_429(self, ticket: Ticket, retry_after: float | None) -> float | None:
        self._lower_limit(self._in_flight + len(self._answered) - 1)
        if ticket.sent_at < self._pause_started:
            return None  # part of a burst an earlier 429 already paused for
        self._strikes += 1
        delay = retry_after
        if delay is None:
            delay = min(self._backoff * 2 ** (self._strikes - 1), self._window)
        now = time.monotonic()
        self._pause_started = now
        self._paused_until = max(self._paused_until, now + delay)
        self._probing = True
        return delay

    def _lower_limit(self, seen: int) -> None:
        new = max(self._floor, min(self._limit, seen))
        if new < self._limit:
            log.warning(
                "lowering the client-side rate limit from %d to %d requests per %.1f s",
                self._limit,
                new,
                self._window,
            )
            self._limit = new

    def _wait_needed(self, now: float) -> float | None:
        """0.0 if a request may go now, else seconds to wait (None: until a release)."""
        if self._paused_until > now:
            return self._paused_until - now
        if self._probing and self._probe_out:
            return None
        while self._answered and self._answered[0] + self._window <= now:
            self._answered.popleft()
        if self._in_flight + len(self._answered) < self._limit:
            return 0.0
        if self._answered:
            return self._answered[0] + self._window - now
        return None
