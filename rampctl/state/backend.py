"""Where the state lives: the interface every state backend offers, and choosing one.

`--state` / `RAMPCTL_STATE` names the backend: a path (a local file, today's default), or a
URL: `s3://bucket/prefix/rampctl.state.json` (S3 or an S3-compatible store) or
`postgresql://user@host/db?workspace=production` (PostgreSQL). Each backend keeps the state,
its run lock and the apply journal together, so a run on another machine sees all three.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

from rampctl.errors import ConfigError
from rampctl.logs import mask_url
from rampctl.state.journal import JournalEntry, Record
from rampctl.state.lock import LockHolder
from rampctl.state.model import State

_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://")
S3_SCHEMES = frozenset({"s3"})
POSTGRES_SCHEMES = frozenset({"postgres", "postgresql"})


class ApplyJournal(Protocol):
    """The apply journal of a backend (see `rampctl.state.journal`)."""

    def intend(self, *, op_id: str, address: str, action: str, key: str | None) -> None:
        """Record that a write is about to be sent (durable when this returns)."""

    def outcome(self, *, op_id: str, status: str, ramp_id: str | None = None) -> None:
        """Record how a write ended (durable when this returns)."""

    def entries(self) -> list[JournalEntry]:
        """Every intended operation with its latest status."""

    def pending(self) -> list[JournalEntry]:
        """Operations whose outcome is unknown."""

    def append(self, record: Record) -> None:
        """Append another kind of record, e.g. a state change (durable when this returns)."""

    def records(self) -> list[Record]:
        """Every record, oldest first."""

    def clear(self) -> None:
        """Forget every record."""


class StateBackend(Protocol):
    """One state with its lock and journal, wherever it is kept.

    `write` and `update` are compare-and-swap: a state based on an older serial than the
    stored one, or of another lineage, is refused (StateError), so no update is ever lost.
    """

    @property
    def location(self) -> str:
        """Where the state is, for messages (passwords masked)."""

    @property
    def backup_location(self) -> str | None:
        """Where the previous version is kept, if this backend keeps one."""

    def exists(self) -> bool:
        """Whether a state has been written here."""

    def load(self) -> State:
        """The stored state (upgraded to the current format), or a new one when there is none."""

    def write(self, state: State) -> State:
        """Store `state` with serial + 1 (compare-and-swap); return the stored copy."""

    def update(self, change: Callable[[State], State]) -> State:
        """Apply `change` to the latest state and write the result as one step (thread-safe)."""

    def put(self, state: State, *, force: bool = False) -> State:
        """Store `state` exactly (serial and lineage kept), for `state push`/`pull`.

        Refuses another lineage or a lower serial than the stored state's unless `force`.
        """

    def lock(self, *, command: str, timeout: float = 0) -> AbstractContextManager[None]:
        """Hold the run lock for the block; StateLockedError (exit 5) naming the holder."""

    def journal(self) -> ApplyJournal:
        """The apply journal kept with this state."""

    @property
    def recovered_holder(self) -> LockHolder | None:
        """The holder of a dead run's lock the last `lock` took over, if any."""

    def holder(self) -> LockHolder | None:
        """Who holds (or last held) the lock."""

    def is_locked(self) -> bool:
        """Whether a live run holds the lock right now."""

    def force_unlock(self) -> LockHolder | None:
        """Break the lock; return whom it belonged to."""

    def close(self) -> None:
        """Release connections and background threads."""


def open_backend(location: str | Path) -> StateBackend:
    """The backend `location` names: a path, `s3://...` or `postgresql://...`."""
    text = str(location)
    match = _SCHEME.match(text)
    scheme = match.group("scheme").lower() if match else None
    if scheme is None or scheme == "file":
        from rampctl.state.store import StateStore

        return StateStore(Path(text.removeprefix("file://")))
    if scheme in S3_SCHEMES:
        from rampctl.state.s3 import S3Backend

        return S3Backend.from_url(text)
    if scheme in POSTGRES_SCHEMES:
        from rampctl.state.postgres import PostgresBackend

        return PostgresBackend.from_url(text)
    raise ConfigError(
        f"--state {mask_url(text)}: unknown scheme {scheme}://; use a path, "
        "s3://bucket/key or postgresql://host/db?workspace=NAME"
    )


def is_remote(location: str | Path) -> bool:
    """Whether `location` names a remote backend (a URL other than file://)."""
    match = _SCHEME.match(str(location))
    return match is not None and match.group("scheme").lower() != "file"
