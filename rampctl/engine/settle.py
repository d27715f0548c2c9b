"""Settling writes whose outcome is unknown before anything is planned or sent again.

A write is unresolved when a run was interrupted while it was in flight, or when Ramp's
answer left it uncertain (a 5xx, a timeout, a dropped connection). Ramp may still commit
such a write after it answered: a gateway's 504 does not stop the request behind it. So
before planning, apply waits until every unresolved write is at least one request timeout
old; Ramp has then finished with it, and the plan finds its object by key (vendors by
`external_vendor_id`, accounting vendors by remote id, bills by vendor and invoice number,
archived ones included) instead of sending it again.

An invite is the exception: Ramp makes the user only when its deferred task runs, and
nothing lists tasks, so an interrupted invite is resumed instead: its exact body (kept in
the journal before it was sent, as an `invite` record) is sent again with the same
idempotency key, which is the same task, and its user is waited for before planning. A
User manifest edited since then becomes an update of that user, never a second invite.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence

from pydantic import JsonValue

from rampctl.engine.changes import Action, Change
from rampctl.engine.intents import carry_intents, unrecorded_intents
from rampctl.model import address as addr
from rampctl.state.backend import ApplyJournal
from rampctl.state.journal import JournalEntry
from rampctl.words import count

INVITE_RECORD = "invite"
"""`type` of a journal record that keeps an invite's body, written before it is sent."""
#: Resends one journaled invite body and waits for its user (raises when it cannot).
Resume = Callable[[dict[str, JsonValue]], object]


def is_invite(change: Change) -> bool:
    """Whether a change sends a user invite (a deferred task nothing can list)."""
    return change.kind == addr.USER and change.action is Action.CREATE and bool(change.request)


def invite_record(op_id: str, change: Change) -> dict[str, JsonValue]:
    """The journal record keeping `change`'s invite body for the operation `op_id`."""
    return {
        "type": INVITE_RECORD,
        "op_id": op_id,
        "address": change.address,
        "request": dict(change.request or {}),
    }


def settle_pending(
    journal: ApplyJournal,
    timeout_s: float,
    say: Callable[[str], None],
    *,
    resume: Resume | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Wait out the unresolved writes of earlier runs, resume their invites (`resume`), then
    forget them, keeping their intent records until a state write has recorded them; return
    how many. A resume that raises keeps the journal for the next run."""
    pending = journal.pending()
    if not pending:
        return 0
    wait_s = settle_wait(pending, timeout_s)
    if wait_s > 0:
        say(
            f"Waiting {wait_s:.0f} s for {count(len(pending), 'write')} an earlier run left "
            "unresolved (interrupted, timed out or answered 5xx): Ramp may still commit them..."
        )
        sleep(wait_s)
    if resume is not None:
        _resume_invites(journal, pending, resume, say)
    say(
        f"{count(len(pending), 'write')} of an earlier run "
        f"{'was' if len(pending) == 1 else 'were'} unresolved; the plan matches their "
        "objects in Ramp by key, so none is sent twice."
    )
    intents = unrecorded_intents(journal)
    journal.clear()
    carry_intents(journal, intents)  # until a state write has recorded them
    return len(pending)


def _resume_invites(
    journal: ApplyJournal,
    pending: Sequence[JournalEntry],
    resume: Resume,
    say: Callable[[str], None],
) -> None:
    bodies = {
        str(r.get("op_id")): r
        for r in journal.records()
        if r.get("type") == INVITE_RECORD and isinstance(r.get("request"), dict)
    }
    for entry in pending:
        record = bodies.get(entry.op_id)
        request = record.get("request") if record is not None else None
        if record is not None and isinstance(request, dict):
            say(f"Resuming the invite of {record['address']} an earlier run sent (same key)...")
            resume(dict(request))


def settle_wait(pending: Sequence[JournalEntry], timeout_s: float) -> float:
    """Seconds until the youngest unresolved write is one request timeout old."""
    return max((_remaining(e.time, timeout_s) for e in pending), default=0.0)


def _remaining(stamp: str, timeout_s: float) -> float:
    try:
        recorded = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return timeout_s
    if recorded.tzinfo is None:
        recorded = recorded.replace(tzinfo=dt.UTC)
    age = (dt.datetime.now(dt.UTC) - recorded).total_seconds()
    return min(timeout_s, max(0.0, timeout_s - age))
