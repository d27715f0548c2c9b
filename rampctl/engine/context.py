"""The read-only inputs of one planning run, and lookups worked out from them once.

A `PlanContext` is the desired graph, the snapshot and the state, plus memoised pure
lookups (which live vendor each manifest matches, left-over state entries, live vendor
views). Planners read it and return what they found as values (`KindPlan`); nothing
planning decides (changes, problems, fingerprints, claims, moves) is written into it.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

from pydantic import JsonValue

from rampctl.engine.changes import Level
from rampctl.engine.identity import mode_of
from rampctl.engine.snapshot import QuietVendor, Snapshot
from rampctl.engine.users import user_ref
from rampctl.engine.vendor_match import HeldByOthers, VendorMatches, holders, match_vendors
from rampctl.engine.view import RAMP_ADDRESS, contact_view, fingerprint, vendor_view
from rampctl.model.desired import DesiredGraph, DesiredVendor
from rampctl.model.kinds import VendorContactValues
from rampctl.ramp.models import Vendor
from rampctl.state.model import ResourceState, State


@dataclass(frozen=True, kw_only=True, eq=False)
class PlanContext:
    """The inputs of a plan (graph, state, snapshot) and read-only lookups over them."""

    graph: DesiredGraph
    state: State
    snapshot: Snapshot
    #: Memo of `vendor_view` (a pure function of the live vendor and the users).
    _views: dict[str, tuple[Vendor, Mapping[str, JsonValue]]] = field(default_factory=dict)

    @property
    def mode(self) -> str:
        """How vendors are found in Ramp (`rampctl.engine.identity`)."""
        return mode_of(self.snapshot.external_ids)

    # --- matching -----------------------------------------------------------------

    @cached_property
    def vendor_matches(self) -> VendorMatches:
        """Which live vendor each Vendor manifest manages (`match_vendors`), worked out once."""
        return match_vendors(self.graph, self.snapshot, self.state)

    def match_vendor(self, desired: DesiredVendor) -> Vendor | None:
        """The live vendor a Vendor manifest manages, or None."""
        return self.vendor_matches.live.get(desired.address)

    @property
    def quiet_matches(self) -> Mapping[str, QuietVendor]:
        """The manifests found quiet (an empty plan) as their vendors' pages arrived
        (`rampctl.engine.page_plan`) that still match those vendors through the same state
        entries in the same identity mode, by address (told while matching:
        `VendorMatches.quiet`)."""
        return self.vendor_matches.quiet

    @property
    def matched_by_fields(self) -> frozenset[str]:
        """Manifests matched by name, owner and link (a Ramp without external_vendor_id)."""
        return self.vendor_matches.by_fields

    @property
    def ambiguous(self) -> Mapping[str, list[Vendor]]:
        """Manifests several live vendors agree with (a Ramp without external_vendor_id)."""
        return self.vendor_matches.ambiguous

    @cached_property
    def declared(self) -> frozenset[str]:
        """Every desired address (`DesiredGraph.addresses`), worked out once per plan."""
        return frozenset(self.graph.addresses())

    @cached_property
    def _left(self) -> Mapping[str, Mapping[str, ResourceState]]:
        declared = self.declared
        found: dict[str, dict[str, ResourceState]] = {}
        for address, entry in self.state.resources.items():
            if address not in declared:
                found.setdefault(entry.kind, {})[address] = entry
        return found

    def left_over(self, kind: str) -> Mapping[str, ResourceState]:
        """State entries of `kind` that no manifest declares any more (moves come from these)."""
        return self._left.get(kind, {})

    @cached_property
    def _holders(self) -> dict[str, set[str]]:
        return holders(self.graph, self.state)

    def owned_elsewhere(self, address: str) -> Set[str]:
        """Ramp ids that state entries of other, still declared, addresses hold.

        O(1) per call (a view over one index of the state), not a copy of the state's ids.
        """
        return HeldByOthers(self._holders, address)

    # --- lookups --------------------------------------------------------------------

    def owner_id(self, desired: DesiredVendor) -> str | None:
        """The Ramp user id of the vendor's owner (`ref:<address>` for a User manifest that
        the same apply invites first)."""
        return user_ref(desired.fields.owner, self.graph, self.snapshot)

    def ramp_address(self, desired: DesiredVendor) -> dict[str, str]:
        """The desired address in Ramp's field names, completed from the live one."""
        live = self.match_vendor(desired)
        base = live.address.model_dump() if live and live.address else {}
        body = {k: v for k, v in base.items() if k in RAMP_ADDRESS.values() and v is not None}
        for ours, value in (desired.wanted(desired.fields).get("address") or {}).items():
            if f"address.{ours}" in desired.ignore:
                continue  # keep Ramp's value
            if value is None:
                body.pop(RAMP_ADDRESS[ours], None)
            else:
                body[RAMP_ADDRESS[ours]] = value
        return body

    def vendor_level(self, desired: DesiredVendor, relink: bool) -> int:
        """Vendors that take an accounting vendor another vendor gives up go second."""
        remote = desired.fields.accounting_vendor
        holder = self.snapshot.vendor_by_link.get(remote) if relink and remote else None
        live = self.match_vendor(desired)
        if holder is not None and (live is None or holder.id != live.id):
            return Level.VENDORS_AFTER_RELINK
        return Level.VENDORS

    def live_contact(self, desired: DesiredVendor, live: Vendor) -> VendorContactValues | None:
        """The live contact to compare with the manifest's, if it was read or recorded."""
        contacts = self.snapshot.contacts.get(live.id)
        if contacts is None:
            entry = self.state.resources.get(desired.address)
            recorded = entry.attributes.get("contact") if entry else None
            return VendorContactValues.from_dict(recorded) if isinstance(recorded, dict) else None
        wanted = desired.contact.email if desired.contact else None
        views = [contact_view(c) for c in contacts]
        same = [v for v in views if v.email == wanted]
        default = [contact_view(c) for c in contacts if c.is_default]
        found = same or default or views
        return found[0] if found else None

    def vendor_view(self, live: Vendor) -> Mapping[str, JsonValue]:
        """The record form of a live vendor, worked out once per plan (read-only: shared by
        the diff, the fingerprint and the drift check)."""
        cached = self._views.get(live.id) or self.snapshot.vendor_views.get(live.id)
        if cached is None or cached[0] is not live:
            cached = (live, MappingProxyType(vendor_view(live, self.snapshot.users)))
            self._views[live.id] = cached
        return cached[1]

    def fingerprint_vendor(self, live: Vendor) -> str:
        """The fingerprint of a live vendor's view."""
        return fingerprint(dict(self.vendor_view(live)))

    def contact_reads(self, deep: bool) -> list[str]:
        """Vendor ids whose contacts plan must read: changed since the last apply, or all
        (in no particular order)."""
        ids: list[str] = []
        quiet = self.quiet_matches if not deep else {}
        vendors = self.graph.vendors
        # a quiet manifest's recorded contact stands for the live one: only the others are
        # looked at (the ids are a set to read; their order carries no meaning)
        for address in vendors.keys() - quiet.keys():
            desired = vendors[address]
            live = self.match_vendor(desired)
            if live is None or desired.contact is None:
                continue
            if desired.contacts is not None:
                ids.append(live.id)  # a contact list is compared with Ramp's on every plan
                continue
            entry = self.state.resources.get(desired.address)
            recorded = entry.attributes.get("contact_ids") if entry else None
            unknown = entry is None or "contact" not in entry.attributes
            if deep or unknown or recorded != sorted(live.contacts or []):
                ids.append(live.id)
        return ids
