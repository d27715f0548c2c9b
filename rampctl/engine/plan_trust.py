"""Why a saved plan file is never trusted for what it sends.

A plan file's checksum has no key: anyone who can edit the file can recompute it. So
`show` and `apply` refuse a file whose money section is not what its request bodies send
(`check_consistent`), and `apply` recomputes every request from the manifests and the live
business and refuses unless each equals the stored one (`check_requests`).
"""

from __future__ import annotations

import json
from typing import Any

from rampctl.engine.bill_money import entry_for_request, summarise
from rampctl.engine.changes import Change
from rampctl.engine.plan import Plan
from rampctl.errors import PlanError
from rampctl.model import address as addr

_COMPARED = ("total", "new_payment", "currency", "lines", "section", "payment_method")


def check_consistent(plan: Plan) -> None:
    """Raise PlanError unless the plan's money section is what its request bodies send."""
    shown = {e.get("address"): e for e in plan.money.get("bills", [])}
    reasons = []
    for change in plan.changes:
        if change.kind != addr.BILL or not change.request:
            continue
        entry = shown.get(change.address)
        if entry is None or not _same_money(change, entry):
            reasons.append(f"{change.address}: the money shown is not what its request sends")
    if not reasons and _normal(summarise(list(shown.values()))) != _normal(plan.money):
        reasons.append("the money totals are not the sum of the bills listed")
    if reasons:
        raise PlanError(_refusal(reasons))


def _same_money(change: Change, entry: dict[str, Any]) -> bool:
    expected = entry_for_request(change, entry)
    if expected is None:
        return False
    if any(_normal(expected.get(k)) != _normal(entry.get(k)) for k in _COMPARED):
        return False
    total = [f.after for f in change.fields if f.path == "total"]
    return not total or str(total[0]) == expected["total"]


def check_requests(saved: Plan, fresh: Plan) -> None:
    """Raise PlanError unless every saved change is one the manifests and Ramp give now."""
    now = {(c.address, c.action): c for c in fresh.changes}
    reasons = []
    for change in saved.changes:
        twin = now.get((change.address, change.action))
        if twin is None:
            reasons.append(f"{change.address}: the manifests and Ramp give no such change now")
        elif _normal(twin.to_json()) != _normal(change.to_json()):
            reasons.append(f"{change.address}: its request is not the one the manifests give")
    if reasons:
        raise PlanError(_refusal(reasons))


def _refusal(reasons: list[str]) -> str:
    listed = "\n  ".join(reasons[:20])
    return (
        "refusing the saved plan: it does not match what it would send (was the file "
        f"edited?); make a new plan:\n  {listed}"
    )


def _normal(value: Any) -> Any:
    return json.loads(json.dumps(value, sort_keys=True, default=str))
