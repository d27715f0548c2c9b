"""The record form of a managed object as Ramp holds it now, by kind: one switch for all.

Drift (`removals`), the stale-plan check (`stale`) and the state refresh after apply
(`record`) each compare a state entry with Ramp; they all read it here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pydantic import JsonValue

from rampctl.engine.bill_live import live_bill
from rampctl.engine.snapshot import Snapshot
from rampctl.engine.view import accounting_vendor_view, user_view, vendor_view
from rampctl.model import address as addr
from rampctl.ramp.models import Vendor

VendorReader = Callable[[Vendor], Mapping[str, JsonValue]]


def live_record(
    snapshot: Snapshot, kind: str, ramp_id: str, read_vendor: VendorReader | None = None
) -> Mapping[str, JsonValue] | None:
    """The record form of the live object `ramp_id` of `kind`, or None when Ramp has none.

    `read_vendor` gives a vendor's record form when the caller keeps them (plan does).
    """
    if kind == addr.ACCOUNTING_VENDOR:
        item = snapshot.accounting_vendors.get(ramp_id)
        return accounting_vendor_view(item) if item else None
    if kind == addr.BILL:
        bill = snapshot.bills.get(ramp_id)
        return live_bill(bill).as_dict() if bill else None
    if kind == addr.USER:
        user = snapshot.users.get(ramp_id)
        return user_view(user, snapshot.users) if user else None
    vendor = snapshot.vendors.get(ramp_id)
    if vendor is None:
        return None
    return read_vendor(vendor) if read_vendor else vendor_view(vendor, snapshot.users)
