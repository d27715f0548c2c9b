"""Apply's rules before it writes: the scopes it needs, what it refuses, and what it finishes.

- `write_scopes`: the token asks for write scopes only for the kinds apply may change.
- `refuse_unsafe` / `refuse_payments`: plans the safety rules or the payment limit refuse.
- `settle_pending`: writes an interrupted run left open are given time to finish in Ramp
  (at most the client's request timeout) before planning, then forgotten; the plan matches
  their objects by key, so none is sent twice.
- `manual_contacts`: vendors whose live contact differs from the manifest (Ramp cannot edit
  contacts), recorded as such in the state.

The engine never prints: messages for the user go through the `say` callback.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from rampctl.engine.changes import Action, Change
from rampctl.engine.plan import Plan
from rampctl.engine.safety import payment_refusal
from rampctl.errors import UnsafePlanError
from rampctl.model.desired import DesiredGraph
from rampctl.ramp.scopes import scopes_for_writes
from rampctl.state.backend import ApplyJournal
from rampctl.state.model import State


def write_scopes(graph: DesiredGraph, state: State) -> tuple[str, ...]:
    """Read scopes plus the write scopes of the kinds apply may change.

    Bills only when manifests or the state have some: a vendors-only project never asks
    Ramp for `bills:write`.
    """
    kinds = {"vendors", "accounting"}
    if graph.bills or any(r.kind == "bill" for r in state.resources.values()):
        kinds.add("bills")
    return scopes_for_writes(kinds)


def refuse_unsafe(plan: Plan, *, allow_deletes: bool, allow_replace: bool) -> None:
    """Raise UnsafePlanError for a plan the safety rules refuse without the matching flag."""
    if plan.safety.reasons and not allow_deletes:
        raise UnsafePlanError(
            "refusing an unsafe plan (use --allow-deletes): " + "; ".join(plan.safety.reasons)
        )
    if plan.safety.replacements and not allow_replace:
        raise UnsafePlanError(
            "refusing to replace live objects (use --allow-replace): "
            + "; ".join(plan.safety.replacements)
        )


def refuse_payments(
    money: dict[str, Any], *, allow_payments: bool, limit: Decimal | None, interactive: bool
) -> None:
    """Raise UnsafePlanError when new payments exceed the limit and were not allowed."""
    if allow_payments:
        return
    reason = payment_refusal(money, limit=limit, interactive=interactive)
    if reason is not None:
        raise UnsafePlanError("refusing to move money: " + reason)


def manual_contacts(changes: Iterable[Change]) -> set[str]:
    """Addresses of vendors whose contact differs in Ramp and can only be changed by hand."""
    return {
        c.address
        for c in changes
        if c.action is Action.MANUAL and any(f.path.startswith("contact.") for f in c.fields)
    }


def settle_pending(
    journal: ApplyJournal,
    timeout_s: float,
    *,
    say: Callable[[str], None],
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> None:
    """Let writes an interrupted run left open finish in Ramp, then forget them.

    A write with no recorded outcome may still be in flight; Ramp ends a request within the
    client's timeout, so after that the plan sees it, and matches its object by key.
    """
    pending = journal.pending()
    if not pending:
        return
    wait_s = max(
        (remaining(e.time, timeout_s, now()) for e in pending if e.status == "intended"),
        default=0,
    )
    if wait_s > 0:
        say(
            f"Waiting {wait_s:.0f} s for writes of an interrupted run that Ramp may "
            "still be processing..."
        )
        sleep(wait_s)
    say(
        f"{len(pending)} write(s) of an interrupted run were left open; the plan "
        "matches their objects in Ramp by key, so none is sent twice."
    )
    journal.clear()


def remaining(stamp: str, timeout_s: float, at: dt.datetime) -> float:
    """Seconds left at `at` of a request sent at `stamp` that Ramp ends after `timeout_s`."""
    try:
        started = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return timeout_s
    age = (at - started).total_seconds()
    return min(timeout_s, max(0.0, timeout_s - age))
