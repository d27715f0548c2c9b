"""Settling writes whose outcome is unknown before anything is planned or sent again.

A write is unresolved when a run was interrupted while it was in flight, or when Ramp's
answer left it uncertain (a 5xx, a timeout, a dropped connection). Ramp may still commit
such a write after it answered: a gateway's 504 does not stop the request behind it. So
before planning, apply waits until every unresolved write is at least one request timeout
old; Ramp has then finished with it, and the plan finds its object by key (vendors by
`external_vendor_id`, accounting vendors by remote id, bills by vendor and invoice number,
archived ones included) instead of sending it again.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence

from rampctl.state.backend import ApplyJournal
from rampctl.state.journal import JournalEntry
from rampctl.words import count


def settle_pending(
    journal: ApplyJournal,
    timeout_s: float,
    say: Callable[[str], None],
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Wait out the unresolved writes of earlier runs, then forget them; return how many."""
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
    say(
        f"{count(len(pending), 'write')} of an earlier run "
        f"{'was' if len(pending) == 1 else 'were'} unresolved; the plan matches their "
        "objects in Ramp by key, so none is sent twice."
    )
    journal.clear()
    return len(pending)


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
