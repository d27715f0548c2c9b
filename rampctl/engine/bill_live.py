"""Live bills: a bill's comparable view in manifest vocabulary, and its reads and writes.

Bills are read through the client's `list_bills`/`get_bill` as `rampctl.ramp.models.Bill`
(inventory lines, posting date and coding field ids included); `bill_view` turns one into
the values a Bill manifest's `fields` are compared with. A create whose answer was lost is
found again by (vendor, invoice number) instead of being sent twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rampctl.errors import OutcomeUncertainError, RampError
from rampctl.model import money
from rampctl.model import normalise as norm
from rampctl.ramp.client import RampClient
from rampctl.ramp.models import (
    AccountingFieldSelection,
    Bill,
    BillCreate,
    BillInventoryLineItem,
    BillLineItem,
    BillUpdate,
)

# --- reads ---------------------------------------------------------------------------------


def find_by_key(
    bills: Iterable[Bill], invoice_number: str, *, archived: bool = False
) -> list[Bill]:
    """The bills among `bills` with this invoice number (archived ones only if `archived`)."""
    wanted = invoice_number.strip()
    return [
        b
        for b in bills
        if (archived or b.archived_at is None) and (b.invoice_number or "").strip() == wanted
    ]


def vendor_bills(client: RampClient, vendor_id: str) -> list[Bill]:
    """Every bill of a vendor, archived ones included (Ramp lists those only on request).

    The vendor filter is checked again on each bill: a list that ignored it must never
    let another vendor's bill with the same invoice number be adopted."""
    listed = client.list_bills(vendor_id=vendor_id) + client.list_bills(
        vendor_id=vendor_id, is_archived=True
    )
    return [b for b in listed if b.vendor.id == vendor_id]


# --- views ---------------------------------------------------------------------------------


def bill_view(bill: Bill) -> dict[str, Any]:
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


def _codings(selections: list[AccountingFieldSelection]) -> list[list[str]]:
    return sorted(
        [
            (s.category_info.external_id or "") if s.category_info else "",
            s.external_id or "",
        ]
        for s in selections
    )


def _line(item: BillLineItem, currency: str) -> dict[str, Any]:
    return {
        "amount": money.minor_text(item.amount.amount, currency),
        "memo": norm.text(item.memo),
        "accounting": _codings(item.accounting_field_selections),
    }


def _inventory(item: BillInventoryLineItem, currency: str) -> dict[str, Any]:
    return {
        "unit_price": money.minor_text(item.unit_price.amount, currency),
        "quantity": item.unit_quantity,
        "memo": norm.text(item.memo),
        "accounting": _codings(item.accounting_field_selections),
    }


def payment_view(bill: Bill) -> dict[str, Any]:
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


def create_bill(client: RampClient, body: dict[str, Any], invoice_number: str) -> Bill:
    """Create a bill; after a lost answer, find it by vendor and invoice number instead
    (archived ones too: a bill archived meanwhile was still created)."""
    try:
        created = client.create_bill(BillCreate.model_validate(body))
    except OutcomeUncertainError as uncertain:
        try:
            bills = vendor_bills(client, str(body["vendor_id"]))
        except RampError:
            raise uncertain from None
        found = find_by_key(bills, invoice_number, archived=True)
        if len(found) == 1:
            return found[0]
        raise
    return client.get_bill(created.id)


def update_bill(client: RampClient, bill_id: str, body: dict[str, Any]) -> Bill:
    """Patch a bill and read it back in the full shape."""
    client.update_bill(bill_id, BillUpdate.model_validate(body))
    return client.get_bill(bill_id)
