"""Reading what bill planning needs from Ramp: the bills, contacts and bank accounts of the
vendors that bills reference, bills by id, and the bills a saved plan's changes target.
"""

from __future__ import annotations

from collections.abc import Callable

from rampctl.engine.bill_live import vendor_bills
from rampctl.engine.changes import Action, Change
from rampctl.engine.context import PlanContext
from rampctl.engine.snapshot import Snapshot, read_contacts
from rampctl.errors import RampNotFoundError
from rampctl.model import address as addr
from rampctl.model import payments
from rampctl.model.bills import DesiredBill
from rampctl.ramp.client import RampClient
from rampctl.ramp.models import Bill, VendorBankAccount

#: What one concurrent read of bill inputs gives: a vendor's bills or its bank accounts.
Listed = list[Bill] | list[VendorBankAccount]


def vendor_id_of(ctx: PlanContext, desired: DesiredBill) -> str | None:
    """The Ramp id of a bill's vendor: given, or that of its Vendor manifest's live vendor."""
    if desired.vendor_id is not None:
        return desired.vendor_id
    vendor = ctx.graph.vendors.get(desired.vendor_address or "")
    live = ctx.match_vendor(vendor) if vendor is not None else None
    return live.id if live is not None else None


def read_bill_inputs(client: RampClient, ctx: PlanContext) -> None:
    """Read what bill planning needs: bills, contacts and bank accounts of the vendors that
    bills (in manifests or state) reference, and state-managed bills missing from the lists."""
    snapshot = ctx.snapshot
    vendors: set[str] = set()
    banks: set[str] = set()
    for desired in ctx.graph.bills.values():
        vendor_id = vendor_id_of(ctx, desired)
        if vendor_id is not None and vendor_id in snapshot.vendors:
            vendors.add(vendor_id)
            if desired.payment.method in payments.BANK_METHODS:
                banks.add(vendor_id)
    for entry in ctx.state.resources.values():
        if entry.kind == addr.BILL and entry.attributes.get("vendor_id"):
            vendors.add(str(entry.attributes["vendor_id"]))
    read_contacts(client, snapshot, vendors - set(snapshot.contacts))
    calls: dict[str, Callable[[], Listed]] = {
        f"bills:{v}": bill_lister(client, v) for v in sorted(vendors)
    }
    calls |= {f"banks:{v}": bank_lister(client, v) for v in sorted(banks)}
    results = client.run_concurrently(calls)
    for name, value in results.items():
        kind, _, vendor_id = name.partition(":")
        if kind == "bills":
            snapshot.bills.update({b.id: b for b in value if isinstance(b, Bill)})
        else:
            snapshot.vendor_accounts[vendor_id] = [
                a for a in value if isinstance(a, VendorBankAccount)
            ]
    missing = [
        e.ramp_id
        for e in ctx.state.resources.values()
        if e.kind == addr.BILL and e.ramp_id not in snapshot.bills
    ]
    read_bills_by_id(client, snapshot.bills, missing)


def read_bills_by_id(client: RampClient, into: dict[str, Bill], ids: list[str]) -> None:
    """Add the bills with these ids (archived ones included; gone ones left out)."""

    def one(bill_id: str) -> Callable[[], Bill | None]:
        def read() -> Bill | None:
            try:
                return client.get_bill(bill_id)
            except RampNotFoundError:
                return None

        return read

    found = client.run_concurrently({i: one(i) for i in sorted(set(ids))})
    into.update({i: b for i, b in found.items() if b is not None})


def bill_lister(client: RampClient, vendor_id: str) -> Callable[[], list[Bill]]:
    """A call reading the vendor's bills, for `client.run_concurrently`."""
    return lambda: vendor_bills(client, vendor_id)


def bank_lister(client: RampClient, vendor_id: str) -> Callable[[], list[VendorBankAccount]]:
    """A call reading the vendor's bank accounts, for `client.run_concurrently`."""
    return lambda: client.list_vendor_bank_accounts(vendor_id)


def read_change_bills(client: RampClient, snapshot: Snapshot, changes: list[Change]) -> None:
    """Read the live bills a saved plan's bill changes target (by id, and by vendor for
    creates), so the freshness check can compare them."""
    ids = [c.ramp_id for c in changes if c.kind == addr.BILL and c.ramp_id]
    vendors = {
        str(c.request["vendor_id"])
        for c in changes
        if c.kind == addr.BILL and c.action is Action.CREATE and c.request
    }
    found = client.run_concurrently({v: bill_lister(client, v) for v in sorted(vendors)})
    for bills in found.values():
        snapshot.bills.update({b.id: b for b in bills})
    read_bills_by_id(client, snapshot.bills, [i for i in ids if i not in snapshot.bills])
