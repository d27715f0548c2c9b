"""What a user's deactivation would leave behind, checked once every kind is planned.

A user who would still own active vendors once the plan is applied (managed by rampctl or
not, or handed to them by a vendor manifest of the same plan) is not deactivated: the
deactivation is `! manual`, naming the vendors, because Ramp would leave them owned by
someone who can no longer act on them. A managed vendor whose manifest gives it another
owner in the same plan is handed over first (the deactivation depends on that change). A
User manifest whose `direct_manager` is a user this plan deactivates is a positioned error.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from rampctl.engine.changes import NO_WRITE, REMOVALS, Action, Change, Level
from rampctl.engine.kind_plan import problem_at
from rampctl.engine.snapshot import Snapshot
from rampctl.errors import Problem
from rampctl.model import address as addr
from rampctl.model.desired import DesiredGraph
from rampctl.ramp.models import Vendor

#: How many vendor names a manual deactivation lists before "and N more".
SHOWN = 5
_OWNER = "vendor_owner_id"


@dataclass(kw_only=True)
class Ownership:
    """Who owns which active vendors once the plan is applied, and the handovers that plan
    makes (vendor changes giving a vendor away from its current owner)."""

    owned: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    handovers: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def guard_deactivations(
    changes: list[Change], graph: DesiredGraph, snapshot: Snapshot
) -> tuple[list[Change], list[Problem]]:
    """`changes` with each unsafe user deactivation made manual (or ordered after the
    handover of its vendors), and the problems of managers this plan deactivates."""
    going = {
        c.ramp_id: c
        for c in changes
        if c.kind == addr.USER and c.action is Action.DEACTIVATE and c.ramp_id
    }
    if not going:
        return changes, []
    owners = ownership(changes, snapshot)
    out = [_guarded(c, owners) if c is going.get(c.ramp_id or "") else c for c in changes]
    still = {c.ramp_id: c for c in out if c.ramp_id in going and c.action is Action.DEACTIVATE}
    return out, _managers_going(graph, snapshot, still)


def ownership(changes: Iterable[Change], snapshot: Snapshot) -> Ownership:
    """Owners of the active vendors after `changes`, by user id, and the vendor changes that
    hand a vendor away from its present owner."""
    by_vendor: dict[str, list[Change]] = defaultdict(list)
    found = Ownership()
    for change in changes:
        if change.kind != addr.VENDOR or change.action in NO_WRITE:
            continue
        if change.ramp_id:
            by_vendor[change.ramp_id].append(change)
        elif change.action is Action.CREATE and change.request:
            found.owned[str(change.request.get(_OWNER))].append(change.name)
    for vendor in snapshot.vendors.values():
        _one_vendor(vendor, by_vendor.get(vendor.id, []), found)
    return found


def _one_vendor(vendor: Vendor, changes: list[Change], found: Ownership) -> None:
    owner, active = vendor.vendor_owner_id, vendor.is_active
    for change in changes:
        if change.action in REMOVALS:
            return
        for body in (change.request or {}, change.followup or {}):
            sent = body.get(_OWNER, owner)
            owner = sent if sent is None or isinstance(sent, str) else owner
            active = bool(body.get("is_active", active))
    if owner != vendor.vendor_owner_id and vendor.vendor_owner_id:
        found.handovers[vendor.vendor_owner_id] += [c.address for c in changes]
    if active and owner:
        found.owned[owner].append(vendor.name)


def _guarded(change: Change, owners: Ownership) -> Change:
    assert change.ramp_id is not None
    names = sorted(owners.owned.get(change.ramp_id, []))
    if names:
        return replace(change, action=Action.MANUAL, level=Level.NONE, reason=_owns(names))
    after = tuple(sorted(set(owners.handovers.get(change.ramp_id, []))))
    if not after:
        return change
    return replace(
        change,
        depends_on=tuple(sorted({*change.depends_on, *after})),
        reason=f"{change.reason}; after {', '.join(after)} gives its vendors another owner",
    )


def _owns(names: list[str]) -> str:
    shown = ", ".join(names[:SHOWN])
    more = f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
    what = "active vendor" if len(names) == 1 else "active vendors"
    return (
        f"not deactivated: owns {len(names)} {what} ({shown}{more}), which Ramp would leave "
        "owned by a deactivated user. Give them another owner (spec.owner in their manifests, "
        "or in Ramp), then apply again"
    )


def _managers_going(
    graph: DesiredGraph, snapshot: Snapshot, going: dict[str, Change]
) -> list[Problem]:
    problems = []
    for desired in graph.users.values():
        manager = snapshot.users_by_email.get(desired.fields.direct_manager or "")
        if manager is not None and manager.id in going:
            message = (
                f"the direct manager {manager.email} is a user this plan deactivates "
                f"({going[manager.id].address} has no manifest any more)"
            )
            problems.append(problem_at(desired, "spec.direct_manager", message))
    return problems
