"""What `show` and `apply` check before trusting a saved plan file.

A plan file's checksum has no key: anyone who can edit the file can recompute it.

`check_consistent` (show and apply, no network): the money section lists, in the order of
the changes, exactly one entry per bill change that has one and no other; each entry is the
one its change implies (`bill_money.entry_for_request`: a create's from its request; an
update's and an archive's address, action, name, totals and new payment, and an update's
invoice number, from the change); the counts and totals are the sum of the entries. An
update's or archive's currency, payment method and date, the lines its request leaves alone
and an archived bill's invoice number are known to Ramp only: `check_money` (apply, after
reading Ramp) refuses a money section that is not exactly the one the file's changes give
with the bills in Ramp now.

`check_requests` (apply): apply plans again from the manifests and the live business with
the selection the file records (`--target`, `--exclude`, `--refresh`; none in files before
format 1.4) and refuses unless the file's changes are exactly the ones that gives: none
extra, none missing, every request the same. Apply then carries out the changes it planned
itself and judges the safety rules and the payment limit on those, never on the file's
`safety` or `money` sections.
"""

from __future__ import annotations

import json

from pydantic import JsonValue

from rampctl.engine.bill_money import Money, MoneyBill, entry_for_request, has_entry, summarise
from rampctl.engine.changes import Body, Change
from rampctl.engine.plan import Plan
from rampctl.errors import PlanError, StalePlanError


def check_consistent(plan: Plan) -> None:
    """Raise PlanError unless each money entry is the one its change implies, in the order of
    the changes, with none missing or extra, and the totals are the sum of the entries."""
    entries = list(plan.money.bills)
    priced = [c for c in plan.changes if has_entry(c)]
    reasons = []
    for change, entry in zip(priced, entries, strict=False):
        if entry.address != change.address or not _same_money(change, entry):
            reasons.append(f"{change.address}: the money shown is not what its request sends")
    reasons += [f"{c.address}: no money shown for it" for c in priced[len(entries) :]]
    reasons += [f"{e.address}: money shown with no change" for e in entries[len(priced) :]]
    if not reasons and summarise(entries) != plan.money:
        reasons.append("the money totals are not the sum of the bills listed")
    if reasons:
        listed = "\n  ".join(reasons[:20])
        raise PlanError(
            "refusing the saved plan: it does not match what it would send (was the file "
            f"edited?); make a new plan:\n  {listed}"
        )


def _same_money(change: Change, entry: MoneyBill) -> bool:
    try:
        expected = entry_for_request(change, entry)
    except (LookupError, TypeError, ValueError, ArithmeticError):
        return False  # a request edited past pricing (no currency, an amount that is no number)
    if expected != entry:
        return False
    total = [f.after for f in change.fields if f.path == "total"]
    return not total or str(total[0]) == entry.total


def check_money(saved: Plan, now: Money) -> None:
    """Raise StalePlanError unless the saved money section is exactly `now`, the one the saved
    changes give with the bills read from Ramp now (so what only Ramp knows is checked too)."""
    if saved.money == now:
        return
    reasons = [
        f"{mine.address}: its money entry is not what Ramp gives now"
        for mine, given in zip(saved.money.bills, now.bills, strict=False)
        if mine != given
    ]
    reasons = reasons or ["the money totals are not the ones Ramp gives now"]
    listed = "\n  ".join(reasons[:20])
    raise StalePlanError(
        "refusing the saved plan (was the file edited?): its money section is not the one its "
        "changes give with the bills in Ramp now; nothing was written, make a new plan:\n  "
        + listed
    )


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
