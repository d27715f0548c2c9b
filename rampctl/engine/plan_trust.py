"""Why a saved plan file is never trusted for what it sends.

A plan file's checksum has no key: anyone who can edit the file can recompute it, so
nothing in it is trusted for what apply does. `show` and `apply` refuse a file whose money
section is not what its request bodies send (`check_consistent`). `apply` plans again from
the manifests and the live business with the selection the file records (`--target`,
`--exclude`, `--refresh`; none in files before format 1.4) and refuses (exit 4) unless the
file's changes are exactly the ones that gives: none extra, none missing, every request the
same (`check_requests`). Apply then carries out the changes it planned itself, narrowed by
its own `--target`/`--exclude`, and judges the safety rules and the payment limit on those,
never on the file's `safety` or `money` sections. An edited selection only gives a plan
the manifests give anyway, and it must still match the file's changes exactly.
"""

from __future__ import annotations

import json

from pydantic import JsonValue

from rampctl.engine.bill_money import MoneyBill, entry_for_request, summarise
from rampctl.engine.changes import Body, Change
from rampctl.engine.plan import Plan
from rampctl.errors import PlanError, StalePlanError
from rampctl.model import address as addr


def check_consistent(plan: Plan) -> None:
    """Raise PlanError unless the plan's money section is what its request bodies send."""
    shown = {e.address: e for e in plan.money.bills}
    reasons = []
    for change in plan.changes:
        if change.kind != addr.BILL or not change.request:
            continue
        entry = shown.get(change.address)
        if entry is None or not _same_money(change, entry):
            reasons.append(f"{change.address}: the money shown is not what its request sends")
    if not reasons and summarise(list(shown.values())) != plan.money:
        reasons.append("the money totals are not the sum of the bills listed")
    if reasons:
        listed = "\n  ".join(reasons[:20])
        raise PlanError(
            "refusing the saved plan: it does not match what it would send (was the file "
            f"edited?); make a new plan:\n  {listed}"
        )


def _same_money(change: Change, entry: MoneyBill) -> bool:
    expected = entry_for_request(change, entry)
    if expected is None:
        return False
    if expected.compared() != entry.compared():
        return False
    total = [f.after for f in change.fields if f.path == "total"]
    return not total or str(total[0]) == expected.total


def check_requests(saved: Plan, fresh: Plan) -> None:
    """Raise StalePlanError unless the saved changes are exactly the ones a plan made now with
    the saved selection gives: none extra, none missing, each request the same, and the same
    live objects fingerprinted."""
    reasons = _differences(saved.changes, fresh.changes)
    if not reasons and set(saved.fingerprints) != set(fresh.fingerprints):
        reasons.append("the live objects it checks are not the ones its changes touch")
    if reasons:
        raise StalePlanError(_refusal(reasons, saved))


def _differences(saved: list[Change], fresh: list[Change]) -> list[str]:
    """Each (address, action) whose changes differ between the file and a plan made now."""
    mine, now = _grouped(saved), _grouped(fresh)
    reasons = []
    for address, action in sorted(mine.keys() | now.keys()):
        kept, given = mine.get((address, action), []), now.get((address, action), [])
        where = f"{address} ({action})"
        if not given:
            reasons.append(f"{where}: not in a plan made now (the file adds it)")
        elif not kept:
            reasons.append(f"{where}: missing from the plan file (a plan made now has it)")
        elif len(kept) != len(given):
            reasons.append(f"{where}: the file has {len(kept)}, a plan made now {len(given)}")
        elif kept != given:
            reasons.append(f"{where}: its request is not the one the manifests give")
    return reasons


def _grouped(changes: list[Change]) -> dict[tuple[str, str], list[str]]:
    """Each change's canonical JSON, by address and action (sorted, so order does not count)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for change in changes:
        canonical = json.dumps(_normal(change.to_json()), sort_keys=True)
        groups.setdefault((change.address, change.action.value), []).append(canonical)
    return {key: sorted(found) for key, found in groups.items()}


def _refusal(reasons: list[str], saved: Plan) -> str:
    listed = "\n  ".join(reasons[:20])
    more = f"\n  ... and {len(reasons) - 20} more" if len(reasons) > 20 else ""
    return (
        "refusing the saved plan (was the file edited?): its changes are not the ones a plan "
        f"made now with its selection ({saved.selection.describe()}) gives; nothing was "
        f"written, make a new plan:\n  {listed}{more}"
    )


def _normal(value: Body) -> JsonValue:
    """A change's JSON form as read back from its text (tuples as lists, keys sorted)."""
    normal: JsonValue = json.loads(json.dumps(value, sort_keys=True, default=str))
    return normal
