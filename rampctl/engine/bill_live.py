"""Live bills: a bill's comparable view in manifest vocabulary, and its reads and writes.

Bills are read through the client's `list_bills`/`get_bill` as `rampctl.ramp.models.Bill`
(inventory lines, posting date and coding field ids included); `live_bill` turns one into
typed values (`LiveBillValues`) in the vocabulary of a Bill manifest's `fields`; their
`as_dict` is the record form the state holds. A create whose answer was lost is found again
by (vendor, invoice number) instead of being sent twice.
"""

from __future__ import annotations

from collections.abc import Iterable

from rampctl.engine.changes import Body
from rampctl.errors import OutcomeUncertainError, RampError
from rampctl.model import money
from rampctl.model import normalise as norm
from rampctl.model.kinds import Input
from rampctl.model.kinds.bill import (
    PLAIN_FIELDS,
    BillLineValues,
    Coding,
    InventoryLineValues,
    LiveBillValues,
    LivePaymentValues,
)
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


def live_bill(bill: Bill) -> LiveBillValues:
    """A live bill's fields as typed values in the vocabulary of `rampctl.model.bills`."""
    currency = bill.currency
    return LiveBillValues.of(
        {
            "name": bill_name(bill),
            "vendor_id": bill.vendor.id,
            "contact_id": bill.vendor_contact_id,
            "entity_id": bill.entity_id,
            **_plain(bill),
            "currency": currency,
            "accounting": _codings(bill.accounting_field_selections),
            "line_items": tuple(_line(i, currency) for i in bill.line_items),
            "inventory_line_items": tuple(
                _inventory(i, currency) for i in bill.inventory_line_items
            ),
            "total": money.minor_text(bill.amount.amount, currency),
            "payment": live_payment(bill),
            "status": bill.status,
            "archived": bill.archived_at is not None,
        }
    )


def _plain(bill: Bill) -> dict[str, object]:
    """A live bill's plain fields (but the currency) through their normalisers; dates as
    YYYY-MM-DD. The currency is the amount's: what the lines are in."""
    return {
        field.path: field.normalise(
            _day(getattr(bill, field.ramp))
            if field.input is Input.DATE
            else getattr(bill, field.ramp)
        )
        for field in PLAIN_FIELDS
        if field.path != "currency"
    }


def bill_name(bill: Bill) -> str:
    """How plans name a live bill: its vendor's name (or id) and invoice number."""
    return f"{bill.vendor.name or bill.vendor.id} {bill.invoice_number or ''}".strip()


def _day(value: str | None) -> str | None:
    return value[:10] if value else None


def _codings(selections: list[AccountingFieldSelection]) -> tuple[Coding, ...]:
    return tuple(
        sorted(
            (
                (s.category_info.external_id or "") if s.category_info else "",
                s.external_id or "",
            )
            for s in selections
        )
    )


def _line(item: BillLineItem, currency: str) -> BillLineValues:
    return BillLineValues(
        amount=money.minor_text(item.amount.amount, currency),
        memo=norm.text(item.memo),
        accounting=_codings(item.accounting_field_selections),
    )


def _inventory(item: BillInventoryLineItem, currency: str) -> InventoryLineValues:
    return InventoryLineValues(
        unit_price=money.minor_text(item.unit_price.amount, currency),
        quantity=item.unit_quantity,
        memo=norm.text(item.memo),
        accounting=_codings(item.accounting_field_selections),
    )


def live_payment(bill: Bill) -> LivePaymentValues:
    """The payment in manifest vocabulary (ids for accounts; dates as YYYY-MM-DD), with the
    detail fields of the variant Ramp's `details` are."""
    payment = bill.payment
    if payment is None:
        return LivePaymentValues(method=None)
    details = payment.details or {}
    method = payment.payment_method
    if "manual_payment_method" in details:
        return LivePaymentValues(
            method=method,
            manual_method=details["manual_payment_method"],
            payment_date=_day(payment.payment_date),
            shown=("manual_method", "payment_date"),
        )
    if "spend_limit_id" in details:
        txns = details.get("transaction_ids") or []
        return LivePaymentValues(
            method=method,
            spend_limit_id=details.get("spend_limit_id"),
            transaction_id=txns[0] if txns else None,
            shown=("spend_limit_id", "transaction_id"),
        )
    return LivePaymentValues(
        method=method,
        source_account=details.get("source_bank_account_id"),
        vendor_account=details.get("vendor_account_id"),
        arrival_date=_day(payment.payment_date),
        shown=("source_account", "vendor_account", "arrival_date"),
    )


# --- writes --------------------------------------------------------------------------------


def create_bill(client: RampClient, body: Body, invoice_number: str) -> Bill:
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


def update_bill(client: RampClient, bill_id: str, body: Body) -> Bill:
    """Patch a bill and read it back in the full shape."""
    client.update_bill(bill_id, BillUpdate.model_validate(body))
    return client.get_bill(bill_id)
