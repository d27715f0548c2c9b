"""Removing bills no manifest declares: archive an unpaid one, forget a paid or gone one.

A paid bill is never archived (Ramp cannot), and a renamed manifest is a move, never an
archive and a re-create.
"""

from __future__ import annotations

from dataclasses import replace

from rampctl.engine.bill_live import bill_view
from rampctl.engine.changes import Action, Change, Level
from rampctl.engine.context import PlanContext
from rampctl.engine.view import fingerprint
from rampctl.state.model import ResourceState

PAID_FORGET_REASON = "paid bills cannot be archived: rampctl stops tracking it; Ramp is not touched"
GONE_REASON = "already archived or gone from Ramp; only the state entry is removed"


def plan_bill_removal(ctx: PlanContext, address: str, entry: ResourceState) -> Change:
    """Archive an unpaid bill no manifest declares; forget a paid or gone one."""
    live = ctx.snapshot.bills.get(entry.ramp_id)
    base = ctx.forget_change(address, entry, GONE_REASON)
    if live is None or live.archived_at is not None:
        return base
    view = bill_view(live)
    moved = ctx.moved_to(live.id)
    if moved is not None:  # the manifest was renamed: a move, never an archive and a re-create
        return replace(
            base,
            name=view["name"],
            protect=False,
            reason=f"now managed as {moved}; Ramp is not touched",
        )
    ctx.fingerprints[address] = fingerprint(view)
    if live.paid:
        return replace(base, name=view["name"], reason=PAID_FORGET_REASON)
    return replace(
        base,
        action=Action.ARCHIVE,
        name=view["name"],
        reason="Ramp's delete archives the bill and cancels its scheduled payment",
        level=Level.BILL_REMOVALS,
    )
