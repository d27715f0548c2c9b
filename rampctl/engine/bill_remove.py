"""Removing bills no manifest declares: archive an unpaid one, forget a paid or gone one.

A paid bill is never archived (Ramp cannot), and a renamed manifest is a move, never an
archive and a re-create.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from rampctl.engine.bill_live import live_bill
from rampctl.engine.changes import Action, Level
from rampctl.engine.kind_plan import KindPlan, forget_change
from rampctl.engine.snapshot import Snapshot
from rampctl.engine.view import fingerprint
from rampctl.state.model import ResourceState

PAID_FORGET_REASON = "paid bills cannot be archived: rampctl stops tracking it; Ramp is not touched"
GONE_REASON = "already archived or gone from Ramp; only the state entry is removed"


def plan_bill_removal(
    snapshot: Snapshot, claims: Mapping[str, str], address: str, entry: ResourceState
) -> KindPlan:
    """Archive an unpaid bill no manifest declares; forget a paid or gone one.

    `claims`: Ramp id -> the declared address that manages it now (a renamed manifest).
    """
    live = snapshot.bills.get(entry.ramp_id)
    base = forget_change(address, entry, GONE_REASON)
    if live is None or live.archived_at is not None:
        return KindPlan(changes=(base,))
    view = live_bill(live)
    moved = claims.get(live.id)
    if moved is not None:  # the manifest was renamed: a move, never an archive and a re-create
        reason = f"now managed as {moved}; Ramp is not touched"
        return KindPlan(changes=(replace(base, name=view.name, protect=False, reason=reason),))
    prints = {address: fingerprint(view.as_dict())}
    if live.paid:
        change = replace(base, name=view.name, reason=PAID_FORGET_REASON)
    else:
        change = replace(
            base,
            action=Action.ARCHIVE,
            name=view.name,
            reason="Ramp's delete archives the bill and cancels its scheduled payment",
            level=Level.BILL_REMOVALS,
        )
    return KindPlan(changes=(change,), fingerprints=prints)
