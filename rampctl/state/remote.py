"""What the remote backends share: compare-and-swap writes of the state, and the leased lock.

A backend supplies the store's conditional primitives (read with a version, write only if
still at that version, the lease record's operations, the journal); this base turns them into
`StateBackend`. Every write names the version the run read: if anyone wrote since, the store
refuses it and nothing is lost.
"""

from __future__ import annotations

import contextlib
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from rampctl.errors import StateError, StateLockedError
from rampctl.state.journal import RecordJournal
from rampctl.state.lease import LeaseLock, LeaseSettings, expired
from rampctl.state.lock import LockHolder
from rampctl.state.model import FORMAT_VERSION, State
from rampctl.state.store import check_replace, parse_document, serialise

Version = TypeVar("Version")


class WriteConflict(Exception):
    """The store refused a conditional write: the stored version is not the expected one."""


@dataclass(frozen=True)
class _Seen(Generic[Version]):
    """The stored version this backend last read or wrote (version None: nothing stored)."""

    version: Version | None
    state: State | None


class RemoteBackend(ABC, Generic[Version]):
    """A `StateBackend` over a store with conditional writes; subclasses supply the store."""

    def __init__(self, location: str, settings: LeaseSettings | None = None) -> None:
        self._location = location
        self._write_lock = threading.RLock()
        self._seen: _Seen[Version] | None = None
        self._lease = LeaseLock(self, settings or LeaseSettings.from_env(), location)

    # -- what a subclass provides -------------------------------------------------------

    @abstractmethod
    def read_stored(self) -> tuple[bytes, Version] | None:
        """The stored state document and its version, or None when there is none."""

    @abstractmethod
    def write_stored(self, data: bytes, state: State, expected: Version | None) -> Version:
        """Store `data` only if the stored version is `expected` (None: only if absent).

        Returns the new version; raises WriteConflict when the store refuses.
        """

    @abstractmethod
    def lease_read(self) -> tuple[LockHolder, str] | None:
        """The lease record and its version (an ETag, a row's nonce), or None when there is none."""

    @abstractmethod
    def lease_create(self, holder: LockHolder) -> str | None:
        """Create the lease only if none exists; its version, or None."""

    @abstractmethod
    def lease_replace(self, holder: LockHolder, expected: str) -> str | None:
        """Replace the lease only if still at `expected`; the new version, or None."""

    @abstractmethod
    def lease_delete(self, expected: str | None) -> bool:
        """Delete the lease (only if at `expected` unless None); whether it was deleted."""

    @abstractmethod
    def journal(self) -> RecordJournal:
        """The apply journal kept in the same store."""

    def check_store(self) -> None:
        """Verify the store before the first change (e.g. that it honours conditions)."""

    def close(self) -> None:
        """Release connections."""

    # -- StateBackend -------------------------------------------------------------------

    @property
    def location(self) -> str:
        """The backend URL, passwords masked."""
        return self._location

    @property
    def backup_location(self) -> str | None:
        """Remote stores keep no backup copy of their own (use the store's versioning)."""
        return None

    def exists(self) -> bool:
        """Whether a state is stored."""
        return self.read_stored() is not None

    def load(self) -> State:
        """The stored state, upgraded; a new state (same one every call) when none is stored."""
        with self._write_lock:
            found = self.read_stored()
            if found is None:
                seen = self._seen
                if seen is None or seen.version is not None or seen.state is None:
                    seen = self._seen = _Seen(None, State.new())
                assert seen.state is not None
                return seen.state
            state = self._parse(found[0])
            self._seen = _Seen(found[1], state)
            return state

    def _parse(self, data: bytes) -> State:
        try:
            return parse_document(data)
        except StateError as exc:
            raise StateError(f"the state at {self.location} is unusable: {exc.message}") from None

    def write(self, state: State) -> State:
        """Store `state` with serial + 1, only if the store still holds what this run read."""
        with self._write_lock:
            seen = self._seen if self._seen is not None else self._reread()
            if seen.state is not None and seen.version is not None:
                self._check_newer(seen.state, state)
            bump = {"serial": state.serial + 1, "format_version": FORMAT_VERSION}
            return self._store(state.model_copy(update=bump), seen.version)

    def _reread(self) -> _Seen[Version]:
        self.load()
        assert self._seen is not None
        return self._seen

    def _check_newer(self, stored: State, state: State) -> None:
        if state.lineage != stored.lineage:
            raise StateError(
                f"refusing to overwrite the state at {self.location}: it has lineage "
                f"{stored.lineage}, the state being written has {state.lineage}"
            )
        if state.serial < stored.serial:
            raise StateError(
                f"refusing to overwrite the state at {self.location}: it was written since it "
                f"was read (serial {stored.serial} stored, {state.serial} in this run); run again"
            )

    def _store(self, state: State, expected: Version | None) -> State:
        self._check_writable()
        new, data = serialise(state)
        try:
            version = self.write_stored(data, new, expected)
        except WriteConflict:
            self._seen = None
            raise StateError(
                f"refusing to overwrite the state at {self.location}: another run wrote it "
                f"since this run read it (this run's write would be serial {new.serial}); "
                "nothing was written by this run, run again"
            ) from None
        self._seen = _Seen(version, new)
        return new

    def _check_writable(self) -> None:
        self.check_store()
        if self._lease.lost.is_set():
            raise StateLockedError(
                f"this run lost the state lock at {self.location} to another run; "
                "stopping before writing the state"
            )

    def update(self, change: Callable[[State], State]) -> State:
        """Apply `change` to the latest state and write it: one store round trip when warm."""
        with self._write_lock:
            seen = self._seen
            current = seen.state if seen is not None and seen.state is not None else self.load()
            return self.write(change(current))

    def put(self, state: State, *, force: bool = False) -> State:
        """Store `state` exactly (serial and lineage kept) for `state push` / `state pull`."""
        with self._write_lock:
            found = self.read_stored()
            if found is not None and not force:
                check_replace(self.location, self._parse(found[0]), state)
            exact = state.model_copy(update={"format_version": FORMAT_VERSION})
            return self._store(exact, None if found is None else found[1])

    @contextlib.contextmanager
    def lock(self, *, command: str, timeout: float = 0) -> Iterator[None]:
        """Hold the leased run lock for the block (see `rampctl.state.lease`)."""
        self.check_store()
        with self._lease.hold(command=command, timeout=timeout):
            self._seen = None  # what was read before the lock may be stale
            yield

    @property
    def recovered_holder(self) -> LockHolder | None:
        """The expired lease the last `lock` took over, if any."""
        return self._lease.recovered

    def holder(self) -> LockHolder | None:
        """Who holds (or held, if expired) the lock."""
        found = self.lease_read()
        return None if found is None else found[0]

    def is_locked(self) -> bool:
        """Whether an unexpired lease exists."""
        found = self.lease_read()
        return found is not None and not expired(found[0])

    def force_unlock(self) -> LockHolder | None:
        """Delete the lease whoever holds it; return that holder."""
        holder = self.holder()
        self.lease_delete(None)
        return holder
