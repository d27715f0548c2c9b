"""Rebuilding the state from Ramp: find every manifest's object by its adoption key."""

from __future__ import annotations

from dataclasses import dataclass, field

from rampctl.engine.snapshot import Snapshot
from rampctl.engine.view import accounting_vendor_view, fingerprint, vendor_view
from rampctl.model import address as addr
from rampctl.model.desired import DesiredGraph
from rampctl.state.model import ResourceState, State


@dataclass(kw_only=True)
class Rebuilt:
    """The rebuilt state and what could not be found (or was ambiguous) in Ramp."""

    state: State
    missing: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)


def rebuild_state(
    base: State, graph: DesiredGraph, snapshot: Snapshot, *, environment: str
) -> Rebuilt:
    """A state holding every desired object found in Ramp by key, bound to this business.

    Keeps `base`'s lineage and serial (so the write is the next version of that
    file); contacts are not recorded, so the next plan reads and compares them.
    """
    result = Rebuilt(state=base.model_copy(update={"resources": {}}))
    resources: dict[str, ResourceState] = {}
    for address, desired in sorted(graph.vendors.items()):
        found = snapshot.vendors_by_key.get(desired.key, [])
        if len(found) != 1:
            (result.ambiguous if found else result.missing).append(address)
            continue
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
    unbound = base.model_copy(
        update={"resources": resources, "environment": None, "business_id": None}
    )
    result.state = unbound.bind(environment, snapshot.business.id)
    return result
