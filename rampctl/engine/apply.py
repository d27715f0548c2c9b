"""Apply: carry out a plan's changes level by level, each write's outcome journaled at once.

Within a level changes run in waves (a change after those of its level it depends on, e.g.
a user after the new user who is their manager); within a wave they are independent and run
with bounded parallelism under the client's shared rate limiter. A failure stops what
depends on it; by default no new change starts after a failure (`continue_on_error` finishes the
independent ones). A stop request (a signal, or Ramp asking for a wait longer than a run
waits) starts no new write.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from pydantic import JsonValue

from rampctl.engine.changes import NO_WRITE, Action, Change
from rampctl.engine.crashpoints import crash_point
from rampctl.engine.intents import intent_record, is_intended
from rampctl.engine.record import StateRecorder
from rampctl.engine.settle import invite_record, is_invite
from rampctl.engine.snapshot import Snapshot
from rampctl.engine.writes import WriteResult, perform, resolve_refs
from rampctl.errors import (
    OutcomeUncertainError,
    RampctlError,
    RampWaitTooLongError,
    StateError,
    StateNotSavedError,
)
from rampctl.ramp.client import RampClient
from rampctl.state.backend import ApplyJournal
from rampctl.state.journal import NOT_SENT
from rampctl.words import count

log = logging.getLogger("rampctl.apply")


class ApplyHooks(Protocol):
    """Progress callbacks; the CLI draws a progress bar or log lines from them."""

    def started(self, change: Change) -> None:
        """A write is about to be sent."""

    def finished(self, change: Change, error: str | None, *, uncertain: bool = False) -> None:
        """A write ended (error is None on success; `uncertain`: it may have happened)."""


@dataclass(frozen=True, kw_only=True)
class ApplySettings:
    """How to run the writes."""

    parallelism: int = 4
    continue_on_error: bool = False
    #: After a stop request, how long to wait for writes in flight before leaving them
    #: uncertain (the CLI must exit within 10 s of a signal).
    stop_grace_s: float = 8.0


@dataclass(kw_only=True)
class ApplyReport:
    """What happened to each change: done, failed (with why), uncertain, not started."""

    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    uncertain: dict[str, str] = field(default_factory=dict)
    not_started: list[str] = field(default_factory=list)
    manual: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every change was done."""
        return not (self.failed or self.uncertain or self.not_started)


def waves(level: list[Change]) -> list[list[Change]]:
    """One level's changes in waves: each change after those of its level it depends on
    (a user invited after the new user who is their direct manager), in order otherwise."""
    here = {c.address for c in level}
    if not any(d in here for c in level for d in c.depends_on):
        return [level]
    out: list[list[Change]] = []
    done: set[str] = set()
    rest = level
    while rest:
        ready = [c for c in rest if all(d in done or d not in here for d in c.depends_on)]
        ready = ready or rest  # a cycle (validation refuses them): its references fail clearly
        out.append(ready)
        taken = {id(c) for c in ready}
        done |= {c.address for c in ready}
        rest = [c for c in rest if id(c) not in taken]
    return out


@dataclass(kw_only=True)
class Applier:
    """Runs one plan's changes against Ramp and records each outcome."""

    client: RampClient
    recorder: StateRecorder
    journal: ApplyJournal
    hooks: ApplyHooks
    settings: ApplySettings
    stop: threading.Event
    report: ApplyReport = field(default_factory=ApplyReport)
    fatal: BaseException | None = None
    in_flight: set[str] = field(default_factory=set)
    """Writes let through to Ramp and not answered yet (uncertain if the run is left)."""
    _taken: set[str] = field(default_factory=set)
    """Changes a worker took and is journaling, not yet let through to Ramp."""
    _left: bool = False
    """Set when a stop's grace ran out: the report is final and no write is let through."""
    _skipped: set[str] = field(default_factory=set)
    """`report.not_started` as a set, for the dependency check."""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, changes: list[Change]) -> ApplyReport:
        """Apply `changes` (already in apply order) and report what happened."""
        self.report.manual = [c.address for c in changes if c.action is Action.MANUAL]
        levels: dict[int, list[Change]] = {}
        for change in changes:
            if change.action not in NO_WRITE:
                levels.setdefault(change.level, []).append(change)
        for level in sorted(levels):
            for batch in waves(levels[level]):
                if self._halted():
                    self._skip([c.address for c in batch])
                    continue
                self._run_level(batch)
        if self.fatal is not None:
            raise self.fatal
        return self.report

    def _halted(self) -> bool:
        failed = bool(self.report.failed or self.report.uncertain)
        return self.stop.is_set() or (failed and not self.settings.continue_on_error)

    def _run_level(self, batch: list[Change]) -> None:
        """Run one level with `parallelism` workers, each taking the next change when free.

        Nothing is queued ahead of the workers, so waiting costs the same per wake-up
        however many changes the level holds. After a stop, writes still in flight past
        the grace period are left uncertain and what no worker took is not started.
        """
        work = _Work(batch)
        workers = [
            threading.Thread(target=self._drain, args=(work,), name=f"apply-{i}")
            for i in range(max(1, min(self.settings.parallelism, len(batch))))
        ]
        for worker in workers:
            worker.start()
        if not self._joined(workers):
            self._abandon_in_flight()
        self._skip(work.rest())

    def _drain(self, work: _Work) -> None:
        while (change := work.take()) is not None:
            self._one(change)

    def _joined(self, workers: list[threading.Thread]) -> bool:
        """Wait for `workers`; False when a stop's grace period ran out first."""
        stopped_at: float | None = None
        for worker in workers:
            worker.join(0.2)
            while worker.is_alive():
                if self.stop.is_set():
                    stopped_at = stopped_at or time.monotonic()
                    if time.monotonic() - stopped_at > self.settings.stop_grace_s:
                        return False
                worker.join(0.2)
        return True

    def _abandon_in_flight(self) -> None:
        """After a stop, writes still waiting for Ramp are left to the next run's key lookup;
        the changes taken but not yet let through are not started (and never will be)."""
        with self._lock:
            self._left = True
            for address in sorted(self.in_flight):
                self.report.uncertain[address] = (
                    "still in flight when the run was stopped; the next run decides by key"
                )
            self._skip_locked(sorted(self._taken))
            self._taken.clear()

    def _one(self, change: Change) -> None:
        try:
            self._guarded(change)
        except BaseException as exc:  # e.g. the state could not be written: stop everything
            with self._lock:
                self.fatal = self.fatal or exc
                self.stop.set()

    def _guarded(self, change: Change) -> None:
        with self._lock:
            blocked = self._blocked_by(change)
            if self._halted() or blocked:
                self._skip_locked([change.address])
                return
            self._taken.add(change.address)
        self._write(change)

    def _blocked_by(self, change: Change) -> bool:
        report = self.report
        return any(
            dep in report.failed or dep in report.uncertain or dep in self._skipped
            for dep in change.depends_on
        )

    def _write(self, change: Change) -> None:
        op_id = uuid.uuid4().hex
        try:
            self.journal.intend(
                op_id=op_id, address=change.address, action=change.action.value, key=change.key
            )
        except OSError as exc:
            raise StateError(
                f"cannot write the apply journal: {exc.strerror or exc}{_where(exc)}; "
                f"nothing was sent for {change.address}"
            ) from None
        if not self._let_through(change):
            self._not_sent(op_id)
            return
        self.hooks.started(change)
        crash_point("before_send")
        outcome = self._send(change, op_id)
        with self._lock:
            self.in_flight.discard(change.address)
        crash_point("after_send")
        if isinstance(outcome, WriteResult):
            ramp_id = self._record(change, outcome)
            crash_point("after_state")
            self._outcome(change, op_id=op_id, status="done", ramp_id=ramp_id)
            self._mark(self.report.done.append, change.address)
            if outcome.contacts_unsupported:  # Ramp has no contact endpoint: a person adds them
                self._mark(self.report.manual.append, change.address)
            self.hooks.finished(change, None)
            return
        status, message = outcome
        self._outcome(change, op_id=op_id, status=status)
        target = self.report.uncertain if status == "uncertain" else self.report.failed
        with self._lock:
            target[change.address] = message
        self.hooks.finished(change, message, uncertain=status == "uncertain")

    def _let_through(self, change: Change) -> bool:
        """Whether the journaled write of `change` may be sent now: not after a stop or a
        failure that halts the run. One decision under the lock, so a write is either in
        flight (uncertain if the run is left) or not started, never neither."""
        with self._lock:
            self._taken.discard(change.address)
            if self._halted():
                if not self._left:  # once left, the report already says not started
                    self._skip_locked([change.address])
                return False
            self.in_flight.add(change.address)
            return True

    def _not_sent(self, op_id: str) -> None:
        """Close the intent of a write that was never sent; if that fails, the intent stays
        pending and the next run's key lookup finds nothing, which is as true."""
        try:
            self.journal.outcome(op_id=op_id, status=NOT_SENT)
        except OSError:
            log.debug("could not journal that operation %s was not sent", op_id)

    def _record(self, change: Change, outcome: WriteResult) -> str | None:
        """Save the state entry of a write Ramp has made; an OS error here leaves it uncertain."""
        try:
            return self.recorder.record(change, outcome)
        except OSError as exc:
            raise self._not_saved(change, "the state", exc) from None

    def _outcome(
        self, change: Change, *, op_id: str, status: str, ramp_id: str | None = None
    ) -> None:
        try:
            self.journal.outcome(op_id=op_id, status=status, ramp_id=ramp_id)
        except OSError as exc:
            raise self._not_saved(change, "the apply journal", exc) from None

    def _not_saved(self, change: Change, what: str, exc: OSError) -> StateNotSavedError:
        with self._lock:
            self.report.uncertain[change.address] = f"{what} was not saved"
        done = "Ramp made the change" if _writes(change) else "the change is done"
        return StateNotSavedError(
            f"{change.address}: {done}, but {what} could not be saved: "
            f"{exc.strerror or exc}{_where(exc)}. Free disk space or make the state "
            "writable, then run apply again: it finds the object in Ramp by key."
        )

    def _send(self, change: Change, op_id: str) -> WriteResult | tuple[str, str]:
        try:
            resolved = resolve_refs(change, self.recorder.store.ramp_ids())
            if is_invite(resolved):
                self._journal(invite_record(op_id, resolved), change)
            elif is_intended(resolved):
                self._journal(intent_record(op_id, resolved), change)
            return perform(self.client, resolved)
        except OutcomeUncertainError as exc:
            # Reported once, in the apply report; the log has it at debug level only.
            log.debug("outcome of %s %s is uncertain: %s", change.action, change.address, exc)
            return "uncertain", str(exc)
        except RampWaitTooLongError as exc:  # Ramp asked for a long wait: start no new write
            self.stop.set()
            return "failed", str(exc)
        except RampctlError as exc:
            return "failed", str(exc)
        except Exception as exc:  # an unexpected failure mid-write: the next run decides
            log.exception("unexpected failure writing %s", change.address)
            return "uncertain", f"unexpected {type(exc).__name__}"

    def _journal(self, record: dict[str, JsonValue], change: Change) -> None:
        """Keep what the next run needs if this write is left unresolved: an invite's exact
        body (resent with the same key), a vendor write's intent (recognised, not drift)."""
        try:
            self.journal.append(record)
        except OSError as exc:
            raise StateError(
                f"cannot write the apply journal: {exc.strerror or exc}{_where(exc)}; "
                f"nothing was sent for {change.address}"
            ) from None

    def _skip(self, addresses: list[str]) -> None:
        with self._lock:
            self._skip_locked(addresses)

    def _skip_locked(self, addresses: list[str]) -> None:
        """Report `addresses` as not started (the caller holds the lock)."""
        self.report.not_started += addresses
        self._skipped.update(addresses)

    def _mark(self, append: Callable[[str], None], address: str) -> None:
        with self._lock:
            append(address)


class _Work:
    """The changes of one level, handed out one at a time to whichever worker is free."""

    def __init__(self, changes: list[Change]) -> None:
        self._changes = iter(changes)
        self._lock = threading.Lock()

    def take(self) -> Change | None:
        """The next change, or None when every change was taken."""
        with self._lock:
            return next(self._changes, None)

    def rest(self) -> list[str]:
        """Take every change not taken yet; their addresses."""
        with self._lock:
            return [change.address for change in self._changes]


def _writes(change: Change) -> bool:
    """Whether a change sends a write to Ramp (an adoption or a forget only reads)."""
    return change.request is not None or change.action in (
        Action.DELETE,
        Action.ARCHIVE,
        Action.DEACTIVATE,
    )


def _where(exc: OSError) -> str:
    return f" ({exc.filename})" if exc.filename else ""


def apply_changes(
    *,
    client: RampClient,
    changes: list[Change],
    recorder: StateRecorder,
    journal: ApplyJournal,
    hooks: ApplyHooks,
    settings: ApplySettings,
    stop: threading.Event,
) -> ApplyReport:
    """Apply changes in order; each success is journaled at once, the state folded at the end."""
    applier = Applier(
        client=client, recorder=recorder, journal=journal, hooks=hooks, settings=settings, stop=stop
    )
    report = applier.run(changes)
    try:
        recorder.fold()  # after a failure, the state backend's lock release folds instead
        if report.ok:
            journal.clear()
    except OSError as exc:
        raise StateNotSavedError(
            f"{count(len(report.done), 'change')} made and journaled, but the state could not "
            f"be saved: {exc.strerror or exc}{_where(exc)}. Free disk space or make the state "
            "writable, then run apply again: it folds the journal and finds every object by key."
        ) from None
    return report


__all__ = ["ApplyHooks", "ApplyReport", "ApplySettings", "Snapshot", "apply_changes"]
