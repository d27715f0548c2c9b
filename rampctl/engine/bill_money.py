"""The money summary of a plan: what bill changes will move, per currency, before anything else.

A plan's `money` section counts and totals (per currency, decimal text in major units) the
bills to create, the new payments those creates schedule, the bills to update and those to
archive, and lists each bill with its lines. Nothing here is a float.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from rampctl.engine.bill_live import live_bill
from rampctl.engine.changes import Action, Change
from rampctl.model import address as addr
from rampctl.model import money, payments
from rampctl.model.kinds.bill import LiveBillValues
from rampctl.ramp.models import Bill

SECTIONS = ("create", "payments", "update", "archive")


def empty_money() -> dict[str, Any]:
    """A money section with nothing in it."""
    return {**{s: {"count": 0, "totals": {}} for s in SECTIONS}, "bills": []}


def money_summary(changes: list[Change], bills: dict[str, Bill]) -> dict[str, Any]:
    """The money section for the bill changes among `changes`.

    Amounts come from the request bodies the changes send (and, for an update, the live
    bill's lines the update leaves alone): what is shown and gated is what is sent.
    """
    entries = []
    for change in changes:
        if change.kind != addr.BILL:
            continue
        entry = _entry(change, bills.get(change.ramp_id or ""))
        if entry is not None:
            entries.append(entry)
    return summarise(entries)


def summarise(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The money section (counts and per-currency totals) of these bill entries."""
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


def _entry(change: Change, live: Bill | None) -> dict[str, Any] | None:
    if change.action is Action.CREATE and change.request:
        return _created(change, change.request)
    if change.action in (Action.UPDATE, Action.ADOPT) and change.request and live is not None:
        entry = _live(change, live, "update")
        lines = _sent_lines(change.request, _view_lines(live_bill(live)))
        after = _total(lines, live.currency)
        entry["total"] = money.minor_text(after, live.currency)
        entry["lines"] = lines
        raised = after - live.amount.amount
        if raised > 0 and not live.paid:  # the scheduled payment grows: gate it too
            entry["new_payment"] = money.minor_text(raised, live.currency)
        return entry
    if change.action is Action.ARCHIVE and live is not None:
        return _live(change, live, "archive")
    return None


def _created(change: Change, body: dict[str, Any]) -> dict[str, Any]:
    currency = str(body["invoice_currency"])
    lines = _sent_lines(body, {"line_items": [], "inventory_line_items": []})
    total = money.minor_text(_total(lines, currency), currency)
    details = body.get("payment_details") or {}
    moves = payments.moves_money(str(body["payment_method"]), details.get("transaction_id"))
    return {
        "address": change.address,
        "action": change.action.value,
        "section": "create",
        "name": change.name,
        "invoice_number": body["invoice_number"],
        "currency": currency,
        "total": total,
        "payment_method": body["payment_method"],
        "pays_on": details.get("payment_arrival_date") or details.get("payment_date"),
        "new_payment": total if moves else None,
        "lines": lines,
    }


def _sent_lines(body: dict[str, Any], view: dict[str, Any]) -> list[dict[str, Any]]:
    """The lines a bill has once `body` is sent: the body's, else the live view's."""
    plain = [
        {"memo": item.get("memo"), "amount": str(item["amount"])}
        for item in body.get("line_items", view["line_items"])
    ]
    inventory = []
    for item in body.get("inventory_line_items", view["inventory_line_items"]):
        quantity = int(item.get("unit_quantity", item.get("quantity", 0)))
        price = Decimal(str(item["unit_price"]))
        inventory.append(
            {
                "memo": item.get("memo"),
                "quantity": quantity,
                "unit_price": str(item["unit_price"]),
                "amount": str(price * quantity),
            }
        )
    return plain + inventory


def _total(lines: list[dict[str, Any]], currency: str) -> int:
    return sum(money.to_minor(Decimal(line["amount"]), currency) for line in lines)


def entry_for_request(change: Change, shown: dict[str, Any]) -> dict[str, Any] | None:
    """The money entry a plan file's bill change implies, from its request body and (for an
    update) the before total and untouched lines the file shows; None if it has no entry."""
    if change.action is Action.CREATE and change.request:
        return _created(change, change.request)
    if change.action not in (Action.UPDATE, Action.ADOPT) or not change.request:
        return None
    lines = shown.get("lines") or []
    view = {
        "line_items": [x for x in lines if "quantity" not in x],
        "inventory_line_items": [x for x in lines if "quantity" in x],
    }
    currency = str(shown.get("currency"))
    after_lines = _sent_lines(change.request, view)
    after = _total(after_lines, currency)
    before = money.to_minor(Decimal(str(shown.get("before_total") or 0)), currency)
    raised = after - before
    return {
        **shown,
        "total": money.minor_text(after, currency),
        "lines": after_lines,
        "new_payment": money.minor_text(raised, currency) if raised > 0 else None,
    }


def _live(change: Change, live: Bill, section: str) -> dict[str, Any]:
    view = live_bill(live)
    return {
        "address": change.address,
        "action": change.action.value,
        "section": section,
        "name": change.name,
        "invoice_number": view.invoice_number,
        "currency": live.currency,
        "total": view.total,
        "before_total": view.total,
        "payment_method": view.payment.method,
        "pays_on": view.payment.pays_on,
        "new_payment": None,
        "lines": _sent_lines({}, _view_lines(view)),
    }


def _view_lines(view: LiveBillValues) -> dict[str, Any]:
    return {
        "line_items": [line.as_dict() for line in view.line_items],
        "inventory_line_items": [line.as_dict() for line in view.inventory_line_items],
    }
