"""Leased run locks for the remote backends: a lock that expires unless its run renews it.

A run takes the lock by creating a lease record only if none exists (the store's own
conditional create), renews it from a heartbeat thread while it lives, and releases it with a
conditional delete. A run that is killed stops renewing; once its lease has expired the next
run replaces it (again conditionally: of two runs racing for a dead lease, one wins) and
resumes from the journal. Expiry is judged by the clocks of the runs, so a lease is kept well
above any clock skew between machines (2 minutes by default).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from rampctl.errors import ConfigError, StateLockedError
from rampctl.state.lock import LockHolder, duration, parse_time

log = logging.getLogger("rampctl.state")

LEASE_ENV = "RAMPCTL_LOCK_LEASE"
HEARTBEAT_ENV = "RAMPCTL_LOCK_HEARTBEAT"
DEFAULT_LEASE_S = 120.0
DEFAULT_HEARTBEAT_S = 20.0

Token = TypeVar("Token")


@dataclass(frozen=True, kw_only=True)
class LeaseSettings:
    """How long a lease lasts and how often its run renews it."""

    lease_s: float = DEFAULT_LEASE_S
    heartbeat_s: float = DEFAULT_HEARTBEAT_S

    @classmethod
    def from_env(cls) -> LeaseSettings:
        """Settings from RAMPCTL_LOCK_LEASE / RAMPCTL_LOCK_HEARTBEAT (seconds), else defaults."""
        lease = _seconds(LEASE_ENV, DEFAULT_LEASE_S)
        heartbeat = _seconds(HEARTBEAT_ENV, min(DEFAULT_HEARTBEAT_S, lease / 6))
        if heartbeat * 2 > lease:
            raise ConfigError(
                f"{HEARTBEAT_ENV}={heartbeat:g} must be at most half of {LEASE_ENV}={lease:g}"
            )
        return cls(lease_s=lease, heartbeat_s=heartbeat)

    @property
    def poll_s(self) -> float:
        """Seconds between attempts while waiting for a held lock."""
        return max(0.05, min(1.0, self.heartbeat_s / 2))


def _seconds(name: str, default: float) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{name}={text!r} is not a number of seconds") from None
    if not value > 0:
        raise ConfigError(f"{name}={text!r} must be more than 0 seconds")
    return value


class LeaseStore(Protocol[Token]):
    """The conditional operations a backend offers on its one lease record."""

    def lease_read(self) -> tuple[LockHolder, Token] | None:
        """The lease record and its version, or None when there is none."""

    def lease_create(self, holder: LockHolder) -> Token | None:
        """Create the record only if none exists; its version, or None when one exists."""

    def lease_replace(self, holder: LockHolder, expected: Token) -> Token | None:
        """Replace the record only if it is still at `expected`; the new version or None."""

    def lease_delete(self, expected: Token | None) -> bool:
        """Delete the record (only if at `expected`, unless None); whether it was deleted."""


def expired(holder: LockHolder, *, now: dt.datetime | None = None) -> bool:
    """Whether a lease has run out (a record without a readable expiry counts as expired)."""
    ends = parse_time(holder.expires or "")
    return ends is None or ends <= (now or dt.datetime.now(dt.UTC))


def _stamp(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


class LeaseLock(Generic[Token]):
    """The leased run lock of one remote state."""

    def __init__(self, store: LeaseStore[Token], settings: LeaseSettings, where: str) -> None:
        self.store = store
        self.settings = settings
        self.where = where
        self.recovered: LockHolder | None = None
        self.lost = threading.Event()
        """Set when the heartbeat found the lease taken by another run."""

    @contextlib.contextmanager
    def hold(self, *, command: str, timeout: float = 0) -> Iterator[LockHolder]:
        """Hold the lease for the block; wait up to `timeout` s, then StateLockedError."""
        me, token = self._acquire(command, timeout)
        self.lost.clear()
        stop = threading.Event()
        beat = _Heartbeat(self, me, token, stop)
        beat.start()
        try:
            yield me
        finally:
            stop.set()
            beat.join()
            if not self.lost.is_set() and not self.store.lease_delete(beat.token):
                log.warning("the state lock at %s was no longer this run's to release", self.where)

    def _fresh(self, command: str, run_id: str) -> LockHolder:
        now = dt.datetime.now(dt.UTC)
        expires = now + dt.timedelta(seconds=self.settings.lease_s)
        return LockHolder.current(command).model_copy(
            update={"run_id": run_id, "expires": _stamp(expires)}
        )

    def _acquire(self, command: str, timeout: float) -> tuple[LockHolder, Token]:
        run_id = uuid.uuid4().hex
        deadline = time.monotonic() + timeout
        self.recovered = None
        while True:
            me = self._fresh(command, run_id)
            token = self.store.lease_create(me)
            if token is not None:
                return me, token
            found = self.store.lease_read()
            if found is not None and expired(found[0]):
                token = self.store.lease_replace(me, found[1])
                if token is not None:
                    self.recovered = found[0]
                    log.warning(
                        "took over the expired state lock of a run that ended: %s",
                        found[0].describe(),
                    )
                    return me, token
            if found is not None and time.monotonic() >= deadline:
                raise locked_error(found[0], timeout)
            time.sleep(self.settings.poll_s)

    def renew(self, me: LockHolder, token: Token) -> tuple[LockHolder, Token] | None:
        """Extend the lease; None when another run has taken it meanwhile."""
        fresh = self._fresh(me.command, me.run_id or "").model_copy(update={"time": me.time})
        new = self.store.lease_replace(fresh, token)
        return None if new is None else (fresh, new)


class _Heartbeat(threading.Thread, Generic[Token]):
    """Renews a lease every `heartbeat_s` until stopped."""

    def __init__(
        self, lock: LeaseLock[Token], me: LockHolder, token: Token, stop: threading.Event
    ) -> None:
        super().__init__(name="rampctl-lease-heartbeat", daemon=True)
        self.lock = lock
        self.me = me
        self.token = token
        self.stop = stop

    def run(self) -> None:
        while not self.stop.wait(self.lock.settings.heartbeat_s):
            try:
                renewed = self.lock.renew(self.me, self.token)
            except Exception as exc:  # a network blip: try again at the next beat
                log.warning("could not renew the state lock at %s: %s", self.lock.where, exc)
                continue
            if renewed is None:
                log.error("the state lock at %s was taken by another run", self.lock.where)
                self.lock.lost.set()
                return
            self.me, self.token = renewed


def locked_error(holder: LockHolder, timeout: float) -> StateLockedError:
    """The exit-5 error naming who holds a lease, where, for how long, and when it runs out."""
    waited = f" after waiting {timeout:g}s" if timeout else ""
    ends = parse_time(holder.expires or "")
    left = (ends - dt.datetime.now(dt.UTC)).total_seconds() if ends else 0.0
    lease = f"; its lease runs out in {duration(max(0.0, left))} unless renewed"
    return StateLockedError(
        f"the state is locked by {holder.describe()}{waited}{lease}; wait for it "
        "(--lock-timeout SECONDS), or run `rampctl state unlock` if that run is gone"
    )
