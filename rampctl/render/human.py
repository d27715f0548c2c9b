"""The plan as text for a terminal: drift first, then changes grouped by action, then a summary."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from rich.text import Text

from rampctl.engine.bill_money import InventoryMoneyLine, Line, Money, MoneyBill
from rampctl.engine.changes import Action, Change, Drift, FieldChange, Unmanaged
from rampctl.engine.identity import KEY_MODE, describe
from rampctl.engine.plan import Plan
from rampctl.render.values import show
from rampctl.words import count

#: Group order of the human plan, with headings.
GROUPS = (
    (Action.CREATE, "to create"),
    (Action.ADOPT, "to adopt (take under management)"),
    (Action.UPDATE, "to update"),
    (Action.DEACTIVATE, "to deactivate"),
    (Action.DELETE, "to delete"),
    (Action.ARCHIVE, "to archive (Ramp's delete; cancels the scheduled payment)"),
    (Action.FORGET, "to stop tracking (no change in Ramp)"),
    (Action.MANUAL, "needing a manual change in Ramp"),
    (Action.PENDING, "pending approval in Ramp (sent earlier, not sent again)"),
)
STYLES = {"+": "green", "~": "yellow", "-": "red", "!": "magenta"}


def render(plan: Plan, *, show_unmanaged: bool = False) -> Text:
    """The whole human plan."""
    out = Text()
    if plan.identity != KEY_MODE:
        out.append(describe(plan.identity) + "\n\n", style="bold yellow")
    _money(out, plan.money)
    _drift(out, plan.drift)
    _changes(out, plan.changes)
    if show_unmanaged:
        _unmanaged(out, plan.unmanaged)
    out.append(summary_line(plan) + "\n", style="bold")
    if plan.selection.targets or plan.selection.excludes:
        out.append(f"Only the changes chosen by {plan.selection.describe()}.\n")
    for reason in plan.safety.reasons:
        out.append(f"Unsafe: {reason}; apply needs --allow-deletes.\n", style="bold red")
    for reason in plan.safety.replacements:
        out.append(f"Unsafe: {reason}; apply needs --allow-replace.\n", style="bold red")
    return out


def summary_line(plan: Plan) -> str:
    """`Plan: 2 to create, 1 to update, ... N unmanaged.` or `No changes.`"""
    counts = plan.summary().counts
    unmanaged = ""
    if plan.unmanaged:
        unmanaged = f" {count(len(plan.unmanaged), 'unmanaged object')} in Ramp."
    if not counts:
        return "No changes. Ramp matches the manifests." + unmanaged
    parts = [f"{counts[a.value]} {h.split(' (')[0]}" for a, h in GROUPS if counts.get(a.value)]
    return "Plan: " + ", ".join(parts) + "." + unmanaged


def _drift(out: Text, drift: list[Drift]) -> None:
    if not drift:
        return
    out.append("Changed in Ramp outside rampctl since the last apply:\n", style="bold")
    for item in drift:
        if item.deleted:
            out.append(f"  - {item.address} ({item.name}) was deleted in Ramp\n", style="red")
            continue
        out.append(f"  ~ {item.address} ({item.name})\n", style="yellow")
        _fields(out, item.fields)
    out.append("\n")


def _changes(out: Text, changes: list[Change]) -> None:
    for action, heading in GROUPS:
        group = [c for c in changes if c.action is action]
        if not group:
            continue
        out.append(f"{len(group)} {heading}:\n", style="bold")
        for change in sorted(group, key=lambda c: c.address):
            _change(out, change)
        out.append("\n")


def _change(out: Text, change: Change) -> None:
    style = STYLES[change.symbol]
    out.append(f"  {change.symbol} {change.address}", style=style)
    out.append(f"  {change.name}" if change.name else "")
    out.append("  pending approval\n" if change.action is Action.PENDING else "\n")
    if change.reason:
        warning = change.reason.startswith("warning:")
        out.append(f"      {change.reason}\n", style="bold yellow" if warning else "dim")
    _fields(out, change.fields, created=change.action is Action.CREATE)


def _fields(out: Text, fields: Iterable[FieldChange], *, created: bool = False) -> None:
    for f in fields:
        if created:
            out.append(f"      {f.path}: {show(f.path, f.after)}\n")
        else:
            out.append(f"      {f.path}: {show(f.path, f.before)} -> {show(f.path, f.after)}\n")


def _unmanaged(out: Text, items: list[Unmanaged]) -> None:
    if not items:
        return
    out.append(f"{len(items)} unmanaged objects in Ramp (never touched):\n", style="bold")
    for item in items:
        key = f" key={item.key}" if item.key else ""
        out.append(f"    {item.kind} {item.ramp_id}  {item.name}{key}\n", style="dim")
    out.append("\n")


MONEY_LINES = (
    ("create", "+", ("bill", "bills"), "to create"),
    ("payments", "+", ("new or raised payment", "new or raised payments"), "scheduled"),
    ("update", "~", ("bill", "bills"), "to update (totals after)"),
    ("archive", "-", ("bill", "bills"), "to archive (scheduled payments cancelled)"),
)


def amount_text(currency: str, amount: str) -> str:
    """`USD 1,200.00`: an amount with its currency, digits grouped."""
    return f"{currency} {Decimal(amount):,}"


def totals_text(totals: dict[str, str]) -> str:
    """Per-currency totals joined: `USD 1,200.00, GBP 80.00`."""
    return ", ".join(amount_text(c, a) for c, a in sorted(totals.items()))


def money_lines(money: Money) -> list[str]:
    """One line per non-empty money section: symbol, count, what, totals."""
    lines = []
    sections = money.sections()
    for section, symbol, nouns, what in MONEY_LINES:
        part = sections[section]
        if part.count:
            noun = nouns[0] if part.count == 1 else nouns[1]
            lines.append(f"{symbol} {part.count} {noun} {what}: {totals_text(part.totals)}")
    return lines


def bill_line(bill: MoneyBill) -> str:
    """A bill of the money summary: address, total, payment method and date."""
    total = amount_text(bill.currency, bill.total)
    before = bill.before_total
    if bill.section == "update" and before and before != bill.total:
        total += f" (was {amount_text(bill.currency, before)})"
    when = f", pays on {bill.pays_on}" if bill.pays_on else ""
    return f"{bill.address}  {bill.name}  {total}  {bill.payment_method}{when}"


def item_line(line: Line) -> str:
    """A line of a bill: amount (or quantity x unit price = amount) and memo."""
    amount = f"{Decimal(line.amount):,}"
    if isinstance(line, InventoryMoneyLine):
        amount = f"{line.quantity} x {Decimal(line.unit_price):,} = {amount}"
    return f"{amount}  {line.memo or ''}".rstrip()


def _money(out: Text, money: Money) -> None:
    summary = money_lines(money)
    if not summary:
        return
    out.append("Money (bills):\n", style="bold")
    for text in summary:
        out.append(f"  {text}\n", style=STYLES[text[0]])
    for bill in money.bills:
        symbol = {"create": "+", "update": "~", "archive": "-"}[bill.section]
        out.append(f"  {symbol} {bill_line(bill)}\n", style=STYLES[symbol])
        for line in bill.lines:
            out.append(f"        {item_line(line)}\n")
    out.append("\n")
