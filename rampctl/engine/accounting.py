"""Planning for AccountingVendor manifests: match by state id or remote id, diff, decide."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rampctl.engine.changes import Action, Change, FieldChange, Level
from rampctl.engine.context import PlanContext
from rampctl.engine.diff import diff_fields
from rampctl.engine.moves import explicit_move
from rampctl.engine.vendors import ignored
from rampctl.engine.view import accounting_vendor_view, fingerprint
from rampctl.model import address as addr
from rampctl.model.desired import DesiredAccountingVendor
from rampctl.model.kinds import ACCOUNTING_VENDOR
from rampctl.ramp.models import AccountingVendor

REMOTE_ID_REASON = (
    "an accounting vendor's remote id cannot change: add a new AccountingVendor manifest instead"
)


def plan_accounting_vendor(ctx: PlanContext, desired: DesiredAccountingVendor) -> list[Change]:
    """The changes for one AccountingVendor manifest."""
    live = _match(ctx, desired)
    if live is None:
        return [_create(ctx, desired)]
    ctx.claim(live.ramp_id, desired.address)
    view = accounting_vendor_view(live)
    ctx.fingerprints[desired.address] = fingerprint(view)
    wanted = {k: v for k, v in desired.wanted(desired.fields).items() if k not in desired.ignore}
    wanted["remote_id"] = desired.remote_id
    fields = [f for f in diff_fields(view, wanted) if not ignored(f.path, desired.ignore)]
    return _changes(ctx, desired, live, fields)


def _match(ctx: PlanContext, desired: DesiredAccountingVendor) -> AccountingVendor | None:
    entry = ctx.state.resources.get(desired.address)
    if entry and entry.ramp_id in ctx.snapshot.accounting_vendors:
        return ctx.snapshot.accounting_vendors[entry.ramp_id]
    move = explicit_move(desired, ctx.left_over(addr.ACCOUNTING_VENDOR), ctx.claimed_by)
    if move is not None and move.entry.ramp_id in ctx.snapshot.accounting_vendors:
        ctx.moves[desired.address] = move
        return ctx.snapshot.accounting_vendors[move.entry.ramp_id]
    return ctx.snapshot.accounting_by_remote.get(desired.remote_id)


def _changes(
    ctx: PlanContext,
    desired: DesiredAccountingVendor,
    live: AccountingVendor,
    fields: list[FieldChange],
) -> list[Change]:
    base = Change(
        address=desired.address,
        kind=addr.ACCOUNTING_VENDOR,
        action=Action.UPDATE,
        name=live.name,
        ramp_id=live.ramp_id,
        key=desired.remote_id,
        fields=tuple(fields),
    )
    moved = tuple(f for f in fields if f.path == "remote_id")
    if moved:
        return [replace(base, action=Action.MANUAL, fields=moved, reason=REMOTE_ID_REASON)]
    adopting = desired.address not in ctx.state.resources
    off = [f for f in fields if f.path == "active" and f.after is False]
    rest = [f for f in fields if f not in off]
    changes: list[Change] = []
    if rest or adopting:
        request = _update_body(desired, rest) if rest else None
        action = Action.ADOPT if adopting else Action.UPDATE
        changes.append(
            replace(
                base,
                action=action,
                fields=tuple(rest),
                request=request,
                level=Level.ACCOUNTING_VENDORS,
            )
        )
    if off:  # Ramp deactivates an accounting vendor by deleting it
        changes.append(
            replace(
                base,
                action=Action.DEACTIVATE,
                fields=tuple(off),
                level=Level.ACCOUNTING_VENDOR_REMOVALS,
            )
        )
    return changes


def _update_body(desired: DesiredAccountingVendor, fields: list[FieldChange]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for f in fields:
        if f.path == "active":  # Ramp reactivates by `reactivate`, deactivates by a delete
            if f.after is True:
                body["reactivate"] = True
            continue
        spec = ACCOUNTING_VENDOR.field(f.path)
        value = desired.fields.get(f.path)
        body[spec.ramp] = spec.clear_value if value is None else value
    return body


def _create(ctx: PlanContext, desired: DesiredAccountingVendor) -> Change:
    f = desired.fields
    if f.active is False:
        ctx.problem(
            desired,
            "spec.active",
            "an accounting vendor is created active in Ramp; "
            "leave `active` out until it exists, then set it to false",
        )
    followup = {
        spec.ramp: f.get(spec.path)
        for spec in ACCOUNTING_VENDOR.fields
        if not spec.create and spec.path != "active" and f.get(spec.path)
    }
    managed = desired.wanted(f)
    shown = {"remote_id": desired.remote_id, **{k: v for k, v in managed.items() if v is not None}}
    return Change(
        address=desired.address,
        kind=addr.ACCOUNTING_VENDOR,
        action=Action.CREATE,
        name=f.name or "",
        key=desired.remote_id,
        fields=tuple(FieldChange(path=k, before=None, after=v) for k, v in sorted(shown.items())),
        request={"id": desired.remote_id, "name": f.name},
        followup=followup or None,
        level=Level.ACCOUNTING_VENDORS,
    )
