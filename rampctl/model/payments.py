"""Bill payment methods and their detail fields: the one home of these rules.

Ramp's own vocabulary (`PaymentMethod`, `ManualPaymentMethod`, and which `payment_details`
variant each method takes) is the API contract in `rampctl.ramp.models`. This module names
each detail field as a Bill manifest writes it, maps it to Ramp's field, and derives from
Ramp's variants which fields a method needs and takes. The manifest validator, the engine
(request bodies, the live view, money checks) and the importer all read these names here.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import JsonValue

from rampctl.ramp.models import DETAILS_FOR_METHOD, ManualPaymentMethod, PaymentMethod

__all__ = [
    "BANK_METHODS",
    "DETAIL_FIELDS",
    "NO_NEW_PAYMENT",
    "PAYMENT_DETAIL_FIELDS",
    "PAYMENT_FIELDS",
    "ManualPaymentMethod",
    "PaymentMethod",
    "moves_money",
    "ramp_details",
]

#: Manifest name of each payment-detail field -> Ramp's name in `payment_details`.
DETAIL_FIELDS: dict[str, str] = {
    "source_account": "source_bank_account_id",
    "vendor_account": "vendor_account_id",
    "arrival_date": "payment_arrival_date",
    "spend_limit_id": "spend_limit_id",
    "transaction_id": "transaction_id",
    "manual_method": "manual_payment_method",
    "payment_date": "payment_date",
}
#: Every payment-detail field a Bill manifest may carry, in canonical order.
PAYMENT_DETAIL_FIELDS = tuple(DETAIL_FIELDS)
_MANIFEST_NAME = {ramp: manifest for manifest, ramp in DETAIL_FIELDS.items()}


def _fields_of(method: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    variant = DETAILS_FOR_METHOD[method]
    names = {
        _MANIFEST_NAME[name]: info.is_required() for name, info in variant.model_fields.items()
    }
    required = tuple(n for n in PAYMENT_DETAIL_FIELDS if names.get(n) is True)
    optional = tuple(n for n in PAYMENT_DETAIL_FIELDS if names.get(n) is False)
    return required, optional


#: The manifest payment fields each method needs (required) and takes; the rest must be absent.
#: Methods without `payment_details` in Ramp (UNSPECIFIED, VENDOR_CREDIT, ...) take none.
PAYMENT_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    method: _fields_of(method) for method in sorted(DETAILS_FOR_METHOD)
}
#: Methods paying from a bill-pay bank account to a vendor bank account.
BANK_METHODS = frozenset(m for m, (req, _) in PAYMENT_FIELDS.items() if "vendor_account" in req)
#: Payment methods that pay nothing now: the bill records a payment made elsewhere, or none.
NO_NEW_PAYMENT = frozenset({"PAID_MANUALLY", "UNSPECIFIED", "VENDOR_CREDIT"})


def moves_money(method: str | None, transaction_id: str | None = None) -> bool:
    """Whether a bill with this payment schedules a new payment from the business.

    A card bill naming the transaction that already paid it moves no money either.
    """
    if method is None or method in NO_NEW_PAYMENT:
        return False
    return not (method == "CARD" and transaction_id)


def ramp_details(payment: Mapping[str, JsonValue]) -> dict[str, JsonValue] | None:
    """Ramp's `payment_details` for a resolved payment (manifest names), or None if empty."""
    details = {DETAIL_FIELDS[k]: v for k, v in payment.items() if k in DETAIL_FIELDS}
    return details or None
