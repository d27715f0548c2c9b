"""The shared context of one planning run: inputs, lookups, collected problems and fingerprints."""

from __future__ import annotations

from collections.abc import Iterator, Set
from dataclasses import dataclass, field
from typing import Any

from rampctl.engine.changes import Action, Change, Level
from rampctl.engine.identity import MATCH_MODE, mode_of, verified_matches
from rampctl.engine.kind_plan import KindPlan
from rampctl.engine.moves import Move, detect_vendor_moves, explicit_move, orphans
from rampctl.engine.snapshot import Snapshot
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
    #: Vendors found by a verified match (no external_vendor_id), and where several agreed.
    matched_by_fields: set[str] = field(default_factory=set)
    ambiguous: dict[str, list[Vendor]] = field(default_factory=dict)
    _detected: tuple[dict[str, Move], dict[str, list[str]]] | None = None
    _left: dict[str, dict[str, ResourceState]] = field(default_factory=dict)
    _holders: dict[str, set[str]] | None = None

    def __post_init__(self) -> None:
        self.claimed_ids = {r.ramp_id for r in self.state.resources.values()}

    @property
    def mode(self) -> str:
        """How vendors are found in Ramp (`rampctl.engine.identity`)."""
        return mode_of(self.snapshot.external_ids)

    # --- matching -----------------------------------------------------------------

    def match_vendor(self, desired: DesiredVendor) -> Vendor | None:
        """The live vendor for a manifest: by state id, else by adoption key, else None."""
        if desired.address in self.matched:
            return self.matched[desired.address]
        live = self._by_state(desired) or self._by_key(desired) or self._by_move(desired)
        if live is None and self.mode == MATCH_MODE:
            live = self._by_fields(desired)
        if live is not None:
            self.matched[desired.address] = live
            self.claim(live.id, desired.address)
        return live

    def _by_state(self, desired: DesiredVendor) -> Vendor | None:
        entry = self.state.resources.get(desired.address)
        live = self.snapshot.vendors.get(entry.ramp_id) if entry else None
        if entry is None or live is None:
            return None
        carried = (live.external_vendor_id or "").strip()
        if carried and carried not in (entry.key, desired.key):
            self.problem(
                desired,
                "metadata.name",
                f"the state maps {desired.address} to vendor {live.id}, but that vendor carries "
                f"the key {carried!r}, not {entry.key or desired.key!r}: the state does not "
                "describe this vendor; fix it with `rampctl state rebuild` or "
                f"`rampctl state rm {desired.address}`",
            )
        return live

    def _by_move(self, desired: DesiredVendor) -> Vendor | None:
        """The live vendor of a renamed manifest: recorded in metadata.previously, or detected."""
        move = explicit_move(desired, self.left_over(addr.VENDOR), self.claimed_by)
        if move is None:
            found, ambiguous = self._detected_moves()
            move = found.get(desired.address)
            if desired.address in ambiguous:
                olds = ", ".join(ambiguous[desired.address])
                self.problem(
                    desired,
                    "metadata.name",
                    f"this could be a rename of more than one managed vendor ({olds}); "
                    "name the old address in metadata.previously",
                )
        live = self.snapshot.vendors.get(move.entry.ramp_id) if move else None
        if move is not None and live is not None:
            self.moves[desired.address] = move
        return live

    def left_over(self, kind: str) -> dict[str, ResourceState]:
        """State entries of `kind` that no manifest declares any more (moves come from these).

        Worked out once per kind: the graph and the state do not change while planning.
        """
        if kind not in self._left:
            self._left[kind] = orphans(self.state, self.graph.addresses(), kind)
        return self._left[kind]

    def _detected_moves(self) -> tuple[dict[str, Move], dict[str, list[str]]]:
        if self._detected is None:
            left = self.left_over(addr.VENDOR)
            recorded = {
                addr.make(addr.VENDOR, old)
                for v in self.graph.vendors.values()
                for old in v.document.previously
            }
            keys = self.snapshot.vendors_by_key
            by_key = {v.id for d in self.graph.vendors.values() for v in keys.get(d.key, [])}
            left = {a: e for a, e in left.items() if a not in recorded and e.ramp_id not in by_key}
            wanted = {
                d.address: d.fields
                for d in self.graph.vendors.values()
                if d.address not in self.state.resources
                and not self.snapshot.vendors_by_key.get(d.key)
                and not d.document.previously
            }
            self._detected = detect_vendor_moves(wanted, left, self.snapshot.vendors)
        return self._detected

    def _by_fields(self, desired: DesiredVendor) -> Vendor | None:
        """Without external_vendor_id: the one unclaimed vendor whose name, owner and link
        agree; several are kept in `ambiguous` (plan lists them, creates nothing)."""
        taken = self.claimed_ids | set(self.owned_elsewhere(desired.address))
        live = self.snapshot.vendors.values()
        found = verified_matches(desired, live, self.snapshot.users, taken)
        if len(found) > 1:
            self.ambiguous[desired.address] = found
            return None
        if found:
            self.matched_by_fields.add(desired.address)
        return found[0] if found else None

    def _by_key(self, desired: DesiredVendor) -> Vendor | None:
        owned = self.owned_elsewhere(desired.address)
        found = [v for v in self.snapshot.vendors_by_key.get(desired.key, []) if v.id not in owned]
        if len(found) > 1:
            ids = ", ".join(sorted(v.id for v in found))
            self.problem(
                desired,
                "spec.external_id",
                f"{len(found)} vendors in Ramp carry the key "
                f"{desired.key!r} ({ids}); keep one and clear the key on the others",
            )
        return found[0] if found else None

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
        if owner and owner not in self.snapshot.users_by_email:
            self.problem(desired, "spec.owner", f"no Ramp user has the email {owner!r}")

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
        """The Ramp user id of the vendor's owner."""
        user = self.snapshot.users_by_email.get(desired.fields.owner or "")
        return user.id if user else None

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
            declared = self.graph.addresses()
            holders: dict[str, set[str]] = {}
            for held_by, entry in self.state.resources.items():
                if held_by in declared:
                    holders.setdefault(entry.ramp_id, set()).add(held_by)
            self._holders = holders
        return _HeldByOthers(self._holders, address)

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

    def fingerprint_vendor(self, live: Vendor) -> str:
        """The fingerprint of a live vendor's view."""
        return fingerprint(vendor_view(live, self.snapshot.users))

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


def problem_at(desired: Any, field_path: str, message: str) -> Problem:
    """A problem at the manifest position of `field_path` of a desired object."""
    pos = desired.document.position_of(field_path)
    return Problem(
        file=pos.file,
        line=pos.line,
        col=pos.col,
        message=message,
        address=desired.address,
        field=field_path,
    )


class _HeldByOthers(Set[str]):
    """The Ramp ids held by declared addresses other than `address` (a read-only view)."""

    def __init__(self, holders: dict[str, set[str]], address: str) -> None:
        self._holders = holders
        self._address = address

    def __contains__(self, ramp_id: object) -> bool:
        held = self._holders.get(ramp_id) if isinstance(ramp_id, str) else None
        return bool(held) and held != {self._address}

    def __iter__(self) -> Iterator[str]:
        return (ramp_id for ramp_id in self._holders if ramp_id in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    @classmethod
    def _from_iterable(cls, values: Any) -> set[str]:  # type: ignore[override]
        """`|`, `&` and `-` give plain sets."""
        return set(values)
