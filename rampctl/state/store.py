"""Reading and writing the state file: validation, upgrades, atomic writes, backup, lock.

Files beside the state file `S`:
`S.backup` the previous version; `S.journal` the apply journal; `S.lock` the OS lock;
`S.lock.json` who holds the lock.
"""

from __future__ import annotations

import contextlib
import gc
import glob
import hashlib
import hmac
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from rampctl.errors import StateError
from rampctl.sensitive import SENSITIVE_KEYS
from rampctl.state import strict
from rampctl.state.batches import validate_in_batches
from rampctl.state.files import atomic_write, fsync_dir, snapshot, write_temp
from rampctl.state.journal import Journal
from rampctl.state.lock import LockHolder, StateLock
from rampctl.state.model import FORMAT_VERSION, State, sensitive_paths
from rampctl.state.upgrade import upgrade

log = logging.getLogger("rampctl.state")

_SENSITIVE_KEY = re.compile(
    rb'"(' + b"|".join(re.escape(k.encode()) for k in sorted(SENSITIVE_KEYS)) + rb')"\s*:',
    re.IGNORECASE,
)


@dataclass(frozen=True, kw_only=True)
class _Seen:
    """The identity of the file on disk as this store last read or wrote it."""

    inode: int
    mtime_ns: int
    size: int
    lineage: str
    serial: int
    binding: tuple[str | None, str | None]


class StateStore:
    """The local file backend: one state file and its companions.

    `write` is safe to call from several threads. Implements `StateBackend`.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.backup_path = self._beside(".backup")
        self.journal_path = self._beside(".journal")
        self.lock_path = self._beside(".lock")
        self.holder_path = self._beside(".lock.json")
        self._lock = StateLock(lock_path=self.lock_path, holder_path=self.holder_path)
        self._write_lock = threading.RLock()
        self._seen: _Seen | None = None
        self._current: State | None = None

    def _beside(self, suffix: str) -> Path:
        return self.path.with_name(self.path.name + suffix)

    @property
    def location(self) -> str:
        """The state file's path, for messages."""
        return str(self.path)

    @property
    def backup_location(self) -> str | None:
        """The backup file beside the state file."""
        return str(self.backup_path)

    def exists(self) -> bool:
        """Whether the state file exists."""
        return self.path.exists()

    def close(self) -> None:
        """Nothing to release: every operation opens and closes its own files."""

    def load(self) -> State:
        """The state on disk, upgraded to the current format; a new state when there is none.

        Raises StateError, naming the problem, when the file is unreadable, corrupt, or of an
        unknown format.
        """
        with self._write_lock:
            try:
                with open(self.path, "rb") as handle:
                    data = handle.read()
                    own = own_writing(handle.fileno(), data)
                stat = os.stat(self.path)
            except FileNotFoundError:
                return self._missing()
            except OSError as exc:
                problem = f"cannot read the state file {self.path}: {exc.strerror}"
                raise StateError(problem) from None
            state = self.parse(data, own_writing=own)
            self._remember(stat, state)
            return state

    def _missing(self) -> State:
        """The state to start from when there is no file: the same new state every call."""
        if self._seen is None and self._current is not None:
            return self._current
        if self.backup_path.exists():
            log.warning("no state file at %s, but a backup exists beside it", self.path)
        self._seen = None
        self._current = State.new()
        return self._current

    def parse(self, data: bytes, *, own_writing: bool = False) -> State:
        """Validate a state document (any known format); StateError naming the problem.

        `own_writing`: the bytes are proven to be ones rampctl wrote (`own_writing`).
        """
        try:
            return parse_document(data, own_writing=own_writing)
        except StateError as exc:
            raise self._corrupt(exc.message) from None

    def _corrupt(self, problem: str) -> StateError:
        backup = self.backup_path
        hint = f"; the previous version is in {backup}" if backup.exists() else ""
        return StateError(f"the state file {self.path} is unusable: {problem}{hint}")

    def write(self, state: State) -> State:
        """Write `state` with serial + 1 and return that copy; the argument is not changed.

        Refuses (StateError) a state of another lineage than the file's, or one based on an
        older serial than the file's. Atomic, mode 0600; the replaced version becomes the backup.
        """
        with self._write_lock:
            self._check_newer(state)
            bump = {"serial": state.serial + 1, "format_version": FORMAT_VERSION}
            return self._replace(state.model_copy(update=bump), backup=self.path.exists())

    def put(self, state: State, *, force: bool = False) -> State:
        """Write `state` exactly (serial and lineage kept), for `state push` / `state pull`.

        Refuses another lineage or a lower serial than the file's unless `force`.
        """
        with self._write_lock:
            current = self.load() if self.exists() else None
            if current is not None and not force:
                check_replace(self.location, current, state)
            update = {"format_version": FORMAT_VERSION}
            return self._replace(state.model_copy(update=update), backup=current is not None)

    def _replace(self, state: State, *, backup: bool) -> State:
        """Write `state` over the file atomically, keeping the old file as the backup."""
        new, data = serialise(state)
        temp = write_temp(self.path, data)
        mark_own_writing(temp, data)
        try:
            if backup:
                snapshot(self.path, self.backup_path)
            os.replace(temp, self.path)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        fsync_dir(self.path.parent)
        self._remember(os.stat(self.path), new)
        return new

    def update(self, change: Callable[[State], State]) -> State:
        """Apply `change` to the latest state and write the result, as one step (thread-safe).

        For concurrent workers: each sees the state the previous one wrote.
        """
        with self._write_lock:
            current = self._current if self._fresh() and self._current else self.load()
            return self.write(change(current))

    def _fresh(self) -> bool:
        seen = self._seen
        if seen is None:
            return False
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            return False
        now = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        return now == (seen.inode, seen.mtime_ns, seen.size)

    def _check_newer(self, state: State) -> None:
        on_disk = self._on_disk()
        if on_disk is None:
            return
        lineage, serial, binding = on_disk
        if None not in binding and (state.environment, state.business_id) != binding:
            raise StateError(
                f"refusing to overwrite {self.path}: it belongs to Ramp business {binding[1]} "
                f"at {binding[0]}, the state being written to {state.business_id} "
                f"at {state.environment}"
            )
        if state.lineage != lineage:
            raise StateError(
                f"refusing to overwrite {self.path}: it has lineage {lineage}, the state being "
                f"written has {state.lineage} (a different state file)"
            )
        if state.serial < serial:
            raise StateError(
                f"refusing to overwrite {self.path}: it was written since it was read "
                f"(serial {serial} on disk, {state.serial} in this run); run again"
            )

    def _on_disk(self) -> tuple[str, int, tuple[str | None, str | None]] | None:
        if self._fresh() and self._seen is not None:
            return self._seen.lineage, self._seen.serial, self._seen.binding
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        state = self.parse(data)
        return state.lineage, state.serial, (state.environment, state.business_id)

    def _remember(self, stat: os.stat_result, state: State) -> None:
        self._seen = _Seen(
            inode=stat.st_ino,
            mtime_ns=stat.st_mtime_ns,
            size=stat.st_size,
            lineage=state.lineage,
            serial=state.serial,
            binding=(state.environment, state.business_id),
        )
        self._current = state

    @contextmanager
    def lock(self, *, command: str, timeout: float = 0) -> Iterator[None]:
        """Hold the state lock for the block; StateLockedError naming the holder when taken.

        Waits up to `timeout` seconds for another run to finish. A lock left by a killed run
        is taken over (and reported in `recovered_holder` and the log).
        """
        with self._lock.hold(command=command, timeout=timeout):
            self._sweep()
            yield

    def _sweep(self) -> None:
        """Remove temporary files a killed writer left (safe: every writer holds the lock)."""
        names = (glob.escape(self.path.name), glob.escape(self.backup_path.name))
        for pattern in (f".{names[0]}.*.tmp", f".{names[1]}.*.link"):
            for leftover in self.path.parent.glob(pattern):
                log.debug("removing %s left by an interrupted write", leftover)
                leftover.unlink(missing_ok=True)

    def journal(self) -> Journal:
        """The apply journal beside this state file."""
        return Journal(self.journal_path)

    @property
    def recovered_holder(self) -> LockHolder | None:
        """The stale lock holder the last `lock` took over from, if any."""
        return self._lock.recovered

    def holder(self) -> LockHolder | None:
        """Who holds (or last held, if it died) the lock, as recorded in the holder note."""
        return self._lock.holder()

    def is_locked(self) -> bool:
        """Whether a run holds the lock right now."""
        return self._lock.is_held()

    def force_unlock(self) -> LockHolder | None:
        """Break the lock (see `StateLock.force_unlock`); return the holder it belonged to."""
        return self._lock.force_unlock()

    def restore_backup(self) -> State:
        """Make the backup the state file again (atomically); return it."""
        with self._write_lock:
            try:
                data = self.backup_path.read_bytes()
            except FileNotFoundError:
                raise StateError(f"there is no backup at {self.backup_path}") from None
            state = self.parse(data)
            atomic_write(self.path, data)
            self._remember(os.stat(self.path), state)
            return state


OWN_WRITING_ATTRIBUTE = "user.rampctl.sha256"
"""The extended attribute a state file rampctl writes carries: the SHA-256 of its bytes.

It is set on the new file before the file replaces the state, so the bytes and their digest
arrive together. A file whose bytes still have that digest is exactly what rampctl wrote, and
`serialise` refused to write anything but strict JSON: loading it skips reading its bytes
again as strict JSON (at 100,000 objects about a third of a load's CPU). A file edited,
copied or written by anything else lacks the attribute or no longer matches it, and is
checked in full; so is every file where extended attributes are not kept (no `os.setxattr`,
or a filesystem without user attributes)."""


def mark_own_writing(path: Path, data: bytes) -> None:
    """Record on the file at `path`, holding `data`, that rampctl wrote it (where possible)."""
    setxattr = getattr(os, "setxattr", None)
    if setxattr is None:  # pragma: no cover - platforms without extended attributes
        return
    with contextlib.suppress(OSError):
        setxattr(path, OWN_WRITING_ATTRIBUTE, hashlib.sha256(data).hexdigest().encode())


def own_writing(fd: int, data: bytes) -> bool:
    """Whether the open file `fd`, read as `data`, is exactly what rampctl wrote."""
    getxattr = getattr(os, "getxattr", None)
    if getxattr is None:  # pragma: no cover - platforms without extended attributes
        return False
    try:
        recorded = getxattr(fd, OWN_WRITING_ATTRIBUTE)
    except OSError:  # no attribute, or none kept here
        return False
    return hmac.compare_digest(recorded, hashlib.sha256(data).hexdigest().encode())


_CURRENT_FORMAT = re.compile(rb'\A\s*\{\s*"format_version"\s*:\s*(\d+)\s*[,}]')
"""How a state document of this rampctl's format starts (as `serialise` writes it)."""


def parse_document(data: bytes, *, own_writing: bool = False) -> State:
    """Validate a stored state document of any known format; StateError saying what is wrong.

    A document in the current format and in the layout rampctl writes is validated in
    batches of entries straight from its JSON (`rampctl.state.batches`: at 100,000 objects
    about half the CPU and memory of building the whole JSON tree first); any other, and any
    document that fails that way, goes through `upgrade` and names the problem. Both read
    it as strict JSON (`rampctl.state.strict`): a repeated key or a NaN is refused, except
    in batches when `own_writing` (see `validate_in_batches`).
    """
    current = _CURRENT_FORMAT.match(data)
    if current is not None and int(current.group(1)) == FORMAT_VERSION:
        try:
            with paused_gc():
                state = validate_in_batches(data, own_writing=own_writing)
            if state is not None:
                return state
        except ValidationError:
            pass
    return _validate_whole(data)


def _validate_whole(data: bytes) -> State:
    """A document of any known format validated whole, read as strict JSON and upgraded."""
    try:
        doc = strict.loads(data)
    except StateError:
        raise
    except (ValueError, UnicodeDecodeError) as exc:
        raise StateError(f"it is not valid JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise StateError("it is not a JSON object")
    upgraded = upgrade(doc)
    try:
        with paused_gc():
            return State.model_validate(upgraded)
    except ValidationError as exc:
        raise StateError(_describe(exc)) from None


def check_replace(location: str, current: State, incoming: State) -> None:
    """Refuse to replace `current` by `incoming` of another lineage or an older serial."""
    if current.lineage != incoming.lineage:
        raise StateError(
            f"refusing to overwrite the state at {location}: it has lineage {current.lineage}, "
            f"the state being pushed {incoming.lineage} (use --force to replace it)"
        )
    if current.serial > incoming.serial:
        raise StateError(
            f"refusing to overwrite the state at {location}: its serial {current.serial} is "
            f"newer than the one being pushed ({incoming.serial}); use --force to replace it"
        )


def serialise(state: State) -> tuple[State, bytes]:
    """The stored bytes for `state` (refusing sensitive fields), and a validated copy."""
    with paused_gc():  # sorting makes a pair per object: no cycles to find among them
        ordered = dict(sorted(state.resources.items()))
    text = state.model_copy(update={"resources": ordered}).model_dump_json(indent=2)
    data = text.encode("utf-8") + b"\n"
    if _SENSITIVE_KEY.search(data):  # fast screen; name the exact fields only when it hits
        leaks = sensitive_paths(json.loads(data)["resources"])
        if leaks:
            fields = ", ".join(leaks)
            raise StateError(f"refusing to write sensitive fields to the state file: {fields}")
    try:
        if b"NaN" in data or b"Infinity" in data:  # written as such: see `model._STRICT`
            strict.loads(data)  # refuses a number, passes a string holding the word
        copy = parse_document(data, own_writing=True)
    except StateError as exc:
        raise StateError(f"refusing to write an invalid state: {exc.message}") from None
    return copy, data


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cycle collector while a state is built.

    Building one allocates several container objects per managed object, none of them in a
    cycle; left on, the collector walks the growing heap again and again (at 100,000 objects
    it doubles the load's CPU). Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_SAME_MESSAGE = {"unexpected_keyword_argument": "Extra inputs are not permitted"}
"""One wording for an unknown field, in an entry (a dataclass) as at the top (a model)."""


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors()[:5]:
        where = ".".join(str(part) for part in error["loc"]) or "(top level)"
        problems.append(f"{where}: {_SAME_MESSAGE.get(error['type'], error['msg'])}")
    more = len(exc.errors()) - len(problems)
    text = "; ".join(problems)
    return text + (f" (and {more} more)" if more > 0 else "")
