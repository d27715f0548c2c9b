"""What import reads from Ramp for bills: open bills and their manifests, and what plan needs.

Import checks its output by planning offline against what it read, so it reads what plan
would read for bills: for the bills the manifests and the state already manage (as
`rampctl.engine.bill_read.read_bill_inputs` does), and for the bills it imports (the bills,
their vendors' contacts and, for bank payments, the vendors' bank accounts by nickname).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rampctl.engine.bill_live import live_payment
from rampctl.engine.bill_read import read_bill_inputs
from rampctl.engine.context import PlanContext
from rampctl.engine.snapshot import Snapshot
from rampctl.importer.bill_draft import import_bills
from rampctl.importer.bills import BillSource
from rampctl.model import address as addr
from rampctl.model.desired import DesiredGraph
from rampctl.model.payments import BANK_METHODS
from rampctl.ramp.client import RampClient
from rampctl.ramp.models import VendorBankAccount
from rampctl.state.model import State


def read_managed_bills(
    client: RampClient, graphs: Iterable[DesiredGraph], state: State, snapshot: Snapshot
) -> None:
    """Read into `snapshot` what plan needs for the bills of `graphs` and of the state."""
    in_state = any(e.kind == addr.BILL for e in state.resources.values())
    for graph in graphs:
        if graph.bills or in_state:
            read_bill_inputs(client, PlanContext(graph=graph, state=state, snapshot=snapshot))


def read_open_bills(
    client: RampClient, snapshot: Snapshot, *, since: str, vendor_names: dict[str, str]
) -> BillSource:
    """Open bills issued on or after `since` (YYYY-MM-DD) and their manifests.

    `vendor_names` maps the ids of managed vendors to their manifest names. The bills go into
    `snapshot.bills`; the bank accounts of managed vendors paid by bank, into
    `snapshot.vendor_accounts` (`import_bills` reads their contacts into the snapshot).
    """
    bills = client.list_bills(payment_status="OPEN", from_issued_date=f"{since}T00:00:00Z")
    documents = import_bills(client, snapshot, since=since, vendor_names=vendor_names)
    snapshot.bills.update({b.id: b for b in bills})
    banked = {
        b.vendor.id
        for b in bills
        if b.vendor.id in vendor_names and live_payment(b).method in BANK_METHODS
    }
    wanted = sorted(banked - set(snapshot.vendor_accounts))
    found = client.run_concurrently({v: _bank_accounts(client, v) for v in wanted})
    snapshot.vendor_accounts.update(found)
    return BillSource(bills=bills, documents=documents)


def _bank_accounts(client: RampClient, vendor_id: str) -> Callable[[], list[VendorBankAccount]]:
    return lambda: client.list_vendor_bank_accounts(vendor_id)
