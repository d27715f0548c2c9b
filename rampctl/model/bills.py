"""Desired bills: what Bill manifests ask for, normalised into the vocabulary plan compares.

Typed, frozen values declared by the Bill kind (`rampctl.model.kinds.bill.BillValues`):
amounts are canonical decimal text with the currency's digits (`"1200.50"`), dates ISO
text, accounting codings sorted `(field, option)` pairs. References (vendor, contact, entity,
bank accounts) are kept as written; the engine resolves them against Ramp.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from rampctl.model import address as addr
from rampctl.model import money, payments
from rampctl.model import normalise as norm
from rampctl.model.declared import Desired
from rampctl.model.kinds.bill import (
    PLAIN_FIELDS,
    BillLineValues,
    BillPaymentValues,
    BillValues,
    Coding,
    InventoryLineValues,
)
from rampctl.model.kinds.spec import FieldSpec
from rampctl.model.source import Source


@dataclass(frozen=True, kw_only=True)
class DesiredBill(Desired):
    """A Bill manifest, normalised: typed `fields` to compare, references as written."""

    name: str
    vendor_address: str | None
    vendor_id: str | None
    fields: BillValues

    @property
    def contact(self) -> str | None:
        """The email of the vendor contact to send the bill to (None: Ramp's default)."""
        return self.fields.contact

    @property
    def entity(self) -> str:
        """The entity that pays, by name or id as written."""
        return self.fields.entity

    @property
    def currency(self) -> str:
        """The bill's currency (ISO code)."""
        return self.fields.currency

    @property
    def payment(self) -> BillPaymentValues:
        """How the bill is paid, accounts as written in the manifest."""
        return self.fields.payment

    @property
    def invoice_number(self) -> str:
        """The invoice number (with the vendor, the bill's adoption key)."""
        return self.fields.invoice_number

    @property
    def depends_on(self) -> list[str]:
        """The vendor manifest this bill needs first, if any."""
        return [self.vendor_address] if self.vendor_address else []

    @property
    def total_minor(self) -> int:
        """The bill's total in minor units: plain lines plus quantity x unit price."""
        return bill_total(self.fields, self.currency)

    @property
    def moves_money(self) -> bool:
        """Whether creating the bill schedules a new payment from the business."""
        return payments.moves_money(self.payment.method, self.payment.transaction_id)


def bill_total(fields: BillValues, currency: str) -> int:
    """The total in minor units of a bill's lines: plain lines plus quantity x unit price."""
    total = sum(money.to_minor(Decimal(line.amount), currency) for line in fields.line_items)
    for item in fields.inventory_line_items:
        total += money.to_minor(Decimal(item.unit_price), currency) * item.quantity
    return total


def build_bills(documents: Sequence[Source]) -> dict[str, DesiredBill]:
    """The desired bills of the Bill documents, by address."""
    return {doc.address: desired_bill(doc) for doc in documents}


def desired_bill(doc: Source) -> DesiredBill:
    """One Bill document as a DesiredBill."""
    spec: Any = doc.spec
    vendor_address = addr.make(addr.VENDOR, spec.vendor) if isinstance(spec.vendor, str) else None
    return DesiredBill(
        address=doc.address,
        name=doc.name,
        vendor_address=vendor_address,
        vendor_id=None if vendor_address else spec.vendor.id.strip(),
        fields=_fields(spec, spec.currency),
        protect=bool(spec.protect),
        document=doc.origin(),
    )


def _fields(spec: Any, currency: str) -> BillValues:
    return BillValues(
        vendor=spec.vendor if isinstance(spec.vendor, str) else spec.vendor.id.strip(),
        contact=norm.email(spec.contact),
        entity=spec.entity.strip(),
        **{field.path: _plain(field, getattr(spec, field.path)) for field in PLAIN_FIELDS},
        accounting=codings(spec.accounting),
        line_items=tuple(
            BillLineValues(
                amount=money.text(line.amount, currency),
                memo=norm.text(line.memo),
                accounting=codings(line.accounting),
            )
            for line in spec.line_items
        ),
        inventory_line_items=tuple(
            InventoryLineValues(
                unit_price=money.text(line.unit_price, currency),
                quantity=line.quantity,
                memo=norm.text(line.memo),
                accounting=codings(line.accounting),
            )
            for line in spec.inventory_line_items
        ),
        payment=_payment(spec.payment),
    )


def _plain(field: FieldSpec, value: Any) -> Any:
    """A plain field's manifest value through its normaliser (dates as YYYY-MM-DD)."""
    return field.normalise(value.isoformat() if isinstance(value, date) else value)


def codings(selections: Any) -> tuple[Coding, ...]:
    """Accounting selections as sorted `(field, option)` pairs."""
    return tuple(sorted((s.field.strip(), s.option.strip()) for s in selections))


def _payment(payment: Any) -> BillPaymentValues:
    details: dict[str, str] = {}
    for name in payments.PAYMENT_DETAIL_FIELDS:
        value = getattr(payment, name)
        if value is not None:
            details[name] = value.isoformat() if hasattr(value, "isoformat") else str(value).strip()
    return BillPaymentValues(method=payment.method, **details)
