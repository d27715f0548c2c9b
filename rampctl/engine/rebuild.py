"""Rebuilding the state from Ramp: find every manifest's object by its adoption key."""

from __future__ import annotations

from collections.abc import Callable, Set
from dataclasses import dataclass, field

from rampctl.engine.bill_live import find_by_key, live_bill, vendor_bills
from rampctl.engine.identity import (
    KEY_MODE,
    MATCH_MODE,
    candidates_text,
    mode_of,
    verified_matches,
)
from rampctl.engine.snapshot import Snapshot
from rampctl.engine.view import accounting_vendor_view, fingerprint, user_view, vendor_view
from rampctl.model import address as addr
from rampctl.model.bills import DesiredBill
from rampctl.model.desired import DesiredGraph, DesiredVendor
from rampctl.ramp.client import RampClient
from rampctl.ramp.models import Bill, Vendor
from rampctl.state.model import ResourceState, State


@dataclass(kw_only=True)
class Rebuilt:
    """The rebuilt state and what could not be found (or was ambiguous) in Ramp."""

    state: State
    missing: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    #: Why each address in `missing` or `ambiguous` was not rebuilt, in a few words.
    why: dict[str, str] = field(default_factory=dict)
    mode: str = KEY_MODE


def rebuild_state(
    base: State, graph: DesiredGraph, snapshot: Snapshot, *, environment: str
) -> Rebuilt:
    """A state holding every desired object found in Ramp by key, bound to this business.

    Keeps `base`'s lineage and serial (so the write is the next version of that
    file); contacts are not recorded, so the next plan reads and compares them.
    """
    result = Rebuilt(
        state=base.model_copy(update={"resources": {}}), mode=mode_of(snapshot.external_ids)
    )
    resources: dict[str, ResourceState] = {}
    taken: set[str] = set()
    for address, desired in sorted(graph.vendors.items()):
        found = vendor_candidates(desired, snapshot, taken)
        if len(found) != 1:
            (result.ambiguous if found else result.missing).append(address)
            result.why[address] = _why(result.mode, found)
            continue
        taken.add(found[0].id)
        view = vendor_view(found[0], snapshot.users)
        resources[address] = ResourceState(
            kind=addr.VENDOR,
            ramp_id=found[0].id,
            fingerprint=fingerprint(view),
            attributes=view,
            depends_on=desired.depends_on,
            protect=desired.protect,
            key=desired.key,
        )
    for address, av in sorted(graph.accounting_vendors.items()):
        item = snapshot.accounting_by_remote.get(av.remote_id)
        if item is None:
            result.missing.append(address)
            continue
        view = accounting_vendor_view(item)
        resources[address] = ResourceState(
            kind=addr.ACCOUNTING_VENDOR,
            ramp_id=item.ramp_id,
            fingerprint=fingerprint(view),
            attributes=view,
            key=av.remote_id,
        )
    resources |= _bills(graph, snapshot, result)
    resources |= _users(graph, snapshot, result)
    unbound = base.model_copy(
        update={"resources": resources, "environment": None, "business_id": None}
    )
    result.state = unbound.bind(environment, snapshot.business.id)
    return result


def _users(graph: DesiredGraph, snapshot: Snapshot, result: Rebuilt) -> dict[str, ResourceState]:
    """State entries for the User manifests whose user is in Ramp, found by email."""
    resources: dict[str, ResourceState] = {}
    for address, user in sorted(graph.users.items()):
        live = snapshot.users_by_email.get(user.key)
        if live is None:
            result.missing.append(address)
            result.why[address] = "no Ramp user has its email"
            continue
        view = user_view(live, snapshot.users)
        resources[address] = ResourceState(
            kind=addr.USER,
            ramp_id=live.id,
            fingerprint=fingerprint(view),
            attributes=view,
            depends_on=user.depends_on,
            protect=user.protect,
            key=user.key,
        )
    return resources


def vendor_candidates(
    desired: DesiredVendor, snapshot: Snapshot, taken: Set[str] = frozenset()
) -> list[Vendor]:
    """The live vendors that may be this manifest's: by key, or by a verified match on a Ramp
    without external_vendor_id (`rampctl.engine.identity`)."""
    if mode_of(snapshot.external_ids) == MATCH_MODE:
        return verified_matches(desired, snapshot.vendors.values(), snapshot.users, taken)
    return snapshot.vendors_by_key.get(desired.key, [])


def _why(mode: str, found: list[Vendor]) -> str:
    if mode == MATCH_MODE and found:
        return f"{len(found)} vendors agree on name, owner and link: {candidates_text(found)}"
    if mode == MATCH_MODE:
        return "no unclaimed vendor agrees on name, owner and accounting link"
    if found:
        return f"{len(found)} vendors carry its key: {candidates_text(found)}"
    return "no vendor carries its key"


def _bills(graph: DesiredGraph, snapshot: Snapshot, result: Rebuilt) -> dict[str, ResourceState]:
    """State entries for the Bill manifests whose bill is in Ramp (archived ones too)."""
    resources: dict[str, ResourceState] = {}
    for address, bill in sorted(graph.bills.items()):
        live = _bill(bill, graph, snapshot)
        if len(live) != 1:
            (result.ambiguous if live else result.missing).append(address)
            continue
        view = live_bill(live[0]).as_dict()
        resources[address] = ResourceState(
            kind=addr.BILL,
            ramp_id=live[0].id,
            fingerprint=fingerprint(view),
            attributes=view,
            depends_on=bill.depends_on,
            protect=bill.protect,
            key=f"{live[0].vendor.id}:{bill.invoice_number}",
        )
    return resources


def bill_vendor_id(bill: DesiredBill, graph: DesiredGraph, snapshot: Snapshot) -> str | None:
    """The Ramp id of a bill's vendor: given, or its Vendor manifest's vendor found by key."""
    if bill.vendor_id is not None:
        return bill.vendor_id
    vendor = graph.vendors.get(bill.vendor_address or "")
    found = vendor_candidates(vendor, snapshot) if vendor is not None else []
    return found[0].id if len(found) == 1 else None


def read_rebuild_bills(client: RampClient, graph: DesiredGraph, snapshot: Snapshot) -> None:
    """Read every bill (archived ones too) of the vendors that Bill manifests name."""
    vendors = {v for b in graph.bills.values() if (v := bill_vendor_id(b, graph, snapshot))}
    calls = {v: _lister(client, v) for v in sorted(vendors)}
    for bills in client.run_concurrently(calls).values():
        snapshot.bills.update({b.id: b for b in bills})


def _lister(client: RampClient, vendor_id: str) -> Callable[[], list[Bill]]:
    return lambda: vendor_bills(client, vendor_id)


def _bill(bill: DesiredBill, graph: DesiredGraph, snapshot: Snapshot) -> list[Bill]:
    """The live bills with this manifest's key: the active ones, else the archived ones
    (an archived bill is recorded so that the next plan never pays it again)."""
    vendor_id = bill_vendor_id(bill, graph, snapshot)
    if vendor_id is None:
        return []
    mine = [b for b in snapshot.bills.values() if b.vendor.id == vendor_id]
    return (
        find_by_key(mine, bill.invoice_number)
        or find_by_key(mine, bill.invoice_number, archived=True)[:1]
    )
