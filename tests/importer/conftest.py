"""Builders for hand-made live snapshots that importer tests draft from."""

from __future__ import annotations

from typing import Any

from rampctl.engine.snapshot import Snapshot
from rampctl.ramp.models import (
    AccountingVendor,
    Bill,
    BillLineItem,
    BillPayment,
    BillVendor,
    Business,
    CurrencyAmount,
    User,
    Vendor,
    VendorContact,
)

BUSINESS = "b-1"


def user(handle: str) -> User:
    """An active user `handle@example.test` with id `u-handle`."""
    return User(id=f"u-{handle}", email=f"{handle}@example.test", status="USER_ACTIVE")


def vendor(vid: str, name: str, *, created: str = "2024-01-01T00:00:00Z", **extra: Any) -> Vendor:
    """A live vendor; `extra` sets any other field (external_vendor_id, is_active, ...)."""
    data: dict[str, Any] = {"id": vid, "name": name, "country": "US", "created_at": created}
    data.update(extra)
    return Vendor(**data)


def contact(cid: str, email: str, **extra: Any) -> VendorContact:
    """A live vendor contact."""
    return VendorContact(id=cid, email=email, **extra)


def accounting(remote: str, name: str, **extra: Any) -> AccountingVendor:
    """A live accounting vendor with ramp id `av-<remote>`."""
    return AccountingVendor(ramp_id=f"av-{remote}", id=remote, name=name, **extra)


def snapshot(
    vendors: list[Vendor],
    *,
    users: list[User] | None = None,
    accounting_vendors: list[AccountingVendor] | None = None,
    contacts: dict[str, list[VendorContact]] | None = None,
) -> Snapshot:
    """A snapshot of business `b-1` holding these objects."""
    return Snapshot(
        business=Business(id=BUSINESS),
        users={u.id: u for u in users or [user("alice")]},
        vendors={v.id: v for v in vendors},
        accounting_vendors={a.ramp_id: a for a in accounting_vendors or []},
        entities={},
        contacts=contacts or {},
    )


def bill(
    bid: str,
    vendor_id: str,
    number: str | None,
    *,
    vendor_name: str = "Acme",
    created: str = "2025-01-01T00:00:00Z",
    amount: int = 120000,
) -> Bill:
    """An open ACH bill of USD `amount` cents, issued 2025-01-10, with one line."""
    return Bill(
        id=bid,
        vendor=BillVendor(id=vendor_id, name=vendor_name),
        vendor_contact_id="c1",
        entity_id="e-1",
        invoice_number=number,
        amount=CurrencyAmount(amount=amount),
        status="OPEN",
        issued_at="2025-01-10T00:00:00Z",
        due_at="2025-02-14T00:00:00Z",
        created_at=created,
        line_items=[BillLineItem(amount=CurrencyAmount(amount=amount), memo="Hosting")],
        payment=BillPayment(
            payment_method="ACH",
            payment_date="2025-02-14",
            details={"source_bank_account_id": "ba-1", "vendor_account_id": "vba-1"},
        ),
    )


def bill_document(live: Bill, vendor: str | dict[str, str]) -> dict[str, Any]:
    """The Bill manifest `rampctl.importer.bill_draft.import_bills` writes for `live`."""
    line = live.line_items[0]
    spec: dict[str, Any] = {
        "vendor": vendor,
        "contact": "ap@acme.example",
        "entity": "Northwind Labs, Inc.",
        "invoice_number": live.invoice_number,
        "currency": "USD",
        "issue_date": "2025-01-10",
        "due_date": "2025-02-14",
        "line_items": [{"amount": f"{line.amount.amount / 100:.2f}", "memo": line.memo}],
        "payment": {
            "method": "ACH",
            "source_account": "Operating Checking",
            "vendor_account": "Acme operating",
            "arrival_date": "2025-02-14",
        },
    }
    if live.invoice_number is None:
        del spec["invoice_number"]
    return {"apiVersion": "rampctl/v1", "kind": "Bill", "metadata": {"name": "x"}, "spec": spec}
