"""The apply journal: an append-only record of each write to Ramp, kept where the state is.

Before a write is sent, apply records `intend(...)`; after, `outcome(...)`. Every record is
durable before the call returns. If a run dies, `pending()` lists the writes whose outcome is
unknown, and the next run resolves each by its key (did the create happen?) before planning.

`Journal` is the local one: a JSON-lines file beside the state file, fsync'd per record; a last
line torn by a crash mid-write is ignored, and cut off before the next append. The remote
backends keep their records in the same store as their state (see `RecordJournal`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from pydantic import JsonValue

from rampctl.errors import StateError
from rampctl.state.files import FILE_MODE, fsync_dir

log = logging.getLogger("rampctl.state")

INTENDED = "intended"
NOT_SENT = "not_sent"
"""The outcome of an intended write a stop kept from being sent."""
OUTCOMES = frozenset({"done", "failed", "uncertain", NOT_SENT})
"""Statuses `outcome` accepts."""
UNRESOLVED = frozenset({INTENDED, "uncertain"})
"""Statuses that make an operation pending."""

Record = dict[str, JsonValue]
"""One journal record: a JSON object (an intent, an outcome, a state change, a reset)."""


@dataclass(frozen=True, kw_only=True)
class JournalEntry:
    """One operation as the journal knows it: the intent, with its latest status."""

    op_id: str
    address: str
    action: str
    key: str | None
    status: str
    """`intended` (sent, no outcome yet), `done`, `failed`, `uncertain` or `not_sent`."""
    ramp_id: str | None
    time: str
    """When the latest record of this operation was written, ISO 8601 UTC."""


class RecordJournal:
    """What every journal shares: intents and outcomes merged into entries.

    A backend stores the records (`_store`, `_records`, `clear`); the merging is here.
    """

    def intend(self, *, op_id: str, address: str, action: str, key: str | None) -> None:
        """Record that a write is about to be sent (durable when this returns)."""
        self._append(
            {"op_id": op_id, "address": address, "action": action, "key": key, "status": INTENDED}
        )

    def outcome(self, *, op_id: str, status: str, ramp_id: str | None = None) -> None:
        """Record how a write ended: `done`, `failed`, `uncertain`, or `not_sent` (stopped
        between its intent and sending it). Durable when this returns."""
        if status not in OUTCOMES:
            raise ValueError(f"unknown journal outcome {status!r}")
        self._append({"op_id": op_id, "status": status, "ramp_id": ramp_id})

    def entries(self) -> list[JournalEntry]:
        """Every intended operation with its latest status, in the order they were intended."""
        return merge_records(self._records())

    def pending(self) -> list[JournalEntry]:
        """Operations whose outcome is unknown: intended with no outcome, or `uncertain`."""
        return [entry for entry in self.entries() if entry.status in UNRESOLVED]

    def append(self, record: Record) -> None:
        """Append another kind of record (e.g. a state change, see `rampctl.state.fold`)."""
        self._append(dict(record))

    def records(self) -> list[Record]:
        """Every record, oldest first."""
        return self._records()

    def clear(self) -> None:  # pragma: no cover - every backend overrides it
        """Forget every record (after a run finished cleanly)."""
        raise NotImplementedError

    def _append(self, record: Record) -> None:
        record["time"] = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
        self._store(record)

    def _store(self, record: Record) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _records(self) -> list[Record]:  # pragma: no cover - overridden
        raise NotImplementedError


def record_bytes(record: Record) -> bytes:
    """A journal record as JSON; StateError when it holds NaN or Infinity (not JSON)."""
    try:
        return json.dumps(record, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except ValueError:
        raise StateError(
            f"refusing to journal a record holding NaN or Infinity (not JSON) for "
            f"{record.get('address') or record.get('op_id') or 'a state change'}"
        ) from None


def merge_records(records: list[Record]) -> list[JournalEntry]:
    """Fold intent and outcome records into one entry per operation, in intent order."""
    merged: dict[str, JournalEntry] = {}
    for record in records:
        op_id = str(record.get("op_id", ""))
        status = record.get("status")
        if status == INTENDED:
            merged[op_id] = _entry(record)
        elif op_id in merged and status in OUTCOMES:
            found = record.get("ramp_id")
            ramp_id = str(found) if found else merged[op_id].ramp_id
            merged[op_id] = replace(
                merged[op_id], status=status, ramp_id=ramp_id, time=str(record.get("time", ""))
            )
    return list(merged.values())


class Journal(RecordJournal):
    """The journal file of one state file; every method is safe to call from several threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._checked_tail = False

    def clear(self) -> None:
        """Remove the journal (after a run finished cleanly)."""
        with self._lock:
            try:
                self.path.unlink()
            except FileNotFoundError:
                return
            fsync_dir(self.path.parent)
            self._checked_tail = False

    def _store(self, record: Record) -> None:
        line = record_bytes(record) + b"\n"
        with self._lock:
            created = not self.path.exists()
            if not created and not self._checked_tail:
                self._cut_torn_tail()
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
            try:
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
            if created:
                fsync_dir(self.path.parent)
            self._checked_tail = True

    def _cut_torn_tail(self) -> None:
        """Drop a partial last line left by a crash, so the next record starts on its own line."""
        with open(self.path, "rb+") as handle:
            data = handle.read()
            if not data or data.endswith(b"\n"):
                return
            keep = data.rfind(b"\n") + 1
            log.warning("dropping a torn last record of the journal %s", self.path)
            handle.truncate(keep)
            handle.flush()
            os.fsync(handle.fileno())

    def _records(self) -> list[Record]:
        try:
            lines = self.path.read_bytes().split(b"\n")
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise StateError(f"cannot read the journal {self.path}: {exc.strerror}") from None
        records: list[Record] = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                record = None
            if not isinstance(record, dict):
                if number == len(lines):  # the torn tail of a crashed write
                    continue
                raise StateError(f"the journal {self.path} is corrupt at line {number}")
            records.append(record)
        return records


def _entry(record: Record) -> JournalEntry:
    key = record.get("key")
    return JournalEntry(
        op_id=str(record["op_id"]),
        address=str(record.get("address", "")),
        action=str(record.get("action", "")),
        key=None if key is None else str(key),
        status=INTENDED,
        ramp_id=None,
        time=str(record.get("time", "")),
    )
