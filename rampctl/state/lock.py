"""The run lock of a state file: an OS file lock plus a JSON note saying who holds it.

Mutual exclusion comes from `filelock` on `<state>.lock`; the operating system drops that lock
when its process dies, so a killed run never blocks the next one. The holder note
(`<state>.lock.json`: user, pid, host, time, command) exists only to tell a waiting run who
holds the lock; a note found while the OS lock is free was left by a dead run, and is reported
and replaced.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import json
import logging
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import filelock
from pydantic import BaseModel, ConfigDict, ValidationError

from rampctl.errors import StateError, StateLockedError
from rampctl.state.files import FILE_MODE, atomic_write, fsync_dir

log = logging.getLogger("rampctl.state")

POLL_INTERVAL = 0.05
"""Seconds between attempts while waiting for a held lock."""


class LockHolder(BaseModel):
    """Who holds (or held) the state lock."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    user: str
    pid: int
    host: str
    time: str
    """When the lock was taken, ISO 8601 in UTC."""
    command: str
    run_id: str | None = None
    """A random id of the run (remote backends: tells two runs of one pid apart)."""
    expires: str | None = None
    """When a remote lease runs out unless renewed, ISO 8601 in UTC (None: an OS lock)."""

    @classmethod
    def current(cls, command: str) -> LockHolder:
        """A holder describing this process running `command`."""
        return cls(
            user=_user(),
            pid=os.getpid(),
            host=socket.gethostname(),
            time=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            command=command,
        )

    def describe(self) -> str:
        """One line for messages: `alice@host (pid 42) since ... (5m ago) running "apply"`."""
        who = f"{self.user}@{self.host} (pid {self.pid})"
        age = self.age_s()
        since = f"{self.time} ({duration(age)} ago)" if age is not None else self.time
        return f'{who} since {since} running "{self.command}"'

    def age_s(self) -> float | None:
        """Seconds since the lock was taken (None when the time is unreadable)."""
        started = parse_time(self.time)
        if started is None:
            return None
        return max(0.0, (dt.datetime.now(dt.UTC) - started).total_seconds())

    def is_alive_here(self) -> bool | None:
        """Whether the holder process runs on this host: True/False, or None when unknowable."""
        if self.host != socket.gethostname():
            return None
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


class StateLock:
    """The lock of one state file; `hold` is the context manager a writing run wraps itself in."""

    def __init__(self, *, lock_path: Path, holder_path: Path) -> None:
        self.lock_path = lock_path
        self.holder_path = holder_path
        self.recovered: LockHolder | None = None
        """The stale holder note found (and replaced) by the last successful `hold`, if any."""

    @contextlib.contextmanager
    def hold(self, *, command: str, timeout: float = 0) -> Iterator[LockHolder]:
        """Hold the lock for the block; wait up to `timeout` s, then raise StateLockedError."""
        if timeout < 0:
            raise StateError("the lock timeout cannot be negative")
        lock = filelock.FileLock(self.lock_path, mode=FILE_MODE, thread_local=False)
        try:
            lock.acquire(timeout=timeout, poll_interval=POLL_INTERVAL)
        except filelock.Timeout:
            raise self._locked_error(timeout) from None
        try:
            me = self._take_over(command)
            try:
                yield me
            finally:
                self._drop_note(me)
        finally:
            lock.release()

    def holder(self) -> LockHolder | None:
        """The holder note on disk, if any (None when absent or unreadable)."""
        try:
            raw = self.holder_path.read_text(encoding="utf-8")
            return LockHolder.model_validate(json.loads(raw))
        except (OSError, ValueError, ValidationError):
            return None

    def is_held(self) -> bool:
        """Whether some run (in any process) holds the OS lock right now."""
        lock = filelock.FileLock(self.lock_path, mode=FILE_MODE, thread_local=False)
        try:
            lock.acquire(timeout=0)
        except filelock.Timeout:
            return True
        lock.release()
        return False

    def force_unlock(self) -> LockHolder | None:
        """Break the lock: remove the holder note and the lock file; return the old holder.

        A run still holding the old lock file keeps running; only use this when it is gone
        or hung.
        """
        holder = self.holder()
        for path in (self.holder_path, self.lock_path):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        fsync_dir(self.lock_path.parent)
        return holder

    def _take_over(self, command: str) -> LockHolder:
        stale = self.holder()
        self.recovered = stale
        if stale is not None:
            log.warning("recovered the state lock left by a run that ended: %s", stale.describe())
        elif self.holder_path.exists():
            log.warning("replaced an unreadable state lock note at %s", self.holder_path)
        me = LockHolder.current(command)
        note = me.model_dump(exclude_none=True)  # the fields of a remote lease stay out
        atomic_write(self.holder_path, (json.dumps(note, indent=2) + "\n").encode())
        return me

    def _drop_note(self, me: LockHolder) -> None:
        if self.holder() == me:
            with contextlib.suppress(FileNotFoundError):
                self.holder_path.unlink()

    def _locked_error(self, timeout: float) -> StateLockedError:
        holder = self.holder()
        who = holder.describe() if holder else "another run (no holder note)"
        waited = f" after waiting {timeout:g}s" if timeout else ""
        return StateLockedError(
            f"the state is locked by {who}{waited}; wait for it to finish "
            "(--lock-timeout SECONDS), or run `rampctl state unlock` if that run is gone"
        )


def parse_time(text: str) -> dt.datetime | None:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def duration(seconds: float) -> str:
    """`42s`, `5m12s`, `3h04m`: a short, readable length of time."""
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # pragma: no cover - no login name in some containers
        return str(os.getuid())
