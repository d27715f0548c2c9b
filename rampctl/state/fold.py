"""Durability through the journal: each write's state entry is appended, the state folded later.

Apply records the outcome of every Ramp write as one small journal record (`record`), durable
when it returns, instead of rewriting the whole state. The stored state is brought up to date
("folded": stored state + the journal's entries, written once, compare-and-swap) at the end of
an apply, when the run lock is released (a signal ends the run that way too), and every
`FoldPolicy.writes` writes or `FoldPolicy.seconds` seconds. So an apply costs O(1) per write
plus one whole-state write per fold, on every backend (one object or row write per fold).

Each state record carries the state's lineage and the serial the state has once the record is
applied. Loading reads the stored state (serial S) and applies the records numbered S+1, S+2,
... in order: records at or below S were folded already (a crash between a fold and the
journal's cleanup), so a fold interrupted at any point is repeated exactly once. A `reset`
record (written when a state is replaced wholesale) voids every record before it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from pydantic import JsonValue

from rampctl.errors import StateError
from rampctl.state.backend import ApplyJournal, StateBackend
from rampctl.state.journal import JournalEntry, Record
from rampctl.state.lock import LockHolder
from rampctl.state.model import ResourceState, State, is_address, sensitive_paths

log = logging.getLogger("rampctl.state")

STATE_RECORD = "state"
"""`type` of a journal record that carries one state change."""
RESET_RECORD = "reset"
"""`type` of a journal record that voids the state records before it."""

FOLD_EVERY_WRITES = 1000
"""Default: fold after this many writes (or a tenth of the managed objects, if more)."""
FOLD_EVERY_SECONDS = 30.0
"""Default: fold when the last fold is this old and a write arrives."""


@dataclass(frozen=True, kw_only=True)
class FoldPolicy:
    """When apply folds the journal into the state between the end-of-run folds."""

    writes: int = FOLD_EVERY_WRITES
    """Fold after this many unfolded writes, or a tenth of the managed objects if more."""
    seconds: float = FOLD_EVERY_SECONDS
    """Fold when this many seconds passed since the last fold."""

    @classmethod
    def from_env(cls) -> FoldPolicy:
        """The defaults, overridden by RAMPCTL_FOLD_EVERY and RAMPCTL_FOLD_SECONDS."""
        return cls(
            writes=_env_number("RAMPCTL_FOLD_EVERY", FOLD_EVERY_WRITES, int, minimum=1),
            seconds=_env_number("RAMPCTL_FOLD_SECONDS", FOLD_EVERY_SECONDS, float, minimum=0),
        )

    def due(self, *, unfolded: int, managed: int, elapsed_s: float, fold_s: float = 0) -> bool:
        """Whether the unfolded writes should be folded now.

        `fold_s`: how long the last fold took; folds by time stay under 5% of the run's time
        (a fold of a large state can take longer than `seconds` on a busy machine).
        """
        if unfolded <= 0:
            return False
        if unfolded >= max(self.writes, managed // 10):
            return True
        return elapsed_s >= max(self.seconds, 20 * fold_s)


_Number = TypeVar("_Number", int, float)


def _env_number(
    name: str, default: _Number, kind: Callable[[str], _Number], *, minimum: float
) -> _Number:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        raise StateError(f"{name}={text!r} is not a number") from None
    if value < minimum:
        raise StateError(f"{name} must be at least {minimum}")
    return value


class _Journal:
    """The backend's journal as apply sees it: clearing it folds the state first."""

    def __init__(self, owner: JournaledBackend, inner: ApplyJournal) -> None:
        self._owner = owner
        self._inner = inner

    def intend(self, *, op_id: str, address: str, action: str, key: str | None) -> None:
        """Record that a write is about to be sent (durable when this returns)."""
        self._inner.intend(op_id=op_id, address=address, action=action, key=key)

    def outcome(self, *, op_id: str, status: str, ramp_id: str | None = None) -> None:
        """Record how a write ended (durable when this returns)."""
        self._inner.outcome(op_id=op_id, status=status, ramp_id=ramp_id)

    def entries(self) -> list[JournalEntry]:
        """Every intended operation with its latest status."""
        return self._inner.entries()

    def pending(self) -> list[JournalEntry]:
        """Operations whose outcome is unknown."""
        return self._inner.pending()

    def append(self, record: Record) -> None:
        """Append a state or reset record (durable when this returns)."""
        self._inner.append(record)

    def records(self) -> list[Record]:
        """Every record, oldest first."""
        return self._inner.records()

    def clear(self) -> None:
        """Fold the journal's state records into the state, then forget every record."""
        self._owner.fold()
        self._inner.clear()


class JournaledBackend:
    """A `StateBackend` whose writes during apply go to its journal and are folded later.

    Wraps any backend (file, S3, PostgreSQL). `load` returns the folded view (stored state +
    unfolded journal records); while this run holds the lock, loading also stores that view.
    """

    def __init__(self, backend: StateBackend, policy: FoldPolicy | None = None) -> None:
        self.backend = backend
        self.policy = policy or FoldPolicy.from_env()
        self._lock = threading.RLock()
        self._journal: _Journal | None = None
        self._view: State | None = None
        self._resources: dict[str, ResourceState] = {}
        self._shown: State | None = None  # `current()`'s copy, until the next change
        self._unfolded = 0
        self._last_fold = time.monotonic()
        self._fold_s = 0.0
        self._holding = False
        self.after_fold: Callable[[], None] = _nothing
        """Called after each fold's write (apply's crash-safety tests kill the run there)."""

    # -- the folded view ----------------------------------------------------------------

    def load(self) -> State:
        """The stored state with the journal's unfolded writes applied (stored, when locked)."""
        with self._lock:
            stored = self.backend.load()
            records = self.journal().records()
            view, resources, count = replay(
                stored, records, new=not self.backend.exists(), location=self.location
            )
            self._set_view(view, resources, count)
            if count and self._holding:
                self.fold()
            return self.current()

    def current(self) -> State:
        """The folded view as this run last saw it (loading it the first time).

        A copy of the whole state when writes are unfolded (made once per change): for a
        step that needs all of it. Per write, use `entry` and `ramp_ids`, which cost O(1).
        """
        with self._lock:
            if self._view is None:
                return self.load()
            if not self._unfolded:
                return self._view
            if self._shown is None:
                self._shown = self._view.model_copy(update={"resources": dict(self._resources)})
            return self._shown

    def entry(self, address: str) -> ResourceState | None:
        """The folded view's entry at `address`, if any (O(1): no copy of the state)."""
        with self._lock:
            if self._view is None:
                self.load()
            return self._resources.get(address)

    def ramp_ids(self) -> Mapping[str, str]:
        """Ramp's id of each address in the folded view, as it is when read (O(1))."""
        return _RampIds(self)

    def _set_view(self, view: State, resources: dict[str, ResourceState], unfolded: int) -> None:
        self._view, self._resources, self._unfolded = view, resources, unfolded
        self._shown = None
        self._last_fold = time.monotonic()

    def record(
        self, address: str, entry: ResourceState | None, *, binding: tuple[str, str]
    ) -> None:
        """Journal one write's state change (`entry` None: forget `address`); fold when due."""
        with self._lock:
            base = self._view if self._view is not None else self.load()
            base.check_binding(*binding)  # refuses a state of another environment or business
            bind = list(binding) if base.business_id is None else None
            serial = base.serial + 1
            payload = None if entry is None else entry.model_dump(mode="json")
            _refuse_sensitive(address, payload)
            record: Record = {
                "type": STATE_RECORD,
                "lineage": base.lineage,
                "serial": serial,
                "address": address,
                "entry": payload,
                "bind": None if bind is None else [bind[0], bind[1]],
            }
            self.journal().append(record)
            self._apply(base, address, entry, bind, serial)
            if self.policy.due(
                unfolded=self._unfolded,
                managed=len(self._resources),
                elapsed_s=time.monotonic() - self._last_fold,
                fold_s=self._fold_s,
            ):
                self.fold()

    def carry(self, update: dict[str, dict[str, JsonValue]]) -> None:
        """Merge `update` (state fields that are dicts) into the view, stored by the next write.

        For what an apply learns besides its writes (what this Ramp can do): it costs no write
        and no serial of its own; a run that writes nothing stores nothing.
        """
        with self._lock:
            base = self._view if self._view is not None else self.load()
            merged = {k: {**getattr(base, k), **v} for k, v in update.items() if v}
            if any(getattr(base, k) != v for k, v in merged.items()):
                self._view = base.model_copy(update=merged)
                self._shown = None

    def _apply(
        self,
        base: State,
        address: str,
        entry: ResourceState | None,
        bind: list[str] | None,
        serial: int,
    ) -> None:
        _change(self._resources, address, entry)
        update: dict[str, object] = {"serial": serial}  # resources: see `current`
        if bind is not None:
            update.update(environment=bind[0], business_id=bind[1])
        self._view = base.model_copy(update=update)
        self._shown = None
        self._unfolded += 1

    def fold(self) -> State:
        """Store the folded view (one compare-and-swap write) if the journal has unfolded writes."""
        with self._lock:
            if self._view is None or not self._unfolded:
                return self.current()
            view = self.current()
            started = time.monotonic()
            stored = self.backend.write(view.model_copy(update={"serial": view.serial - 1}))
            self._fold_s = time.monotonic() - started
            self.after_fold()
            self._set_view(stored, dict(stored.resources), 0)
            return stored

    # -- StateBackend, by delegation -------------------------------------------------------

    @property
    def location(self) -> str:
        """Where the state is, for messages."""
        return self.backend.location

    @property
    def backup_location(self) -> str | None:
        """Where the previous version is kept, if the backend keeps one."""
        return self.backend.backup_location

    def exists(self) -> bool:
        """Whether a state has been stored (or journaled) here."""
        return self.backend.exists() or self._unfolded > 0

    def write(self, state: State) -> State:
        """Store `state` with serial + 1 (compare-and-swap), journaled writes included."""
        with self._lock:
            stored = self.backend.write(state)
            self._set_view(stored, dict(stored.resources), 0)
            return stored

    def update(self, change: Callable[[State], State]) -> State:
        """Apply `change` to the folded view and store the result as one write."""
        with self._lock:
            return self.write(change(self.current()))

    def put(self, state: State, *, force: bool = False) -> State:
        """Store `state` exactly; the journal's earlier state records no longer apply."""
        with self._lock:
            self.fold()
            stored = self.backend.put(state, force=force)
            self.journal().append({"type": RESET_RECORD, "serial": stored.serial})
            self._set_view(stored, dict(stored.resources), 0)
            return stored

    @contextmanager
    def lock(self, *, command: str, timeout: float = 0) -> Iterator[None]:
        """Hold the run lock for the block; the journal is folded before it is released."""
        with self.backend.lock(command=command, timeout=timeout):
            self._holding = True
            self._view = None  # what was read before the lock may be stale
            try:
                yield
            except BaseException:
                self._fold_quietly()
                raise
            else:
                self.fold()
            finally:
                self._holding = False

    def _fold_quietly(self) -> None:
        """Fold on the way out of a failed run; if that fails too, the next load folds."""
        try:
            self.fold()
        except Exception as exc:  # the journal still holds every write: nothing is lost
            log.warning("could not fold the journal into the state at %s: %s", self.location, exc)

    def journal(self) -> _Journal:
        """The apply journal kept with the state; `clear` folds before forgetting."""
        with self._lock:
            if self._journal is None:
                self._journal = _Journal(self, self.backend.journal())
            return self._journal

    @property
    def recovered_holder(self) -> LockHolder | None:
        """The holder of a dead run's lock the last `lock` took over, if any."""
        return self.backend.recovered_holder

    def holder(self) -> LockHolder | None:
        """Who holds (or last held) the lock."""
        return self.backend.holder()

    def is_locked(self) -> bool:
        """Whether a live run holds the lock right now."""
        return self.backend.is_locked()

    def force_unlock(self) -> LockHolder | None:
        """Break the lock; return whom it belonged to."""
        return self.backend.force_unlock()

    def close(self) -> None:
        """Release the backend's connections and threads."""
        self.backend.close()


class _RampIds(Mapping[str, str]):
    """A read-only view of the Ramp ids in a `JournaledBackend`'s folded view."""

    def __init__(self, owner: JournaledBackend) -> None:
        self._owner = owner

    def __getitem__(self, address: str) -> str:
        entry = self._owner.entry(address)
        if entry is None:
            raise KeyError(address)
        return entry.ramp_id

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._owner.current().resources))

    def __len__(self) -> int:
        return len(self._owner.current().resources)


def _nothing() -> None:
    return None


def journaled(backend: StateBackend) -> JournaledBackend:
    """`backend` with journal durability (itself when it already has it)."""
    return backend if isinstance(backend, JournaledBackend) else JournaledBackend(backend)


def replay(
    stored: State, records: list[Record], *, new: bool, location: str
) -> tuple[State, dict[str, ResourceState], int]:
    """The stored state with the journal's unfolded state records applied, and their count.

    `new`: nothing is stored yet, so the records' lineage is the state's.
    """
    pending = _after_last_reset(records)
    if new and pending:
        stored = stored.model_copy(update={"lineage": str(pending[0].get("lineage"))})
    resources = dict(stored.resources)
    update: dict[str, object] = {}
    serial = stored.serial
    for record in pending:
        if record.get("lineage") != stored.lineage or _serial(record) <= serial:
            continue  # another state's record, or one already folded into the stored state
        if _serial(record) != serial + 1:
            log.warning(
                "the journal of %s skips from serial %d to %d; ignoring its later records "
                "(the next plan finds their objects in Ramp by key)",
                location,
                serial,
                _serial(record),
            )
            break
        serial += 1
        _change(resources, str(record["address"]), _entry(record, location))
        bind = record.get("bind")
        if isinstance(bind, list) and bind:
            update.update(environment=bind[0], business_id=bind[1])
    count = serial - stored.serial
    if not count:
        return stored, resources, 0
    view = stored.model_copy(update={**update, "serial": serial, "resources": dict(resources)})
    return view, resources, count


def _after_last_reset(records: list[Record]) -> list[Record]:
    kept: list[Record] = []
    for record in records:
        kind = record.get("type")
        if kind == RESET_RECORD:
            kept = []
        elif kind == STATE_RECORD:
            kept.append(record)
    return kept


def _serial(record: Record) -> int:
    value = record.get("serial")
    return value if isinstance(value, int) else -1


def _entry(record: Record, location: str) -> ResourceState | None:
    address, payload = record.get("address"), record.get("entry")
    if not isinstance(address, str) or not is_address(address):
        raise StateError(f"the journal of {location} has a state record without an address")
    if payload is None:
        return None
    try:
        return ResourceState.model_validate(payload)
    except ValueError as exc:
        raise StateError(
            f"the journal of {location} has an invalid entry for {address}: {exc}"
        ) from None


def _change(resources: dict[str, ResourceState], address: str, entry: ResourceState | None) -> None:
    if entry is None:
        resources.pop(address, None)
    else:
        resources[address] = entry


def _refuse_sensitive(address: str, payload: Record | None) -> None:
    leaks = sensitive_paths(payload or {})
    if leaks:
        raise StateError(
            f"refusing to write sensitive fields of {address} to the journal: {', '.join(leaks)}"
        )
