"""Drafting Bill manifests from Ramp's open bills for `rampctl import`.

Contacts, bank accounts and accounting codings are written by email, name and external id,
as a person would write them; names come from the importer's one slugger.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from pydantic import JsonValue

from rampctl.engine.bill_live import live_bill
from rampctl.engine.bill_plan import contact_email
from rampctl.engine.bill_read import bank_lister
from rampctl.engine.snapshot import Snapshot, read_contacts
from rampctl.importer.draft import Spec
from rampctl.importer.slugs import NameAllocator, slug
from rampctl.model.kinds.bill import (
    BillLineValues,
    Coding,
    InventoryLineValues,
    LivePaymentValues,
)
from rampctl.ramp.client import RampClient
from rampctl.ramp.models import Bill, Entity, VendorBankAccount


def import_bills(
    client: RampClient,
    snapshot: Snapshot,
    *,
    since: str,
    vendor_names: dict[str, str],
) -> list[Spec]:
    """Open bills issued on or after `since` (YYYY-MM-DD) as Bill manifest documents.

    `vendor_names` maps Ramp vendor ids to the metadata names of their Vendor manifests;
    other vendors are referenced by `{id: ...}`. Contacts, bank accounts and accounting
    codings are written by email, name and external id, as a person would write them.
    """
    bills = client.list_bills(payment_status="OPEN", from_issued_date=f"{since}T00:00:00Z")
    vendor_ids = sorted({b.vendor.id for b in bills})
    read_contacts(client, snapshot, [v for v in vendor_ids if v not in snapshot.contacts])
    banks = client.run_concurrently({v: bank_lister(client, v) for v in vendor_ids})
    names = NameAllocator()
    return [
        _manifest(bill, snapshot, banks.get(bill.vendor.id, []), vendor_names, names)
        for bill in sorted(bills, key=lambda b: (b.vendor.name or "", b.invoice_number or ""))
    ]


def _manifest(
    bill: Bill,
    snapshot: Snapshot,
    banks: list[VendorBankAccount],
    vendor_names: dict[str, str],
    names: NameAllocator,
) -> Spec:
    view = live_bill(bill)
    vendor: JsonValue = vendor_names.get(bill.vendor.id) or {"id": bill.vendor.id}
    spec: Spec = {"vendor": vendor}
    contact = contact_email(snapshot, bill.vendor.id, bill.vendor_contact_id)
    if contact:
        spec["contact"] = contact
    entity = snapshot.entities.get(bill.entity_id or "")
    spec["entity"] = (entity.entity_name if entity else None) or bill.entity_id
    for key in ("invoice_number", "currency", "issue_date", "due_date", "posting_date", "memo"):
        value = getattr(view, key)
        if value is not None:
            spec[key] = value
    if view.accounting:
        spec["accounting"] = _imported_codings(view.accounting)
    if view.line_items:
        spec["line_items"] = [_imported_line(line) for line in view.line_items]
    if view.inventory_line_items:
        spec["inventory_line_items"] = [_imported_line(line) for line in view.inventory_line_items]
    spec["payment"] = _imported_payment(view.payment, entity, banks)
    name = names.take(slug(view.name, fallback="bill"))
    return {"apiVersion": "rampctl/v1", "kind": "Bill", "metadata": {"name": name}, "spec": spec}


def _imported_codings(codings: tuple[Coding, ...]) -> list[JsonValue]:
    return [{"field": f, "option": o} for f, o in codings]


def _imported_line(line: BillLineValues | InventoryLineValues) -> JsonValue:
    out: Spec = {k: v for k, v in line.as_dict().items() if k != "accounting" and v is not None}
    if line.accounting:
        out["accounting"] = _imported_codings(line.accounting)
    return out


def _imported_payment(
    payment: LivePaymentValues, entity: Entity | None, banks: list[VendorBankAccount]
) -> dict[str, JsonValue]:
    """The payment as a manifest writes it: accounts by name where they have one."""
    if payment.method in ("ONE_TIME_CARD", "ONE_TIME_CARD_DELIVERY"):
        return {"method": payment.method}  # Ramp makes the card; nothing to declare
    accounts = entity.accounts if entity else []
    sources = {a.bank_account_id: a.external_name for a in accounts if a.bank_account_id}
    nicknames = {a.id: a.account_nickname for a in banks}
    named = replace(
        payment,
        source_account=_named(payment.source_account, sources),
        vendor_account=_named(payment.vendor_account, nicknames),
    )
    return {k: v for k, v in named.as_dict().items() if v is not None}


def _named(account: str | None, names: Mapping[str, str | None]) -> str | None:
    """An account's name, else its id as Ramp gives it."""
    return (names.get(account) or account) if account is not None else None
