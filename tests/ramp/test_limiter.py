"""The shared limiter: window accounting, priority classes, the client-wide pause and probe
after a 429."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from rampctl.errors import RampWaitTooLongError
from rampctl.ramp.limiter import (
    MAX_RETRY_AFTER_S,
    Priority,
    RateLimiter,
    Ticket,
    current_priority,
    priority,
)


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
    _burst(limiter, 1)
    _limited(limiter)
    assert limiter.limit == 20


def test_a_429_alone_in_the_window_lowers_nothing() -> None:
    """The run's first request (its token request) limited says nothing about the limit:
    it pauses, but does not drop the run to a tenth for the rest of the run."""
    limiter = RateLimiter(limit=200, window_s=10.0, backoff_s=0.01)
    assert limiter.release(limiter.acquire(Priority.CRITICAL), 429) == 0.01
    assert limiter.limit == 200


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


def test_a_retry_after_longer_than_a_window_is_waited_out() -> None:
    """Every request made while limited pushes Ramp's reset back: probing each window when
    Ramp asked for a minute would keep the run limited."""
    for asked in (60.0, MAX_RETRY_AFTER_S):
        limiter = RateLimiter(limit=100, window_s=10.0)
        assert _limited(limiter, retry_after=asked) == asked


def test_a_retry_after_too_long_to_wait_out_stops_the_client() -> None:
    limiter = RateLimiter(limit=100, window_s=10.0)
    assert _limited(limiter, retry_after=3600.0) is None
    assert limiter.asked_to_wait == 3600.0
    for acquire in (limiter.acquire, limiter.try_acquire):
        with pytest.raises(RampWaitTooLongError) as stopped:
            acquire()
        assert str(stopped.value) == (
            "Ramp asked rampctl to wait 3600 s before its next request (Retry-After), longer "
            "than a run waits (120 s); nothing more was sent. Run again once that time has "
            "passed"
        )


def test_a_waiting_request_stops_when_ramp_asks_for_too_long_a_wait() -> None:
    limiter = RateLimiter(limit=1, window_s=10.0)
    first = limiter.acquire()
    raised: list[BaseException] = []

    def waiter() -> None:
        try:
            limiter.acquire()
        except RampWaitTooLongError as exc:
            raised.append(exc)

    thread = threading.Thread(target=waiter, daemon=True)
    thread.start()
    limiter.release(first, 429, 600.0)
    thread.join(2)
    assert raised and not thread.is_alive()


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _limiter(clock: FakeClock, limit: int = 200) -> RateLimiter:
    return RateLimiter(limit=limit, window_s=10.0, clock=clock, wall=clock)


def _send(limiter: RateLimiter, level: Priority) -> bool:
    """Send and answer one request of class `level` if the limiter lets it go now."""
    ticket = limiter.try_acquire(level)
    if ticket is None:
        return False
    limiter.release(ticket, 200)
    return True


def _walk_with_background(
    limiter: RateLimiter, clock: FakeClock, *, seconds: float, background: int
) -> tuple[list[float], list[float], list[float]]:
    """A critical reader sending one request every 60 ms (a vendor walk at 50 ms latency)
    beside `background` requests sent as fast as the limiter lets them. Returns the send
    times of the critical requests, of the background ones, and the critical requests the
    limiter held back."""
    critical: list[float] = []
    sent: list[float] = []
    held: list[float] = []
    end = clock.now + seconds
    while clock.now < end:
        if _send(limiter, Priority.CRITICAL):
            critical.append(clock.now)
        else:
            held.append(clock.now)
        while len(sent) < background and _send(limiter, Priority.BACKGROUND):
            sent.append(clock.now)
        clock.now += 0.06
    return critical, sent, held


def _busiest_window(times: list[float], window_s: float = 10.0) -> int:
    return max(sum(1 for u in times if t - window_s < u <= t) for t in times)


def test_background_requests_leave_the_critical_reader_its_share() -> None:
    """The walk that the run waits for is never held back, however many background requests
    want the window; the background ones are paced into what is left and still get through
    well before the walk ends, and no window holds more than the limit."""
    clock = FakeClock()
    limiter = _limiter(clock)
    critical, background, held = _walk_with_background(limiter, clock, seconds=60.0, background=120)
    assert held == []
    assert len(background) == 120
    assert background[-1] - critical[0] < 45.0
    assert _busiest_window(critical + background) <= 200


def test_unpaced_background_requests_would_have_held_the_walk_back() -> None:
    """The same reads as NORMAL requests (first come, first served) fill the window in the
    first seconds, and the walk then waits for it: the stall pacing removes."""
    clock = FakeClock()
    limiter = _limiter(clock)
    held: list[float] = []
    sent = 0
    while clock.now < 1010.0:
        if not _send(limiter, Priority.CRITICAL):
            held.append(clock.now)
        while sent < 120 and _send(limiter, Priority.NORMAL):
            sent += 1
        clock.now += 0.06
    assert held


def test_without_a_critical_reader_background_requests_are_not_paced() -> None:
    """A small business, or a run with no critical reader: background reads go as fast as
    the limit allows."""
    clock = FakeClock()
    limiter = _limiter(clock)
    assert all(_send(limiter, Priority.BACKGROUND) for _ in range(200))
    assert not _send(limiter, Priority.BACKGROUND)


def test_normal_requests_are_not_held_back_for_the_critical_share() -> None:
    """Writes and other default-class requests are never starved by a critical reader: they
    take any free place in the window."""
    clock = FakeClock()
    limiter = _limiter(clock)
    for _ in range(20):
        assert _send(limiter, Priority.CRITICAL)
        clock.now += 0.06
    background = 0
    while _send(limiter, Priority.BACKGROUND):
        background += 1
    assert background < 40  # the walk's share (about 170 a window) is kept free
    normal = 0
    while _send(limiter, Priority.NORMAL):
        normal += 1
    assert normal == 200 - 20 - background


def test_others_always_keep_a_tenth_of_the_window() -> None:
    """However fast the critical reader goes, background reads are never shut out."""
    clock = FakeClock()
    limiter = _limiter(clock)
    assert _send(limiter, Priority.CRITICAL)
    clock.now += 0.001  # a projected rate far above the limit
    sent = 0
    while _send(limiter, Priority.BACKGROUND):
        sent += 1
    assert sent == 20  # a tenth of 200


def test_the_share_ends_with_the_critical_reader() -> None:
    """Once the walk's answers have left the window, background requests are not paced."""
    clock = FakeClock()
    limiter = _limiter(clock)
    for _ in range(50):
        assert _send(limiter, Priority.CRITICAL)
        clock.now += 0.06
    clock.now += 10.0
    assert all(_send(limiter, Priority.BACKGROUND) for _ in range(200))


def test_an_earlier_runs_window_counts_against_the_background_share() -> None:
    """Answers carried from an earlier run fill the window like this run's own others."""
    clock = FakeClock()
    limiter = _limiter(clock)
    limiter.seed([clock.now - 1.0] * 150)
    for _ in range(20):
        assert _send(limiter, Priority.CRITICAL)
        clock.now += 0.06
    assert not _send(limiter, Priority.BACKGROUND)
    assert len(limiter.answered_times()) == 170


def test_a_waiting_critical_request_goes_before_the_others() -> None:
    """When the window frees a place, a critical request waiting for it takes it first."""
    limiter = RateLimiter(limit=1, window_s=0.2)
    limiter.release(limiter.acquire(), 200)  # the window is full for 0.2 s
    order: list[str] = []

    def send(level: Priority) -> None:
        ticket = limiter.acquire(level)
        order.append(level.name)
        limiter.release(ticket, 200)

    normal = threading.Thread(target=send, args=(Priority.NORMAL,), daemon=True)
    normal.start()
    critical = threading.Thread(target=send, args=(Priority.CRITICAL,), daemon=True)
    critical.start()
    normal.join(2)
    critical.join(2)
    assert order == ["CRITICAL", "NORMAL"]


def test_the_priority_class_is_the_threads_and_defaults_to_normal() -> None:
    assert current_priority() is Priority.NORMAL
    with priority(Priority.BACKGROUND):
        assert current_priority() is Priority.BACKGROUND
        assert RateLimiter(limit=5, window_s=1.0).acquire().priority is Priority.BACKGROUND
    assert current_priority() is Priority.NORMAL


def test_a_long_wait_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    """A request held more than a second says so at debug level (how a stalled walk shows)."""
    caplog.set_level(logging.DEBUG, logger="rampctl.ramp.limiter")
    limiter = RateLimiter(limit=1, window_s=1.1)
    limiter.release(limiter.acquire(Priority.CRITICAL), 200)
    limiter.acquire(Priority.CRITICAL)
    assert "a critical request waited 1.1 s for the rate limit" in caplog.text


def _fill_then_limited(limiter: RateLimiter, clock: FakeClock, n: int) -> None:
    """`n` requests answered, then one answered 429."""
    for _ in range(n):
        assert _send(limiter, Priority.NORMAL)
    ticket = limiter.try_acquire()
    assert ticket is not None
    limiter.release(ticket, 429)


def test_a_lowered_limit_rises_a_tenth_per_window_without_a_429() -> None:
    clock = FakeClock()
    limiter = _limiter(clock)
    _fill_then_limited(limiter, clock, 27)
    assert limiter.limit == 27
    rises = []
    for _ in range(10):
        clock.now += 10.0
        _send(limiter, Priority.NORMAL)
        rises.append(limiter.limit)
    assert rises == [47, 67, 87, 107, 127, 147, 167, 187, 200, 200]


def test_a_429_starts_the_calm_window_again() -> None:
    clock = FakeClock()
    limiter = _limiter(clock)
    for _ in range(27):
        assert _send(limiter, Priority.NORMAL)
    late, first = limiter.acquire(), limiter.acquire()
    limiter.release(first, 429)
    assert limiter.limit == 28
    clock.now += 9.0
    limiter.release(late, 429)  # limited again before a calm window passed
    clock.now += 9.0
    _send(limiter, Priority.NORMAL)
    assert limiter.limit == 28
    clock.now += 1.0
    _send(limiter, Priority.NORMAL)
    assert limiter.limit == 48


def test_a_limit_never_lowered_never_rises_above_the_configured_one() -> None:
    clock = FakeClock()
    limiter = _limiter(clock, limit=50)
    for _ in range(5):
        clock.now += 10.0
        _send(limiter, Priority.NORMAL)
    assert limiter.limit == 50
