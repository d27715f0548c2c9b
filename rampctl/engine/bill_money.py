"""The money summary of a plan: what bill changes will move, per currency, before anything else.

A plan's `money` section (`Money`) counts and totals (per currency, decimal text in major
units) the bills to create, the new payments those creates schedule, the bills to update and
those to archive, and lists each bill (`MoneyBill`) with its lines. Nothing here is a float.
Its JSON form is the plan file's `money` (`rampctl/render/plan.schema.json`); read back, it
refuses unknown keys, amounts that are not decimal text and unknown currencies.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Discriminator, Field, JsonValue, Tag

from rampctl.engine.bill_live import live_bill
from rampctl.engine.changes import Action, Body, Change, PlanForm
from rampctl.model import address as addr
from rampctl.model import money, payments
from rampctl.model.kinds.bill import LiveBillValues
from rampctl.ramp.models import Bill

SECTIONS = ("create", "payments", "update", "archive")
#: The section a bill is listed in (`payments` counts the creates and raises that pay).
Section = Literal["create", "update", "archive"]

#: A plan file's money values refuse keys they do not have ("was the file edited?").
_STRICT = ConfigDict(extra="forbid")
_DECIMAL = re.compile(r"-?[0-9]{1,20}(\.[0-9]{1,20})?")


def _decimal_text(value: str) -> str:
    if not _DECIMAL.fullmatch(value):
        raise ValueError(f"{value!r} is not a decimal amount")
    return value


def _known_currency(value: str) -> str:
    if value not in money.CURRENCIES:
        raise ValueError(f"{value!r} is not a currency Ramp knows")
    return value


#: An amount in major units, as decimal text (`1200.50`).
Amount = Annotated[str, AfterValidator(_decimal_text)]
#: An ISO 4217 code Ramp takes for a bill.
Currency = Annotated[str, AfterValidator(_known_currency)]


@dataclass(frozen=True, kw_only=True)
class MoneyLine:
    """A plain bill line: its memo and amount."""

    __pydantic_config__ = _STRICT

    memo: str | None
    amount: Amount


@dataclass(frozen=True, kw_only=True)
class InventoryMoneyLine:
    """An inventory bill line: quantity x unit price = amount."""

    __pydantic_config__ = _STRICT

    memo: str | None
    quantity: int
    unit_price: Amount
    amount: Amount


def _line_kind(value: object) -> str:
    """Which line a plan file's line is: one with a quantity is an inventory line."""
    if isinstance(value, dict):
        return "inventory" if "quantity" in value else "plain"
    return "inventory" if isinstance(value, InventoryMoneyLine) else "plain"


#: A line of a bill in the money section.
Line = Annotated[
    Annotated[MoneyLine, Tag("plain")] | Annotated[InventoryMoneyLine, Tag("inventory")],
    Discriminator(_line_kind),
]


@dataclass(frozen=True, kw_only=True)
class MoneyBill:
    """One bill change's money: what it totals once sent, what it newly pays, its lines."""

    __pydantic_config__ = _STRICT

    address: str
    action: str
    section: Section
    name: str
    invoice_number: str | None
    currency: Currency
    total: Amount
    #: The total in Ramp now (updates and archives; absent from a create's JSON).
    before_total: Annotated[Amount | None, Field(exclude_if=lambda value: value is None)] = None
    payment_method: str | None
    pays_on: str | None
    #: The payment a create schedules or an update adds to a scheduled one; None when none.
    new_payment: Amount | None
    lines: tuple[Line, ...]


@dataclass(frozen=True, kw_only=True)
class MoneySection:
    """How many bills a section has and their totals per currency."""

    __pydantic_config__ = _STRICT

    count: int = 0
    totals: dict[Currency, Amount] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Money(PlanForm):
    """A plan's money section: each section's count and totals, then each bill.

    Its JSON form (`to_json`, and the plan file's `money`) is pydantic's dump of it.
    """

    __pydantic_config__ = _STRICT

    create: MoneySection = field(default_factory=MoneySection)
    payments: MoneySection = field(default_factory=MoneySection)
    update: MoneySection = field(default_factory=MoneySection)
    archive: MoneySection = field(default_factory=MoneySection)
    bills: tuple[MoneyBill, ...] = ()

    def sections(self) -> dict[str, MoneySection]:
        """The sections by name, in `SECTIONS` order."""
        return {
            "create": self.create,
            "payments": self.payments,
            "update": self.update,
            "archive": self.archive,
        }


def empty_money() -> Money:
    """A money section with nothing in it."""
    return Money()


def money_summary(changes: list[Change], bills: dict[str, Bill]) -> Money:
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


def summarise(entries: list[MoneyBill]) -> Money:
    """The money section (counts and per-currency totals) of these bill entries."""
    counts: Counter[str] = Counter()
    sums: dict[str, dict[str, int]] = {s: defaultdict(int) for s in SECTIONS}
    for entry in entries:
        cur = entry.currency
        counts[entry.section] += 1
        sums[entry.section][cur] += money.to_minor(Decimal(entry.total), cur)
        if entry.new_payment:
            counts["payments"] += 1
            sums["payments"][cur] += money.to_minor(Decimal(entry.new_payment), cur)

    def section(name: str) -> MoneySection:
        totals = {cur: money.minor_text(amount, cur) for cur, amount in sorted(sums[name].items())}
        return MoneySection(count=counts[name], totals=totals)

    return Money(
        create=section("create"),
        payments=section("payments"),
        update=section("update"),
        archive=section("archive"),
        bills=tuple(entries),
    )


def _entry(change: Change, live: Bill | None) -> MoneyBill | None:
    if change.action is Action.CREATE and change.request:
        return _created(change, change.request)
    if live is None:
        return None
    if _updates(change):
        return _updated(change, _live(change, live, "update"), paid=live.paid)
    if change.action is Action.ARCHIVE:
        return _live(change, live, "archive")
    return None


def _updates(change: Change) -> bool:
    """Whether `change` sends an update to a bill (an adoption may send one too)."""
    return change.action in (Action.UPDATE, Action.ADOPT) and bool(change.request)


def has_entry(change: Change) -> bool:
    """Whether a bill change has an entry in the money section (creates and updates that send
    a request, archives)."""
    if change.kind != addr.BILL:
        return False
    sends = change.action is Action.CREATE and bool(change.request)
    return sends or _updates(change) or change.action is Action.ARCHIVE


def _updated(change: Change, before: MoneyBill, *, paid: bool) -> MoneyBill:
    """An update's entry: the bill as it is (`before`, its `before_total` what Ramp holds) once
    the change's request is sent; the raise is a new payment unless the bill is `paid`."""
    currency = before.currency
    lines = _sent_lines(change.request or {}, before.lines)
    after = _total(lines, currency)
    raised = after - money.to_minor(Decimal(before.before_total or before.total), currency)
    grows = raised > 0 and not paid  # the scheduled payment grows: gate it too
    return replace(
        before,
        total=money.minor_text(after, currency),
        lines=lines,
        new_payment=money.minor_text(raised, currency) if grows else None,
    )


def _created(change: Change, body: Body) -> MoneyBill:
    currency = str(body["invoice_currency"])
    lines = _sent_lines(body, ())
    total = money.minor_text(_total(lines, currency), currency)
    details = body.get("payment_details")
    details = details if isinstance(details, dict) else {}
    method = str(body["payment_method"])
    transaction = details.get("transaction_id")
    moves = payments.moves_money(method, transaction if isinstance(transaction, str) else None)
    return MoneyBill(
        address=change.address,
        action=change.action.value,
        section="create",
        name=change.name,
        invoice_number=_text(body["invoice_number"]),
        currency=currency,
        total=total,
        payment_method=method,
        pays_on=_text(details.get("payment_arrival_date") or details.get("payment_date")),
        new_payment=total if moves else None,
        lines=lines,
    )


def _sent_lines(body: Body, kept: tuple[Line, ...]) -> tuple[Line, ...]:
    """The lines a bill has once `body` is sent: the body's, else those `kept` (the live
    bill's); an inventory line's amount is always worked out from quantity and unit price."""
    plain = [x for x in kept if isinstance(x, MoneyLine)]
    if "line_items" in body:
        plain = [
            MoneyLine(memo=_text(item.get("memo")), amount=str(item["amount"]))
            for item in _objects(body["line_items"])
        ]
    inventory = [
        _inventory(x.memo, x.quantity, x.unit_price)
        for x in kept
        if isinstance(x, InventoryMoneyLine)
    ]
    if "inventory_line_items" in body:
        inventory = [
            _inventory(
                _text(item.get("memo")),
                _whole(item.get("unit_quantity", item.get("quantity", 0))),
                str(item["unit_price"]),
            )
            for item in _objects(body["inventory_line_items"])
        ]
    return (*plain, *inventory)


def _inventory(memo: str | None, quantity: int, unit_price: str) -> InventoryMoneyLine:
    amount = str(Decimal(unit_price) * quantity)
    return InventoryMoneyLine(memo=memo, quantity=quantity, unit_price=unit_price, amount=amount)


def _objects(value: JsonValue) -> list[dict[str, JsonValue]]:
    """The objects of a request body's list."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text(value: JsonValue) -> str | None:
    return None if value is None else str(value)


def _whole(value: JsonValue) -> int:
    return int(value) if isinstance(value, int | float | str) else 0


def _total(lines: tuple[Line, ...], currency: str) -> int:
    return sum(money.to_minor(Decimal(line.amount), currency) for line in lines)


def entry_for_request(change: Change, shown: MoneyBill) -> MoneyBill | None:
    """The money entry a plan file's bill change implies, without reading Ramp; None if the
    change has none.

    A create's entry comes whole from its request. An update's and an archive's address,
    action and name come from the change (an update's invoice number too), its total and new
    payment from the request and its before total from the change's `total` field (its old
    value; without one the update leaves the total as it is, and an archive always does).
    What only Ramp knows, the currency, payment method and date, the lines the request leaves
    alone and an archived bill's invoice number, is taken from `shown`: `apply` checks those
    against Ramp (`plan_trust.check_money`).
    """
    if change.action is Action.CREATE and change.request:
        return _created(change, change.request)
    if _updates(change):
        # Only an unpaid bill is planned an update (a paid one gets manual items instead).
        return _updated(change, _as_planned(change, shown, "update"), paid=False)
    if change.action is Action.ARCHIVE:
        return _as_planned(change, shown, "archive")
    return None


def _as_planned(change: Change, shown: MoneyBill, section: Section) -> MoneyBill:
    """The live bill a change was planned against, as far as the change records it."""
    before = {f.path: f.before for f in change.fields}
    if "total" in before:
        total = str(before["total"])
    elif section == "archive":
        total = shown.total  # an archive leaves the total as it is
    else:  # the update sends no lines, so the total is the one its lines give
        total = money.minor_text(_total(shown.lines, shown.currency), shown.currency)
    # An update's key carries the manifest's invoice number, the live one unless the update
    # changes it; an archive's key is the state's, so its number is checked by apply only.
    number = before.get("invoice_number", _key_number(change) or shown.invoice_number)
    number = number if section == "update" else shown.invoice_number
    return replace(
        shown,
        address=change.address,
        action=change.action.value,
        section=section,
        name=change.name,
        invoice_number=None if number is None else str(number),
        total=total,
        before_total=total,
        new_payment=None,
    )


def _key_number(change: Change) -> str | None:
    """The invoice number in a bill change's key (`vendor id:invoice number`)."""
    return change.key.partition(":")[2] if change.key else None


def _live(change: Change, live: Bill, section: Section) -> MoneyBill:
    view = live_bill(live)
    return MoneyBill(
        address=change.address,
        action=change.action.value,
        section=section,
        name=change.name,
        invoice_number=view.invoice_number,
        currency=live.currency,
        total=view.total,
        before_total=view.total,
        payment_method=view.payment.method,
        pays_on=view.payment.pays_on,
        new_payment=None,
        lines=_live_lines(view),
    )


def _live_lines(view: LiveBillValues) -> tuple[Line, ...]:
    plain = [MoneyLine(memo=x.memo, amount=x.amount) for x in view.line_items]
    inventory = [_inventory(x.memo, x.quantity, x.unit_price) for x in view.inventory_line_items]
    return (*plain, *inventory)
