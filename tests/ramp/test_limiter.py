"""The shared limiter: window accounting and the client-wide pause after a 429."""

from __future__ import annotations

import threading
import time

from rampctl.ramp.limiter import RateLimiter


def _burst(limiter: RateLimiter, n: int) -> list[float]:
    times = []
    for _ in range(n):
        times.append(limiter.acquire())
        limiter.release()
    return times


def test_requests_beyond_the_limit_wait_for_the_window() -> None:
    limiter = RateLimiter(limit=3, window_s=0.3)
    times = _burst(limiter, 4)
    assert times[2] - times[0] < 0.1
    assert times[3] - times[0] >= 0.29


def test_requests_in_flight_count_against_the_limit() -> None:
    limiter = RateLimiter(limit=2, window_s=0.2)
    limiter.acquire()
    limiter.acquire()
    got: list[float] = []
    waiter = threading.Thread(target=lambda: got.append(limiter.acquire()))
    started = time.monotonic()
    waiter.start()
    time.sleep(0.1)
    assert got == []  # both slots are still in flight
    limiter.release()
    waiter.join(2)
    assert got and got[0] - started >= 0.2  # freed slot still counts for one window


def test_429_backoff_doubles_and_is_capped_at_the_window() -> None:
    limiter = RateLimiter(limit=100, window_s=3.0, backoff_s=1.0)
    delays = []
    for _ in range(4):
        delays.append(limiter.on_429(time.monotonic(), None))
    assert delays == [1.0, 2.0, 3.0, 3.0]
    limiter.on_success()
    assert limiter.on_429(time.monotonic(), None) == 1.0


def test_retry_after_wins_over_backoff() -> None:
    limiter = RateLimiter(limit=100, window_s=10.0)
    assert limiter.on_429(time.monotonic(), 7.5) == 7.5


def test_429s_of_one_burst_pause_once() -> None:
    limiter = RateLimiter(limit=100, window_s=10.0, backoff_s=0.2)
    sent = [limiter.acquire() for _ in range(3)]
    assert limiter.on_429(sent[0], None) == 0.2
    assert limiter.on_429(sent[1], None) is None
    assert limiter.on_429(sent[2], None) is None


def test_pause_holds_every_request() -> None:
    limiter = RateLimiter(limit=100, window_s=10.0, backoff_s=0.2)
    limiter.on_429(time.monotonic(), None)
    started = time.monotonic()
    limiter.acquire()
    assert time.monotonic() - started >= 0.19
