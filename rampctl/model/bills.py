"""Desired bills: what Bill manifests ask for, normalised into the vocabulary plan compares.

Amounts are canonical decimal text with the currency's digits (`"1200.50"`), dates ISO
text, accounting codings `[field, option]` pairs. References (vendor, contact, entity,
bank accounts) are kept as written; the engine resolves them against Ramp.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rampctl.model import address as addr
from rampctl.model import money, payments
from rampctl.model import normalise as norm
from rampctl.model.declared import Desired
from rampctl.model.source import Source


@dataclass(frozen=True, kw_only=True)
class DesiredBill(Desired):
    """A Bill manifest, normalised; `fields` are the comparable values, references as written."""

    name: str
    vendor_address: str | None
    vendor_id: str | None
    contact: str | None
    entity: str
    currency: str
    fields: dict[str, Any]
    payment: dict[str, Any]

    @property
    def invoice_number(self) -> str:
        """The invoice number (with the vendor, the bill's adoption key)."""
        return str(self.fields["invoice_number"])

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
        return payments.moves_money(self.payment["method"], self.payment.get("transaction_id"))


def bill_total(fields: dict[str, Any], currency: str) -> int:
    """The total in minor units of comparable bill fields (`line_items`, inventory lines)."""
    total = sum(money.to_minor(Decimal(i["amount"]), currency) for i in fields["line_items"])
    for item in fields["inventory_line_items"]:
        total += money.to_minor(Decimal(item["unit_price"]), currency) * int(item["quantity"])
    return total


def build_bills(documents: Sequence[Source]) -> dict[str, DesiredBill]:
    """The desired bills of the Bill documents, by address."""
    return {doc.address: desired_bill(doc) for doc in documents}


def desired_bill(doc: Source) -> DesiredBill:
    """One Bill document as a DesiredBill."""
    spec: Any = doc.spec
    currency = spec.currency
    vendor_address = addr.make(addr.VENDOR, spec.vendor) if isinstance(spec.vendor, str) else None
    return DesiredBill(
        address=doc.address,
        name=doc.name,
        vendor_address=vendor_address,
        vendor_id=None if vendor_address else spec.vendor.id.strip(),
        contact=norm.email(spec.contact),
        entity=spec.entity.strip(),
        currency=currency,
        fields=_fields(spec, currency),
        payment=_payment(spec.payment),
        protect=bool(spec.protect),
        document=doc,
    )


def _fields(spec: Any, currency: str) -> dict[str, Any]:
    return {
        "invoice_number": spec.invoice_number.strip(),
        "currency": currency,
        "issue_date": spec.issue_date.isoformat(),
        "due_date": spec.due_date.isoformat(),
        "posting_date": spec.posting_date.isoformat() if spec.posting_date else None,
        "memo": norm.text(spec.memo),
        "accounting": codings(spec.accounting),
        "line_items": [
            {
                "amount": money.text(line.amount, currency),
                "memo": norm.text(line.memo),
                "accounting": codings(line.accounting),
            }
            for line in spec.line_items
        ],
        "inventory_line_items": [
            {
                "unit_price": money.text(line.unit_price, currency),
                "quantity": line.quantity,
                "memo": norm.text(line.memo),
                "accounting": codings(line.accounting),
            }
            for line in spec.inventory_line_items
        ],
    }


def codings(selections: Any) -> list[list[str]]:
    """Accounting selections as sorted `[field, option]` pairs."""
    return sorted([s.field.strip(), s.option.strip()] for s in selections)


def _payment(payment: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"method": payment.method}
    for name in payments.PAYMENT_DETAIL_FIELDS:
        value = getattr(payment, name)
        if value is not None:
            out[name] = value.isoformat() if hasattr(value, "isoformat") else str(value).strip()
    return out
