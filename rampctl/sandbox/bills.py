"""Bill rules: building a bill from a create body, money in minor units, payment objects.

Bills created through the API are approved at once (no drafts). Line amounts in requests
are decimals in major units; responses carry CurrencyAmount in minor units of the invoice
currency. The `payment_details` variant must match `payment_method`.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from rampctl.sandbox import spec
from rampctl.sandbox.api import now_iso
from rampctl.sandbox.problems import bad_request, validation_error
from rampctl.sandbox.store import Store

ZERO_DECIMAL = frozenset(
    {
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "ISK",
        "JPY",
        "KMF",
        "KRW",
        "PYG",
        "RWF",
        "UGX",
        "UYI",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    }
)
THREE_DECIMAL = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})
BANK_METHODS = frozenset({"ACH", "DOMESTIC_WIRE", "INTERNATIONAL", "SWIFT"})
DETAIL_SCHEMAS = {
    "ACH": "ApiCreateBankAccountPaymentParamsRequestBody",
    "DOMESTIC_WIRE": "ApiCreateBankAccountPaymentParamsRequestBody",
    "INTERNATIONAL": "ApiCreateBankAccountPaymentParamsRequestBody",
    "SWIFT": "ApiCreateBankAccountPaymentParamsRequestBody",
    "CHECK": "ApiCreateBillVendorPaymentParamsRequestBody",
    "CARD": "ApiCreateCardBillPaymentParamsRequestBody",
    "PAID_MANUALLY": "ApiCreateManualBillPaymentParamsRequestBody",
}


def minor_units(amount: Any, currency: str, field: str = "amount") -> int:
    """A major-unit decimal (number or string) as an integer amount of minor units."""
    exponent = 0 if currency in ZERO_DECIMAL else 3 if currency in THREE_DECIMAL else 2
    try:
        value = Decimal(str(amount))
        if not value.is_finite() or value < 0:
            raise InvalidOperation
        return int((value * (10**exponent)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except InvalidOperation:
        raise validation_error({field: ["Not a valid amount: a decimal >= 0."]}) from None


def money(amount: int, currency: str) -> dict[str, Any]:
    """A CurrencyAmount."""
    return {"amount": amount, "currency_code": currency}


def as_datetime(day: str | None) -> str | None:
    """A request date (YYYY-MM-DD) as the response date-time (midnight UTC)."""
    return None if day is None else f"{date.fromisoformat(day).isoformat()}T00:00:00+00:00"


def lines(body: dict[str, Any], currency: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The response line items and inventory line items of a request body."""
    plain = [
        {
            "amount": money(minor_units(i["amount"], currency, f"line_items.{n}.amount"), currency),
            "memo": i.get("memo"),
            "accounting_field_selections": selections(i.get("accounting_field_selections")),
        }
        for n, i in enumerate(body.get("line_items") or [])
    ]
    inventory = []
    for n, item in enumerate(body.get("inventory_line_items") or []):
        price = minor_units(item["unit_price"], currency, f"inventory_line_items.{n}.unit_price")
        qty = int(item["unit_quantity"])
        inventory.append(
            {
                "amount": money(price * qty, currency),
                "unit_price": money(price, currency),
                "unit_quantity": qty,
                "memo": item.get("memo"),
                "accounting_field_selections": selections(item.get("accounting_field_selections")),
            }
        )
    return plain, inventory


def selections(raw: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Accounting field selections as Ramp returns them, from external field/option ids."""
    out = []
    for sel in raw or []:
        field, option = str(sel["field_external_id"]), str(sel["field_option_external_id"])
        out.append(
            {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"option:{field}:{option}")),
                "external_id": option,
                "name": option,
                "category_info": {
                    "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"field:{field}")),
                    "external_id": field,
                    "name": field,
                    "type": "OTHER",
                },
            }
        )
    return out


def total(line_items: list[dict[str, Any]], inventory: list[dict[str, Any]]) -> int:
    """The bill amount: the sum of all lines, in minor units."""
    return sum(int(i["amount"]["amount"]) for i in [*line_items, *inventory])


def check_payment_details(body: dict[str, Any]) -> dict[str, Any] | None:
    """The payment details, validated against the variant its `payment_method` selects."""
    method = str(body["payment_method"])
    details = body.get("payment_details")
    variant = DETAIL_SCHEMAS.get(method)
    if variant is None:
        if details is not None:
            raise validation_error(
                {"payment_details": [f"Not accepted for payment_method {method}."]}
            )
        return None
    if details is None:
        raise validation_error({"payment_details": [f"Required for payment_method {method}."]})
    fields = spec.errors_of(spec.schema_ref(variant), details)
    if fields:
        raise validation_error({f"payment_details.{k}": v for k, v in fields.items()})
    return dict(details)


def check_business_day(day: str, field: str) -> None:
    """Refuse a payment arrival date on a weekend (Ramp also refuses bank holidays)."""
    if date.fromisoformat(day).weekday() >= 5:
        raise bad_request("payment_arrival_date cannot be a weekend or bank holiday", field)


def check_payment_refs(
    store: Store, body: dict[str, Any], details: dict[str, Any] | None, source_ids: set[str]
) -> None:
    """Source account on the entity, vendor account on the vendor, an address for checks."""
    method = str(body["payment_method"])
    if details is None:
        return
    if "payment_arrival_date" in details:
        check_business_day(
            str(details["payment_arrival_date"]), "payment_details.payment_arrival_date"
        )
    if "source_bank_account_id" in details and details["source_bank_account_id"] not in source_ids:
        raise bad_request(
            "source_bank_account_id must be a BILL_PAY_BANK_ACCOUNT of the entity",
            "payment_details.source_bank_account_id",
        )
    if method in BANK_METHODS:
        account = details["vendor_account_id"]
        if store.parent_of("vendor_bank_account", account) != body["vendor_id"]:
            raise bad_request(
                "vendor_account_id is not a bank account of this vendor",
                "payment_details.vendor_account_id",
            )
    if method == "CHECK":
        vendor = store.get("vendor", body["vendor_id"]) or {}
        if not vendor.get("address"):
            raise bad_request("A check payment needs a vendor address", "payment_method")


def payment(
    body: dict[str, Any], details: dict[str, Any] | None, amount: dict[str, Any]
) -> dict[str, Any]:
    """The bill's payment object (no dates for UNSPECIFIED and VENDOR_CREDIT).

    Never null, and `trace_id` is an empty object until a payment is sent: Ramp's schema marks
    both nullable only beside an `allOf`, which strict OpenAPI 3.0 validators ignore.
    """
    method = str(body["payment_method"])
    scheduled = method not in ("UNSPECIFIED", "VENDOR_CREDIT")
    when = as_datetime(_payment_day(body, details)) if scheduled else None
    return {
        "amount": amount,
        "payment_method": method,
        "payment_date": when,
        "effective_date": when,
        "details": _details(method, details),
        "trace_id": {},
    }


def _payment_day(body: dict[str, Any], details: dict[str, Any] | None) -> str:
    details = details or {}
    return str(details.get("payment_arrival_date") or details.get("payment_date") or body["due_at"])


def _details(method: str, details: dict[str, Any] | None) -> dict[str, Any]:
    details = details or {}
    if method == "PAID_MANUALLY":
        return {
            "schema_type": "ManualPaymentDetailsSchema",
            "manual_payment_method": details["manual_payment_method"],
        }
    if method in ("CARD", "ONE_TIME_CARD", "ONE_TIME_CARD_DELIVERY"):
        txn = details.get("transaction_id")
        return {
            "schema_type": "CardPaymentDetailsSchema",
            "spend_limit_id": details.get("spend_limit_id") or str(uuid.uuid4()),
            "transaction_ids": [txn] if txn else [],
        }
    return {
        "schema_type": "VendorPaymentDetailsSchema",
        "approval_status": "APPROVED",
        "source_bank_account_id": details.get("source_bank_account_id"),
        "vendor_account_id": details.get("vendor_account_id"),
    }


def is_paid(body: dict[str, Any], details: dict[str, Any] | None) -> bool:
    """Paid at once: manual payments, and card payments naming their transaction."""
    method = str(body["payment_method"])
    return method == "PAID_MANUALLY" or (
        method == "CARD" and bool((details or {}).get("transaction_id"))
    )


def new_bill(
    body: dict[str, Any], details: dict[str, Any] | None, owner: dict[str, Any]
) -> dict[str, Any]:
    """The stored form of a new, approved bill from a validated create body."""
    currency = str(body["invoice_currency"])
    plain, inventory = lines(body, currency)
    amount = money(total(plain, inventory), currency)
    paid = is_paid(body, details)
    issued = as_datetime(str(body["issued_at"]))
    return {
        "id": str(uuid.uuid4()),
        "_vendor_id": body["vendor_id"],
        "vendor_contact_id": body["vendor_contact_id"],
        "entity_id": body["entity_id"],
        "invoice_number": body["invoice_number"],
        "_invoice_currency": currency,
        "amount": amount,
        "issued_at": issued,
        "due_at": as_datetime(str(body["due_at"])),
        "created_at": now_iso(),
        "accounting_date": as_datetime(body.get("posting_date")) or issued,
        "posting_date": as_datetime(body.get("posting_date")),
        "paid_at": as_datetime(_payment_day(body, details)) if paid else None,
        "status": "PAID" if paid else "OPEN",
        "approval_status": "APPROVED",
        "sync_status": "NOT_SYNCED",
        "archived_at": None,
        "bill_owner": owner,
        "line_items": plain,
        "inventory_line_items": inventory,
        "accounting_field_selections": selections(body.get("accounting_field_selections")),
        "payment": payment(body, details, amount),
        "_payment_method": body["payment_method"],
        "fx_conversion_rate": "1.0",
        "invoice_urls": [],
        "memo": body.get("memo"),
        "remote_id": body.get("remote_id"),
    }


def refresh_derived(bill: dict[str, Any]) -> None:
    """Recompute the fields derived from others (sync readiness, selection ids)."""
    bill["_sync_ready"] = (
        bill["approval_status"] == "APPROVED"
        and bill["archived_at"] is None
        and bill["sync_status"] == "NOT_SYNCED"
    )
    ids = [s["id"] for s in bill["accounting_field_selections"]]
    for item in [*bill["line_items"], *bill["inventory_line_items"]]:
        ids += [s["id"] for s in item["accounting_field_selections"]]
    bill["_selection_ids"] = "|" + "|".join(ids) + "|"
