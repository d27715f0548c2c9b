"""Checks that a saved plan still matches the state, the manifests and Ramp before apply."""

from __future__ import annotations

from rampctl.engine.bill_live import find_by_key
from rampctl.engine.changes import Action, Change
from rampctl.engine.live import live_record
from rampctl.engine.plan import Plan
from rampctl.engine.snapshot import Snapshot
from rampctl.engine.view import fingerprint
from rampctl.errors import StalePlanError
from rampctl.model import address as addr
from rampctl.model.desired import DesiredGraph
from rampctl.state.model import State


def plan_lineage(state: State) -> str:
    """The lineage a plan records: empty for a state that was never written."""
    return state.lineage if state.serial > 0 else ""


def check_fresh(
    plan: Plan, *, state: State, graph: DesiredGraph, snapshot: Snapshot, environment: str
) -> None:
    """Raise StalePlanError (nothing written) when anything the plan relied on moved."""
    reasons = _binding(plan, snapshot, environment) + _state(plan, state)
    if plan.manifest_digest != graph.digest:
        reasons.append(_manifests_reason(plan))
    reasons += [r for c in plan.changes if (r := _target(plan, c, snapshot))]
    if reasons:
        listed = "\n  ".join(reasons[:20])
        more = f"\n  ... and {len(reasons) - 20} more" if len(reasons) > 20 else ""
        raise StalePlanError(f"the saved plan is stale; run plan again:\n  {listed}{more}")


def _manifests_reason(plan: Plan) -> str:
    """Why the plan's manifest digest is not the manifests' digest now."""
    if plan.digest_comparable:
        return "the manifests changed since the plan was made"
    return (
        f"the plan file (format {plan.format_version}) was written by an earlier rampctl, whose "
        "digest of the manifests this rampctl does not compute: run plan again"
    )


def _binding(plan: Plan, snapshot: Snapshot, environment: str) -> list[str]:
    reasons = []
    if plan.environment != environment:
        reasons.append(f"the plan was made for {plan.environment}, not {environment}")
    if plan.business_id != snapshot.business.id:
        reasons.append(f"the plan was made for business {plan.business_id}")
    return reasons


def _state(plan: Plan, state: State) -> list[str]:
    if plan.lineage and plan.lineage != plan_lineage(state):
        return ["the state file is a different one (lineage changed)"]
    if plan.serial != state.serial:
        return [f"the state changed since the plan (serial {plan.serial} -> {state.serial})"]
    return []


def _target(plan: Plan, change: Change, snapshot: Snapshot) -> str | None:
    if change.action is Action.CREATE:
        return _create_target(change, snapshot)
    expected = plan.fingerprints.get(change.address)
    if expected is None:
        return None
    if live_fingerprint(change, snapshot) != expected:
        return f"{change.address} changed in Ramp since the plan"
    return None


def _create_target(change: Change, snapshot: Snapshot) -> str | None:
    key = change.key or ""
    if change.kind == addr.VENDOR and snapshot.vendors_by_key.get(key):
        return f"{change.address}: a vendor with key {key!r} now exists in Ramp"
    if change.kind == addr.USER and key in snapshot.users_by_email:
        return f"{change.address}: a user with the email {key!r} now exists in Ramp"
    if change.kind == addr.ACCOUNTING_VENDOR and key in snapshot.accounting_by_remote:
        return f"{change.address}: accounting vendor {key!r} now exists in Ramp"
    if change.kind == addr.BILL and change.request is not None:
        vendor_id = change.request.get("vendor_id")
        bills = [b for b in snapshot.bills.values() if b.vendor.id == vendor_id]
        if find_by_key(bills, str(change.request.get("invoice_number")), archived=True):
            return f"{change.address}: a bill with this vendor and invoice number now exists"
    return None


def live_fingerprint(change: Change, snapshot: Snapshot) -> str | None:
    """The fingerprint of a change's target as Ramp holds it now (None when gone)."""
    record = live_record(snapshot, change.kind, change.ramp_id or "")
    return fingerprint(record) if record is not None else None
