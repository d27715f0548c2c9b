"""The client-side rate limiter shared by every thread of one RampClient.

Ramp allows `limit` requests per rolling `window_s`. The limiter counts requests in flight
plus requests *answered* within the last window (the answer time is a safe upper bound on
when Ramp counted the request), so the client never sends more than it believes Ramp allows.

Requests come in three priority classes (`Priority`), so that a run's reads share the window
the way the run needs them rather than first come, first served:

- `CRITICAL`: the reader the run waits for (a plan's vendor walk: planning ends with its last
  page) and the token request (every other request waits for it). It is never held back for
  other requests, and goes first when several wait for the window.
- `NORMAL` (the default: writes, single reads, short lists): takes any free place in the
  window, after the critical requests waiting for one.
- `BACKGROUND`: long reads the run needs but not first (a plan's accounting vendors and
  entities). They are paced into what the window has left once the critical reader's share
  is kept free: its requests in the window, projected over a whole window while it has been
  reading for less than one (so a walk that has just started is not mistaken for a slow one),
  plus a small margin; other requests always keep a tenth of the limit. With no critical
  reader at work nothing is kept back, so a small business reads as fast as before.

A thread's class is set with `priority(...)` around the calls (a context variable, so it
holds in threads started with a copy of the caller's context, e.g. the page readers).

On a 429 the whole client pauses. Ramp documents no `Retry-After`, but every request made
while limited pushes its reset back, so when Ramp does send one it is waited out in full, up
to `MAX_RETRY_AFTER_S`; asked for longer, the client stops (`RampWaitTooLongError`, naming
the wait, from the request so answered and from every request after it). Without one,
Ramp's documented exponential back-off (1 s, 2 s, 4 s...) is capped at one window (the
window has emptied by then). After a pause a single probe request goes first; the others
wait until it gets through, so a limited client sends one request per back-off step instead
of one per thread.

A 429 also lowers the client's own limit to what it had in its window at the time (never
below a tenth of the configured limit), so a limit configured above Ramp's real one settles
instead of hitting 429 again. A 429 with nothing else in the window (the run's first request,
its token request), or to the probe after a pause, says nothing about the limit and lowers
nothing. A lowered limit recovers:
after each full window without a 429 it rises by a tenth of the configured limit, up to it.

Ramp counts every run of the same credentials against one window, so a run can start from
the answers earlier runs got (`seed`, wall-clock times) and hand its own on (`answered_times`);
see `rampctl.ramp.window_file`.
"""

from __future__ import annotations

import enum
import heapq
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from rampctl.errors import RampWaitTooLongError

log = logging.getLogger(__name__)

#: A request that waited longer than this for the limiter is logged (at debug level).
SLOW_WAIT_S = 1.0
#: While background requests are held back, how often they look again (the critical
#: reader's share shrinks as its walk slows or ends, not only when an answer leaves).
RECHECK_S = 0.5
#: The longest Retry-After a run waits out; Ramp asking for longer stops the run.
MAX_RETRY_AFTER_S = 120.0


class Priority(enum.IntEnum):
    """How a request competes for the window (see the module docstring)."""

    CRITICAL = 0
    NORMAL = 1
    BACKGROUND = 2


_PRIORITY: ContextVar[Priority] = ContextVar("rampctl_request_priority", default=Priority.NORMAL)


@contextmanager
def priority(level: Priority) -> Iterator[None]:
    """Send this thread's (and its copied contexts') requests at `level` within the block."""
    token = _PRIORITY.set(level)
    try:
        yield
    finally:
        _PRIORITY.reset(token)


def current_priority() -> Priority:
    """The priority class requests sent from here go at."""
    return _PRIORITY.get()


@dataclass(frozen=True)
class Ticket:
    """Permission to send one request: when it was sent, whether it is the probe, its class."""

    sent_at: float
    probe: bool = False
    priority: Priority = Priority.NORMAL


class RateLimiter:
    """Sliding-window request limiter with priority classes and a client-wide pause after a
    429. `clock` is the monotonic clock (a fake one in tests), `wall` the wall clock."""

    def __init__(
        self,
        *,
        limit: int,
        window_s: float,
        backoff_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._limit = self._configured = limit
        self._floor = self._step = max(1, limit // 10)
        self._calm_since = float("-inf")  # the last 429 or rise of a lowered limit
        self._asked_to_wait: float | None = None  # a Retry-After too long to wait out
        self._window = window_s
        self._backoff = backoff_s
        self._clock, self._wall = clock, wall
        self._cond = threading.Condition()
        self._critical: deque[float] = deque()  # answer times of critical requests
        self._others: deque[float] = deque()  # of every other request (and earlier runs')
        self._in_flight = 0
        self._critical_in_flight = 0
        self._critical_since: float | None = None  # when the critical reader's work began
        self._critical_waiting = 0
        self._paused_until = 0.0
        self._pause_started = float("-inf")
        self._strikes = 0
        self._probing = False
        self._probe_out = False

    @property
    def limit(self) -> int:
        """The current client-side limit (lowered after a 429)."""
        return self._limit

    @property
    def asked_to_wait(self) -> float | None:
        """The Retry-After (seconds) Ramp asked for beyond `MAX_RETRY_AFTER_S`, if it did:
        the client sends nothing more."""
        return self._asked_to_wait

    def seed(self, answered: Iterable[float]) -> None:
        """Count requests answered earlier (wall-clock times, e.g. by an earlier run of the
        same credentials) in the window; times outside the last window are dropped."""
        with self._cond:
            mono_now, wall_now = self._clock(), self._wall()
            earlier = [
                mono_now - (wall_now - t)
                for t in answered
                if wall_now - self._window < t <= wall_now
            ]
            self._others = deque(sorted([*self._others, *earlier]))
            self._cond.notify_all()

    def answered_times(self) -> list[float]:
        """Wall-clock times of the answers counted in the current window, oldest first."""
        with self._cond:
            mono_now, wall_now = self._clock(), self._wall()
            return [
                wall_now - (mono_now - t)
                for t in heapq.merge(self._critical, self._others)
                if t + self._window > mono_now
            ]

    def acquire(self, level: Priority | None = None) -> Ticket:
        """Block until a request of class `level` (default: `current_priority()`) may be sent."""
        level = current_priority() if level is None else level
        with self._cond:
            self._check_asked_to_wait()
            started = self._clock()
            wait = self._wait_needed(started, level)
            if wait != 0.0:
                self._wait(level, wait)
            ticket = self._take(level)
            self._log_slow(ticket, started)
        return ticket

    def _wait(self, level: Priority, wait: float | None) -> None:
        """Wait until a request of class `level` may go (the lock is held). Requests of other
        classes let a waiting critical one go first."""
        critical = level is Priority.CRITICAL
        self._critical_waiting += 1 if critical else 0
        try:
            while wait != 0.0:
                self._cond.wait(timeout=wait)
                self._check_asked_to_wait()
                wait = self._wait_needed(self._clock(), level)
        finally:
            if critical:
                self._critical_waiting -= 1
                self._cond.notify_all()  # requests held back for it may look again

    def try_acquire(self, level: Priority = Priority.NORMAL) -> Ticket | None:
        """A ticket if a request of class `level` may be sent now, else None (no waiting)."""
        with self._cond:
            self._check_asked_to_wait()
            if self._wait_needed(self._clock(), level) != 0.0:
                return None
            return self._take(level)

    def _check_asked_to_wait(self) -> None:
        """Raise `RampWaitTooLongError` once Ramp asked for a wait too long to wait out."""
        if self._asked_to_wait is not None:
            raise wait_too_long(self._asked_to_wait)

    def release(
        self, ticket: Ticket, status: int | None, retry_after: float | None = None
    ) -> float | None:
        """Record the answer (`status`, None if none came) of a request.

        Returns the new client-wide pause in seconds when a 429 starts one, else None.
        """
        with self._cond:
            now = self._clock()
            self._in_flight -= 1
            if ticket.priority is Priority.CRITICAL:
                self._critical_in_flight -= 1
                self._critical.append(now)
            else:
                self._others.append(now)
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

    def _take(self, level: Priority) -> Ticket:
        """Count a request of class `level` as sent now (the lock is held)."""
        now = self._clock()
        self._in_flight += 1
        if level is Priority.CRITICAL:
            if self._critical_since is None:
                self._critical_since = now
            self._critical_in_flight += 1
        probe = self._probing
        self._probe_out = self._probe_out or probe
        return Ticket(now, probe, level)

    def _log_slow(self, ticket: Ticket, started: float) -> None:
        waited = ticket.sent_at - started
        if waited > SLOW_WAIT_S:
            log.debug(
                "a %s request waited %.1f s for the rate limit (%d requests of at most %d in "
                "the last %.0f s, %d of them critical)",
                ticket.priority.name.lower(),
                waited,
                self._in_flight + len(self._critical) + len(self._others),
                self._limit,
                self._window,
                len(self._critical) + self._critical_in_flight,
            )

    def _on_429(self, ticket: Ticket, retry_after: float | None) -> float | None:
        now = self._clock()
        self._calm_since = now
        if retry_after is not None and retry_after > MAX_RETRY_AFTER_S:
            self._asked_to_wait = retry_after
            return None
        counted = self._in_flight + len(self._critical) + len(self._others)
        if counted > 1 and not ticket.probe:  # alone, or a probe: nothing about the limit
            self._lower_limit(counted - 1)
        if ticket.sent_at < self._pause_started:
            return None  # part of a burst an earlier 429 already paused for
        self._strikes += 1
        delay = retry_after
        if delay is None:
            delay = min(self._backoff * 2 ** (self._strikes - 1), self._window)
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

    def _recover(self, now: float) -> None:
        """Raise a lowered limit by a step for each full window without a 429."""
        if self._limit >= self._configured or now - self._calm_since < self._window:
            return
        steps = int((now - self._calm_since) // self._window)
        new = min(self._configured, self._limit + steps * self._step)
        log.info(
            "raising the client-side rate limit from %d to %d requests per %.1f s",
            self._limit,
            new,
            self._window,
        )
        self._limit = new
        self._calm_since += steps * self._window

    def _wait_needed(self, now: float, level: Priority) -> float | None:
        """0.0 if a request of class `level` may go now, else seconds to wait (None: until
        another request is answered or a critical one is sent)."""
        if self._paused_until > now:
            return self._paused_until - now
        if self._probing and self._probe_out:
            return None
        self._expire(now)
        self._recover(now)
        if level is not Priority.CRITICAL and self._critical_waiting:
            return None
        if self._in_flight + len(self._critical) + len(self._others) >= self._limit:
            oldest = min(
                self._critical[0] if self._critical else math.inf,
                self._others[0] if self._others else math.inf,
            )
            return None if oldest == math.inf else oldest + self._window - now
        if level is Priority.BACKGROUND:
            return self._pacing_wait(now)
        return 0.0

    def _expire(self, now: float) -> None:
        """Drop answers older than the window; the critical reader's work ends with its last."""
        for answers in (self._critical, self._others):
            while answers and answers[0] + self._window <= now:
                answers.popleft()
        if not self._critical and not self._critical_in_flight:
            self._critical_since = None

    def _pacing_wait(self, now: float) -> float | None:
        """0.0 if a background request leaves the critical reader its share, else how long
        to wait before looking again."""
        others = self._in_flight - self._critical_in_flight + len(self._others)
        if others + 1 + self._critical_share(now) <= self._limit:
            return 0.0
        if not self._others:
            return None  # only requests in flight: wait for an answer
        return min(self._others[0] + self._window - now, RECHECK_S)

    def _critical_share(self, now: float) -> int:
        """Places in a window kept free for the critical reader: its requests in the window,
        projected over a whole window while it has read for less than one, plus a fiftieth
        of the limit as a margin; at most all but a tenth of the limit, 0 when it is idle."""
        counted = len(self._critical) + self._critical_in_flight
        if counted == 0 or self._critical_since is None:
            return 0
        reading = now - self._critical_since
        if reading < self._window:
            counted = math.ceil(counted * self._window / max(reading, self._window / 1000))
        margin = self._limit // 50
        return min(counted + margin, self._limit - max(1, self._limit // 10))


def wait_too_long(
    seconds: float,
    *,
    method: str = "",
    path: str = "",
    status: int | None = None,
    trace_id: str | None = None,
) -> RampWaitTooLongError:
    """The error that stops a client Ramp asked (Retry-After) to wait `seconds` for."""
    return RampWaitTooLongError(
        f"Ramp asked rampctl to wait {seconds:.0f} s before its next request (Retry-After), "
        f"longer than a run waits ({MAX_RETRY_AFTER_S:.0f} s); nothing more was sent. "
        "Run again once that time has passed",
        method=method,
        path=path,
        status=status,
        trace_id=trace_id,
    )
