"""Live bills: the full bill shape as Ramp returns it, its comparable view, reads and writes.

`rampctl.ramp.models.Bill` keeps the fields the rest of rampctl needs; a bill's diff also
needs inventory lines, the posting date and each coding's field id, so bills are read here
in the full shape (`LiveBill`) through the client's generic reader. Request bodies extend
the client's `BillCreate`/`BillUpdate` with Ramp's `inventory_line_items`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, ClassVar
from urllib.parse import quote

from pydantic import Field

from rampctl.errors import OutcomeUncertainError
from rampctl.model import money
from rampctl.model import normalise as norm
from rampctl.ramp.client import RampClient
from rampctl.ramp.models import (
    AccountingFieldInput,
    BillCreate,
    BillUpdate,
    CurrencyAmount,
    RampObject,
    RampRequest,
)


class LiveCategory(RampObject):
    """The accounting field a coding belongs to."""

    external_id: str | None = None


class LiveSelection(RampObject):
    """An accounting coding on a live bill: option and field, by external ids."""

    external_id: str | None = None
    category_info: LiveCategory | None = None


class LiveLine(RampObject):
    """A plain line of a live bill."""

    amount: CurrencyAmount
    memo: str | None = None
    accounting_field_selections: list[LiveSelection] = Field(default_factory=list)


class LiveInventoryLine(RampObject):
    """An inventory line of a live bill (quantity x unit price)."""

    amount: CurrencyAmount
    unit_price: CurrencyAmount
    unit_quantity: int = 0
    memo: str | None = None
    accounting_field_selections: list[LiveSelection] = Field(default_factory=list)


class LiveVendor(RampObject):
    """The vendor summary embedded in a bill."""

    id: str
    name: str | None = None


class LivePayment(RampObject):
    """A bill's payment: method, date and method-specific details."""

    payment_method: str | None = None
    payment_date: str | None = None
    details: dict[str, Any] | None = None


class LiveBill(RampObject):
    """A bill in the full shape Ramp returns it."""

    id: str
    vendor: LiveVendor
    vendor_contact_id: str | None = None
    entity_id: str | None = None
    invoice_number: str | None = None
    amount: CurrencyAmount
    status: str | None = None
    archived_at: str | None = None
    issued_at: str | None = None
    due_at: str | None = None
    posting_date: str | None = None
    memo: str | None = None
    line_items: list[LiveLine] = Field(default_factory=list)
    inventory_line_items: list[LiveInventoryLine] = Field(default_factory=list)
    accounting_field_selections: list[LiveSelection] = Field(default_factory=list)
    payment: LivePayment | None = None

    @property
    def paid(self) -> bool:
        """Whether Ramp marks the bill paid."""
        return self.status == "PAID"

    @property
    def currency(self) -> str:
        """The invoice currency (that of the amount)."""
        return self.amount.currency_code


class InventoryLineInput(RampRequest):
    """An inventory bill line in a request: unit price in major units, whole quantity."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset({"memo"})
    unit_price: Decimal = Field(ge=0)
    unit_quantity: int = Field(ge=0)
    memo: str | None = None
    accounting_field_selections: list[AccountingFieldInput] | None = None


class BillCreateBody(BillCreate):
    """POST /bills with Ramp's inventory lines."""

    NULLABLE: ClassVar[frozenset[str]] = BillCreate.NULLABLE | {"inventory_line_items"}
    inventory_line_items: list[InventoryLineInput] | None = None


class BillUpdateBody(BillUpdate):
    """PATCH /bills/{id} with Ramp's inventory lines."""

    NULLABLE: ClassVar[frozenset[str]] = BillUpdate.NULLABLE | {"inventory_line_items"}
    inventory_line_items: list[InventoryLineInput] | None = None


# --- reads ---------------------------------------------------------------------------------


def list_bills(client: RampClient, **filters: str | bool) -> list[LiveBill]:
    """Bills in the full shape (archived ones only with is_archived=True)."""
    return client._list("/bills", LiveBill, filters)  # the full shape, see the module doc


def get_bill(client: RampClient, bill_id: str) -> LiveBill:
    """One bill in the full shape, archived or not."""
    return client._get(f"/bills/{quote(bill_id, safe='')}", LiveBill)


def find_by_key(bills: Iterable[LiveBill], invoice_number: str) -> list[LiveBill]:
    """The non-archived bills among `bills` with this invoice number."""
    wanted = invoice_number.strip()
    return [
        b for b in bills if b.archived_at is None and (b.invoice_number or "").strip() == wanted
    ]


# --- views ---------------------------------------------------------------------------------


def bill_view(bill: LiveBill) -> dict[str, Any]:
    """The comparable fields of a live bill, in the vocabulary of `rampctl.model.bills`."""
    currency = bill.currency
    return {
        "name": f"{bill.vendor.name or bill.vendor.id} {bill.invoice_number or ''}".strip(),
        "vendor_id": bill.vendor.id,
        "contact_id": bill.vendor_contact_id,
        "entity_id": bill.entity_id,
        "invoice_number": norm.text(bill.invoice_number),
        "currency": currency,
        "issue_date": _day(bill.issued_at),
        "due_date": _day(bill.due_at),
        "posting_date": _day(bill.posting_date),
        "memo": norm.text(bill.memo),
        "accounting": _codings(bill.accounting_field_selections),
        "line_items": [_line(i, currency) for i in bill.line_items],
        "inventory_line_items": [_inventory(i, currency) for i in bill.inventory_line_items],
        "total": money.minor_text(bill.amount.amount, currency),
        "payment": payment_view(bill),
        "status": bill.status,
        "archived": bill.archived_at is not None,
    }


def _day(value: str | None) -> str | None:
    return value[:10] if value else None


def _codings(selections: list[LiveSelection]) -> list[list[str]]:
    return sorted(
        [
            (s.category_info.external_id or "") if s.category_info else "",
            s.external_id or "",
        ]
        for s in selections
    )


def _line(item: LiveLine, currency: str) -> dict[str, Any]:
    return {
        "amount": money.minor_text(item.amount.amount, currency),
        "memo": norm.text(item.memo),
        "accounting": _codings(item.accounting_field_selections),
    }


def _inventory(item: LiveInventoryLine, currency: str) -> dict[str, Any]:
    return {
        "unit_price": money.minor_text(item.unit_price.amount, currency),
        "quantity": item.unit_quantity,
        "memo": norm.text(item.memo),
        "accounting": _codings(item.accounting_field_selections),
    }


def payment_view(bill: LiveBill) -> dict[str, Any]:
    """The payment in manifest vocabulary (ids for accounts; dates as YYYY-MM-DD)."""
    payment = bill.payment
    if payment is None:
        return {"method": None}
    details = payment.details or {}
    method = payment.payment_method
    view: dict[str, Any] = {"method": method}
    if "manual_payment_method" in details:
        view["manual_method"] = details["manual_payment_method"]
        view["payment_date"] = _day(payment.payment_date)
    elif "spend_limit_id" in details:
        view["spend_limit_id"] = details.get("spend_limit_id")
        txns = details.get("transaction_ids") or []
        view["transaction_id"] = txns[0] if txns else None
    else:
        view["source_account"] = details.get("source_bank_account_id")
        view["vendor_account"] = details.get("vendor_account_id")
        view["arrival_date"] = _day(payment.payment_date)
    return view


# --- writes --------------------------------------------------------------------------------


def create_bill(client: RampClient, body: dict[str, Any], invoice_number: str) -> LiveBill:
    """Create a bill; after a lost answer, find it by vendor and invoice number instead."""
    try:
        created = client.create_bill(BillCreateBody(**body))
    except OutcomeUncertainError:
        found = find_by_key(list_bills(client, vendor_id=str(body["vendor_id"])), invoice_number)
        if len(found) == 1:
            return found[0]
        raise
    return get_bill(client, created.id)


def update_bill(client: RampClient, bill_id: str, body: dict[str, Any]) -> LiveBill:
    """Patch a bill and read it back in the full shape."""
    client.update_bill(bill_id, BillUpdateBody(**body))
    return get_bill(client, bill_id)
