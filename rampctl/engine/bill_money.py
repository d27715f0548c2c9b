"""The money summary of a plan: what bill changes will move, per currency, before anything else.

A plan's `money` section counts and totals (per currency, decimal text in major units) the
bills to create, the new payments those creates schedule, the bills to update and those to
archive, and lists each bill with its lines. Nothing here is a float.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from rampctl.engine.bill_live import bill_view
from rampctl.engine.changes import Action, Change
from rampctl.model import address as addr
from rampctl.model import money
from rampctl.model.bills import DesiredBill, bill_total
from rampctl.model.desired import DesiredGraph
from rampctl.ramp.models import Bill

SECTIONS = ("create", "payments", "update", "archive")


def empty_money() -> dict[str, Any]:
    """A money section with nothing in it."""
    return {**{s: {"count": 0, "totals": {}} for s in SECTIONS}, "bills": []}


def money_summary(
    changes: list[Change], graph: DesiredGraph, bills: dict[str, Bill]
) -> dict[str, Any]:
    """The money section for the bill changes among `changes`."""
    entries = []
    for change in changes:
        if change.kind != addr.BILL:
            continue
        entry = _entry(change, graph.bills.get(change.address), bills.get(change.ramp_id or ""))
        if entry is not None:
            entries.append(entry)
    summary = empty_money()
    sums: dict[str, dict[str, int]] = {s: defaultdict(int) for s in SECTIONS}
    for entry in entries:
        cur = entry["currency"]
        summary[entry["section"]]["count"] += 1
        sums[entry["section"]][cur] += money.to_minor(Decimal(entry["total"]), cur)
        if entry.get("new_payment"):
            summary["payments"]["count"] += 1
            sums["payments"][cur] += money.to_minor(Decimal(entry["new_payment"]), cur)
    for section in SECTIONS:
        summary[section]["totals"] = {
            cur: money.minor_text(amount, cur) for cur, amount in sorted(sums[section].items())
        }
    summary["bills"] = entries
    return summary


def _entry(change: Change, desired: DesiredBill | None, live: Bill | None) -> dict[str, Any] | None:
    if change.action is Action.CREATE and desired is not None:
        return _created(change, desired)
    if change.action in (Action.UPDATE, Action.ADOPT) and change.request and live is not None:
        entry = _live(change, live, "update")
        if desired is not None:
            after = bill_total(desired.fields, live.currency)
            entry["total"] = money.minor_text(after, live.currency)
            entry["lines"] = lines_of(desired.fields)
            raised = after - live.amount.amount
            if raised > 0 and not live.paid:  # the scheduled payment grows: gate it too
                entry["new_payment"] = money.minor_text(raised, live.currency)
        return entry
    if change.action is Action.ARCHIVE and live is not None:
        return _live(change, live, "archive")
    return None


def _created(change: Change, desired: DesiredBill) -> dict[str, Any]:
    payment = desired.payment
    return {
        "address": change.address,
        "action": change.action.value,
        "section": "create",
        "name": change.name,
        "invoice_number": desired.invoice_number,
        "currency": desired.currency,
        "total": money.minor_text(desired.total_minor, desired.currency),
        "payment_method": payment["method"],
        "pays_on": payment.get("arrival_date") or payment.get("payment_date"),
        "new_payment": (
            money.minor_text(desired.total_minor, desired.currency) if desired.moves_money else None
        ),
        "lines": lines_of(desired.fields),
    }


def _live(change: Change, live: Bill, section: str) -> dict[str, Any]:
    view = bill_view(live)
    payment = view["payment"]
    return {
        "address": change.address,
        "action": change.action.value,
        "section": section,
        "name": change.name,
        "invoice_number": view["invoice_number"],
        "currency": live.currency,
        "total": view["total"],
        "before_total": view["total"],
        "payment_method": payment.get("method"),
        "pays_on": payment.get("arrival_date") or payment.get("payment_date"),
        "new_payment": None,
        "lines": lines_of(view),
    }


def lines_of(fields: dict[str, Any]) -> list[dict[str, Any]]:
    """The lines of comparable bill fields as the money summary lists them."""
    out: list[dict[str, Any]] = [
        {"memo": line["memo"], "amount": line["amount"]} for line in fields["line_items"]
    ]
    for line in fields["inventory_line_items"]:
        price = Decimal(line["unit_price"])
        out.append(
            {
                "memo": line["memo"],
                "quantity": line["quantity"],
                "unit_price": line["unit_price"],
                "amount": str(price * int(line["quantity"])),
            }
        )
    return out
