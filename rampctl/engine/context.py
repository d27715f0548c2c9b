"""The shared context of one planning run: inputs, lookups, collected problems and fingerprints.

Being taken apart into pure steps: vendor matching (`vendor_match.match_vendors`) and
accounting vendor planning (`accounting.plan_accounting_vendors`) return values that the
context takes in (`absorb`); vendor and bill planning still write into it.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from rampctl.engine.changes import Action, Change, Level
from rampctl.engine.identity import mode_of
from rampctl.engine.kind_plan import KindPlan, problem_at
from rampctl.engine.moves import Move, orphans
from rampctl.engine.snapshot import Snapshot
from rampctl.engine.users import user_ref
from rampctl.engine.vendor_match import HeldByOthers, VendorMatches, holders, match_vendors
from rampctl.engine.view import RAMP_ADDRESS, contact_view, fingerprint, vendor_view
from rampctl.errors import Problem
from rampctl.model import address as addr
from rampctl.model.desired import DesiredGraph, DesiredVendor
from rampctl.model.kinds import VendorContactValues
from rampctl.ramp.models import Vendor
from rampctl.state.model import ResourceState, State


@dataclass(kw_only=True)
class PlanContext:
    """Inputs of a plan and what planning learns on the way (matches, problems)."""

    graph: DesiredGraph
    state: State
    snapshot: Snapshot
    problems: list[Problem] = field(default_factory=list)
    fingerprints: dict[str, str] = field(default_factory=dict)
    matched: dict[str, Vendor] = field(default_factory=dict)
    claimed_ids: set[str] = field(default_factory=set)
    claimed_by: dict[str, str] = field(default_factory=dict)
    bill_keys: dict[str, str] = field(default_factory=dict)
    moves: dict[str, Move] = field(default_factory=dict)
    _vendor_matches: VendorMatches | None = None
    _left: dict[str, dict[str, ResourceState]] = field(default_factory=dict)
    _holders: dict[str, set[str]] | None = None
    _views: dict[str, tuple[Vendor, Mapping[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.claimed_ids = {r.ramp_id for r in self.state.resources.values()}

    @property
    def mode(self) -> str:
        """How vendors are found in Ramp (`rampctl.engine.identity`)."""
        return mode_of(self.snapshot.external_ids)

    @property
    def matched_by_fields(self) -> frozenset[str]:
        """Manifests matched by name, owner and link (a Ramp without external_vendor_id)."""
        return self._vendor_matches.by_fields if self._vendor_matches else frozenset()

    @property
    def ambiguous(self) -> Mapping[str, list[Vendor]]:
        """Manifests several live vendors agree with (a Ramp without external_vendor_id)."""
        return self._vendor_matches.ambiguous if self._vendor_matches else {}

    # --- matching -----------------------------------------------------------------

    def match_vendor(self, desired: DesiredVendor) -> Vendor | None:
        """The live vendor a Vendor manifest manages, or None (see `match_vendors`).

        Every manifest is matched on the first call, and what matching found taken in.
        """
        if self._vendor_matches is None:
            found = match_vendors(self.graph, self.snapshot, self.state, set(self.claimed_by))
            self._vendor_matches = found
            self.matched.update(found.live)
            self.absorb(KindPlan(problems=found.problems, claims=found.claims, moves=found.moves))
        return self.matched.get(desired.address)

    def left_over(self, kind: str) -> dict[str, ResourceState]:
        """State entries of `kind` that no manifest declares any more (moves come from these).

        Worked out once per kind: the graph and the state do not change while planning.
        """
        if kind not in self._left:
            self._left[kind] = orphans(self.state, self.graph.addresses(), kind)
        return self._left[kind]

    # --- checks -------------------------------------------------------------------

    def problem(self, desired: Any, field_path: str, message: str) -> None:
        """Record a problem at the manifest position of `field_path`."""
        self.problems.append(problem_at(desired, field_path, message))

    def absorb(self, found: KindPlan) -> None:
        """Take in what planning one kind returned: problems, fingerprints, claims, moves."""
        self.problems += found.problems
        self.fingerprints.update(found.fingerprints)
        for ramp_id, address in found.claims.items():
            self.claim(ramp_id, address)
        self.moves.update(found.moves)

    def check_owner(self, desired: DesiredVendor) -> None:
        """An owner must be a user of the Ramp business."""
        owner = desired.fields.owner
        known = owner in self.snapshot.users_by_email or self.graph.user_by_email(owner)
        if owner and not known:
            message = f"no Ramp user and no User manifest has the email {owner!r}"
            self.problem(desired, "spec.owner", message)

    def check_link(self, desired: DesiredVendor, live: Vendor | None) -> None:
        """A linked accounting vendor must exist and not be linked to another vendor."""
        remote = desired.fields.accounting_vendor
        if not remote or "accounting_vendor" in desired.ignore:
            return
        if remote not in self.snapshot.accounting_by_remote and not self._planned_remote(remote):
            self.problem(
                desired,
                "spec.accounting_vendor",
                f"no accounting vendor with remote id {remote!r} in Ramp or the manifests",
            )
            return
        holder = self.snapshot.vendor_by_link.get(remote)
        if (
            holder is not None
            and (live is None or holder.id != live.id)
            and not self._moves_away(holder)
        ):
            self.problem(
                desired,
                "spec.accounting_vendor",
                f"accounting vendor {remote!r} is already linked to vendor {holder.name!r} "
                "in Ramp; Ramp links an accounting vendor to one vendor only",
            )

    def _planned_remote(self, remote: str) -> bool:
        return any(a.remote_id == remote for a in self.graph.accounting_vendors.values())

    def _moves_away(self, holder: Vendor) -> bool:
        """Whether a managed vendor currently holding a link is relinked by the manifests."""
        for desired in self.graph.vendors.values():
            if self.match_vendor(desired) is holder:
                wanted = (
                    desired.fields.accounting_vendor
                    if desired.manages("accounting_vendor")
                    else holder.accounting_vendor_remote_id
                )
                return bool(wanted) and wanted != holder.accounting_vendor_remote_id
        return False

    def check_creatable(self, desired: DesiredVendor) -> None:
        """Ramp needs a name, a country, an owner and a contact to create a vendor."""
        for name, path in (
            ("name", "spec.name"),
            ("country", "spec.country"),
            ("owner", "spec.owner"),
        ):
            if not desired.fields.get(name):
                self.problem(desired, path, f"{name} is required to create the vendor in Ramp")
        if not desired.contact or not desired.contact.email:
            self.problem(
                desired,
                "spec.contact",
                "a contact with an email is required to create the vendor in Ramp",
            )

    # --- lookups --------------------------------------------------------------------

    def owner_id(self, desired: DesiredVendor) -> str | None:
        """The Ramp user id of the vendor's owner (`ref:<address>` for a User manifest that
        the same apply invites first)."""
        return user_ref(desired.fields.owner, self.graph, self.snapshot)

    def ramp_address(self, desired: DesiredVendor) -> dict[str, str]:
        """The desired address in Ramp's field names, completed from the live one."""
        live = self.matched.get(desired.address)
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
        live = self.matched.get(desired.address)
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

    def claim(self, ramp_id: str, address: str) -> None:
        """Record that the declared `address` manages the live object `ramp_id`."""
        self.claimed_ids.add(ramp_id)
        self.claimed_by[ramp_id] = address

    def moved_to(self, ramp_id: str) -> str | None:
        """The declared address that now manages the object `ramp_id`, if any."""
        return self.claimed_by.get(ramp_id)

    def owned_elsewhere(self, address: str) -> Set[str]:
        """Ramp ids that state entries of other, still declared, addresses hold.

        O(1) per call (a view over one index of the state), not a copy of the state's ids.
        """
        if self._holders is None:
            self._holders = holders(self.graph, self.state)
        return HeldByOthers(self._holders, address)

    def forget_change(self, address: str, entry: ResourceState, reason: str) -> Change:
        """A `forget` change for a state entry: the base of every removal."""
        return Change(
            address=address,
            kind=entry.kind,
            action=Action.FORGET,
            name=str(entry.attributes.get("name") or addr.name_of(address)),
            ramp_id=entry.ramp_id,
            key=entry.key,
            protect=entry.protect,
            depends_on=tuple(entry.depends_on),
            reason=reason,
        )

    def vendor_view(self, live: Vendor) -> Mapping[str, Any]:
        """The record form of a live vendor, worked out once per plan (read-only: shared by
        the diff, the fingerprint and the drift check)."""
        cached = self._views.get(live.id)
        if cached is None or cached[0] is not live:
            cached = (live, MappingProxyType(vendor_view(live, self.snapshot.users)))
            self._views[live.id] = cached
        return cached[1]

    def fingerprint_vendor(self, live: Vendor) -> str:
        """The fingerprint of a live vendor's view."""
        return fingerprint(dict(self.vendor_view(live)))

    def contact_reads(self, deep: bool) -> list[str]:
        """Vendor ids whose contacts plan must read: changed since the last apply, or all."""
        ids: list[str] = []
        for desired in self.graph.vendors.values():
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
