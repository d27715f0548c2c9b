"""Drafting Bill manifests from Ramp's open bills for `rampctl import`.

Contacts, bank accounts and accounting codings are written by email, name and external id,
as a person would write them; names come from the importer's one slugger.
"""

from __future__ import annotations

from typing import Any

from rampctl.engine.bill_live import bill_view
from rampctl.engine.bill_plan import contact_email
from rampctl.engine.bill_read import bank_lister
from rampctl.engine.snapshot import Snapshot, read_contacts
from rampctl.importer.slugs import NameAllocator, slug
from rampctl.ramp.client import RampClient
from rampctl.ramp.models import Bill, Entity


def import_bills(
    client: RampClient,
    snapshot: Snapshot,
    *,
    since: str,
    vendor_names: dict[str, str],
) -> list[dict[str, Any]]:
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
    banks: list[Any],
    vendor_names: dict[str, str],
    names: NameAllocator,
) -> dict[str, Any]:
    view = bill_view(bill)
    vendor: Any = vendor_names.get(bill.vendor.id) or {"id": bill.vendor.id}
    spec: dict[str, Any] = {"vendor": vendor}
    contact = contact_email(snapshot, bill.vendor.id, bill.vendor_contact_id)
    if contact:
        spec["contact"] = contact
    entity = snapshot.entities.get(bill.entity_id or "")
    spec["entity"] = (entity.entity_name if entity else None) or bill.entity_id
    for key in ("invoice_number", "currency", "issue_date", "due_date", "posting_date", "memo"):
        if view[key] is not None:
            spec[key] = view[key]
    if view["accounting"]:
        spec["accounting"] = [{"field": f, "option": o} for f, o in view["accounting"]]
    for key in ("line_items", "inventory_line_items"):
        if view[key]:
            spec[key] = [_imported_line(line) for line in view[key]]
    spec["payment"] = _imported_payment(view["payment"], entity, banks)
    name = names.take(slug(view["name"], fallback="bill"))
    return {"apiVersion": "rampctl/v1", "kind": "Bill", "metadata": {"name": name}, "spec": spec}


def _imported_line(line: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in line.items() if k != "accounting" and v is not None}
    if line["accounting"]:
        out["accounting"] = [{"field": f, "option": o} for f, o in line["accounting"]]
    return out


def _imported_payment(
    payment: dict[str, Any], entity: Entity | None, banks: list[Any]
) -> dict[str, Any]:
    out = {k: v for k, v in payment.items() if v is not None}
    sources = {a.bank_account_id: a.external_name for a in (entity.accounts if entity else [])}
    if out.get("source_account") in sources and sources[out["source_account"]]:
        out["source_account"] = sources[out["source_account"]]
    nicknames = {a.id: a.account_nickname for a in banks}
    if out.get("vendor_account") in nicknames and nicknames[out["vendor_account"]]:
        out["vendor_account"] = nicknames[out["vendor_account"]]
    if out.get("method") in ("ONE_TIME_CARD", "ONE_TIME_CARD_DELIVERY"):
        out = {"method": out["method"]}  # Ramp makes the card; nothing to declare
    return out
