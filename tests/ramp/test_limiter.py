"""The shared limiter: window accounting, the client-wide pause and probe after a 429."""

from __future__ import annotations

import threading
import time

from rampctl.ramp.limiter import RateLimiter, Ticket


def _burst(limiter: RateLimiter, n: int) -> list[float]:
    times = []
    for _ in range(n):
        ticket = limiter.acquire()
        times.append(ticket.sent_at)
        limiter.release(ticket, 200)
    return times


def _in_thread(limiter: RateLimiter, got: list[Ticket]) -> threading.Thread:
    thread = threading.Thread(target=lambda: got.append(limiter.acquire()), daemon=True)
    thread.start()
    return thread


def test_requests_beyond_the_limit_wait_for_the_window() -> None:
    limiter = RateLimiter(limit=3, window_s=0.3)
    times = _burst(limiter, 4)
    assert times[2] - times[0] < 0.1
    assert times[3] - times[0] >= 0.29


def test_requests_in_flight_count_against_the_limit() -> None:
    limiter = RateLimiter(limit=2, window_s=0.2)
    first = limiter.acquire()
    limiter.acquire()
    got: list[Ticket] = []
    started = time.monotonic()
    waiter = _in_thread(limiter, got)
    time.sleep(0.1)
    assert got == []  # both slots are still in flight
    limiter.release(first, 200)
    waiter.join(2)
    assert got and got[0].sent_at - started >= 0.2  # a freed slot still counts for one window


def _limited(limiter: RateLimiter, retry_after: float | None = None) -> float | None:
    return limiter.release(limiter.acquire(), 429, retry_after)


def test_429_backoff_doubles_and_is_capped_at_the_window() -> None:
    limiter = RateLimiter(limit=100, window_s=0.3, backoff_s=0.1)
    delays = [_limited(limiter) for _ in range(3)]
    assert delays == [0.1, 0.2, 0.3]
    _burst(limiter, 1)
    assert _limited(limiter) == 0.1


def test_retry_after_wins_over_backoff() -> None:
    limiter = RateLimiter(limit=100, window_s=10.0)
    assert _limited(limiter, retry_after=7.5) == 7.5


def test_429s_of_one_burst_pause_once() -> None:
    limiter = RateLimiter(limit=100, window_s=10.0, backoff_s=0.2)
    tickets = [limiter.acquire() for _ in range(3)]
    assert limiter.release(tickets[0], 429) == 0.2
    assert limiter.release(tickets[1], 429) is None
    assert limiter.release(tickets[2], 429) is None


def test_pause_holds_every_request_then_one_probe_goes_first() -> None:
    limiter = RateLimiter(limit=100, window_s=10.0, backoff_s=0.2)
    _limited(limiter)
    started = time.monotonic()
    probe = limiter.acquire()
    assert probe.probe and probe.sent_at - started >= 0.19
    got: list[Ticket] = []
    waiter = _in_thread(limiter, got)
    time.sleep(0.1)
    assert got == []  # waits for the probe's answer
    limiter.release(probe, 200)
    waiter.join(2)
    assert got and not got[0].probe


def test_429_lowers_the_client_limit_to_what_was_in_the_window() -> None:
    limiter = RateLimiter(limit=200, window_s=10.0, backoff_s=0.01)
    _burst(limiter, 27)
    _limited(limiter)
    assert limiter.limit == 27


def test_the_limit_is_never_lowered_below_a_tenth() -> None:
    limiter = RateLimiter(limit=200, window_s=10.0, backoff_s=0.01)
    _limited(limiter)
    assert limiter.limit == 20


def test_a_seeded_window_counts_against_the_limit() -> None:
    """Answers an earlier run got (wall-clock times) fill the window like this run's own."""
    limiter = RateLimiter(limit=2, window_s=10.0)
    now = time.time()
    limiter.seed([now - 20.0, now - 1.0, now - 0.5])  # the first is past the window
    assert len(limiter.answered_times()) == 2
    got: list[Ticket] = []
    waiter = _in_thread(limiter, got)
    waiter.join(0.2)
    assert got == []  # the window is full until the seeded answers are 10 s old


def test_answered_times_are_wall_clock_and_within_the_window() -> None:
    limiter = RateLimiter(limit=10, window_s=10.0)
    before = time.time()
    _burst(limiter, 3)
    times = limiter.answered_times()
    assert len(times) == 3
    assert all(before - 0.01 <= t <= time.time() + 0.01 for t in times)
