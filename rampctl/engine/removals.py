"""Planning for addresses in the state that no manifest declares any more, and drift."""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import replace

from pydantic import JsonValue

from rampctl.engine.approvals import PENDING, held_fields, unkept
from rampctl.engine.bill_remove import plan_bill_removal
from rampctl.engine.changes import Action, Change, Drift, FieldChange, Level, Unmanaged
from rampctl.engine.context import PlanContext
from rampctl.engine.diff import drift_fields, value_at
from rampctl.engine.kind_plan import KindPlan, combine, forget_change
from rampctl.engine.live import VendorReader, live_record
from rampctl.engine.snapshot import Snapshot
from rampctl.engine.user_directory import named
from rampctl.engine.view import accounting_vendor_view, fingerprint
from rampctl.model import address as addr
from rampctl.model.kinds import KIND_SPECS
from rampctl.ramp.models import Vendor
from rampctl.state.model import ResourceState, State

GONE_REASON = "already gone from Ramp; only the state entry is removed"
UNDELETABLE_REASON = "Ramp marks it undeletable (it has bills or spend), so it is deactivated"
INACTIVE_REASON = "undeletable and already inactive in Ramp; rampctl stops tracking it"


def plan_removals(ctx: PlanContext, claims: Mapping[str, str]) -> KindPlan:
    """Deletes, deactivations and state clean-ups for addresses no manifest declares.

    `claims`: Ramp id -> the declared address that manages it now (what the kinds' planners
    claimed); an entry whose live object another address claims is a move, not a removal.
    """
    wanted = ctx.declared
    resources = ctx.state.resources
    left = sorted(  # users: engine.users; only the few left are sorted, not the whole state
        address
        for address, entry in resources.items()
        if address not in wanted and entry.kind != addr.USER
    )
    return combine(_removal(ctx, claims, address, resources[address]) for address in left)


def _removal(
    ctx: PlanContext, claims: Mapping[str, str], address: str, entry: ResourceState
) -> KindPlan:
    if entry.kind == addr.BILL:
        return plan_bill_removal(ctx.snapshot, claims, address, entry)
    base = forget_change(address, entry, GONE_REASON)
    if entry.kind == addr.ACCOUNTING_VENDOR:
        return _accounting_removal(ctx, claims, base)
    vendor = ctx.snapshot.vendors.get(entry.ramp_id)
    if vendor is None:
        return KindPlan(changes=(base,))
    moved = claims.get(vendor.id)
    if moved is not None:  # metadata.name changed, same key: a move, not a removal
        reason = f"now managed as {moved}; Ramp is not touched"
        return KindPlan(changes=(replace(base, name=vendor.name, protect=False, reason=reason),))
    prints = {address: ctx.fingerprint_vendor(vendor)}
    return KindPlan(changes=(_vendor_removal(base, vendor),), fingerprints=prints)


def _vendor_removal(base: Change, vendor: Vendor) -> Change:
    if vendor.is_deletable:
        return replace(
            base, action=Action.DELETE, name=vendor.name, reason="", level=Level.VENDOR_REMOVALS
        )
    if vendor.is_active:
        return replace(
            base,
            action=Action.DEACTIVATE,
            name=vendor.name,
            reason=UNDELETABLE_REASON,
            request={"is_active": False},
            level=Level.VENDOR_REMOVALS,
        )
    return replace(base, name=vendor.name, reason=INACTIVE_REASON)


def _accounting_removal(ctx: PlanContext, claims: Mapping[str, str], base: Change) -> KindPlan:
    item = ctx.snapshot.accounting_vendors.get(base.ramp_id or "")
    if item is None or not item.is_active:
        return KindPlan(changes=(base,))
    moved = claims.get(item.ramp_id)
    if moved is not None:  # metadata.name changed, same remote id: a move, not a removal
        reason = f"now managed as {moved}; Ramp is not touched"
        return KindPlan(changes=(replace(base, name=item.name, protect=False, reason=reason),))
    linking = sorted(
        v.address for v in ctx.graph.vendors.values() if v.fields.accounting_vendor == item.id
    )
    if linking:  # still in use: stop managing it, never delete it from under a vendor
        reason = (
            f"still linked by {', '.join(linking)}, so it is not deleted; rampctl stops managing it"
        )
        return KindPlan(changes=(replace(base, name=item.name, protect=False, reason=reason),))
    deleted = replace(
        base,
        action=Action.DELETE,
        name=item.name,
        reason="",
        level=Level.ACCOUNTING_VENDOR_REMOVALS,
    )
    prints = {base.address: fingerprint(accounting_vendor_view(item))}
    return KindPlan(changes=(deleted,), fingerprints=prints)


def find_drift(
    state: State, snapshot: Snapshot, read_vendor: VendorReader | None = None
) -> list[Drift]:
    """What changed in Ramp since the last apply, for every address in the state (pure:
    `read_vendor` gives a vendor's record form when the caller keeps them). A vendor's drift
    worked out as its page arrived (`Snapshot.page_work`) is taken as it is when the state
    entry and the live vendor are the ones it was worked out from."""
    early = snapshot.page_work.drift
    vendors = snapshot.vendors
    later = []
    drift = []
    for address, entry in state.resources.items():
        found = early.get(address)
        if (
            found is None
            or found.entry is not entry
            or vendors.get(entry.ramp_id) is not found.vendor
        ):
            later.append(address)
        elif found.fields:
            name = _drift_name(address, entry)
            drift.append(Drift(address=address, kind=entry.kind, name=name, fields=found.fields))
    drift += _drift_of(state, snapshot, later, read_vendor)
    return sorted(drift, key=lambda d: d.address)  # the few found, not the whole state


def _drift_of(
    state: State, snapshot: Snapshot, addresses: list[str], read_vendor: VendorReader | None
) -> list[Drift]:
    """The drift of `addresses`, worked out from the state and the whole snapshot."""
    drift = []
    for address in addresses:
        entry = state.resources[address]
        name = _drift_name(address, entry)
        live = live_record(snapshot, entry.kind, entry.ramp_id, read_vendor)
        if live is None:
            drift.append(Drift(address=address, kind=entry.kind, name=name, deleted=True))
            continue
        fields = drifted(entry, live)
        if entry.kind == addr.USER:  # departments and locations by name, as the plan shows
            fields = [named(f, snapshot) for f in fields]
        if fields:
            drift.append(Drift(address=address, kind=entry.kind, name=name, fields=tuple(fields)))
    return drift


def _drift_name(address: str, entry: ResourceState) -> str:
    return str(entry.attributes.get("name") or addr.name_of(address))


def drifted(entry: ResourceState, live: Mapping[str, JsonValue]) -> list[FieldChange]:
    """The fields that changed in Ramp since the last apply, and the values of an update
    recorded as waiting for approval that Ramp decided and does not hold."""
    attributes = entry.attributes
    recorded = {k: v for k, v in attributes.items() if k in live}
    if recorded.items() <= live.items() and (
        attributes.get(PENDING) is None or not held_fields(attributes)
    ):
        return []  # the usual case: nothing changed, and no update waiting to be decided
    fields = [
        f
        for f in drift_fields(recorded, live)
        if _drifts(entry.kind, f.path) and not _decided(f, entry.attributes)
    ]
    seen = {f.path for f in fields}
    return fields + [f for f in unkept(entry.attributes, live) if f.path not in seen]


def _drifts(kind: str, path: str) -> bool:
    """Whether a change Ramp made to this field is drift, as the kind's declaration says
    (fields it does not declare, such as a bill's status, always are)."""
    try:
        return KIND_SPECS[kind].field(path.split(".", 1)[0]).drift
    except KeyError:
        return True


def _decided(change: FieldChange, recorded: dict[str, JsonValue]) -> bool:
    """Whether a drift field is an approval at work, not a change outside rampctl: a field
    now holding the value rampctl sent and Ramp held (approved), or the contact ids while
    contacts rampctl created wait for approval. (The pending update itself is declared
    `drift=False`.)"""
    top = change.path.split(".", 1)[0]
    if top == "contact_ids" and recorded.get("contacts_pending"):
        return True
    pending = recorded.get("pending")
    held = pending.get("fields") if isinstance(pending, dict) else None
    return isinstance(held, dict) and value_at(held, change.path) == change.after


def find_unmanaged(snapshot: Snapshot, claimed: Set[str]) -> list[Unmanaged]:
    """Live vendors and accounting vendors whose Ramp ids no manifest or state entry claims."""
    items = [
        Unmanaged(kind=addr.VENDOR, ramp_id=v.id, name=v.name, key=v.external_vendor_id)
        for v in snapshot.vendors.values()
        if v.id not in claimed
    ]
    items += [
        Unmanaged(kind=addr.ACCOUNTING_VENDOR, ramp_id=a.ramp_id, name=a.name, key=a.id)
        for a in snapshot.accounting_vendors.values()
        if a.ramp_id not in claimed
    ]
    return sorted(items, key=lambda u: (u.kind, u.name.lower(), u.ramp_id))
