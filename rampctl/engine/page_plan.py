"""Planning done on each page of live vendors as it arrives, so little is left after the last.

Matching needs the whole snapshot (a vendor's key can be on any page), but most of a plan of
a large business is vendors the state already maps to a live vendor and that have not
changed. As each page arrives, every live vendor a state entry of a declared Vendor manifest
holds is compared with that manifest: its record form (view), its drift since the last
apply, and whether the manifest's plan is certainly empty given this vendor (`QuietVendor`:
no field differs, the owner and the recorded contact agree, the key it carries is the
state's). After the last page, planning takes these as they are while what they were worked
out from still holds (`PlanContext.quiet_matches`, `vendors.plan_vendors`: the same live
vendor matched through the same state entry, in the same identity mode, no contacts read for
it, its accounting link checked), and plans every other manifest in full. The verdicts are
the same either way; the work moves into the wait for Ramp's pages.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Mapping
from types import MappingProxyType

from pydantic import JsonValue

from rampctl.engine.identity import KEY_MODE, cached_support, mode_of
from rampctl.engine.removals import drifted
from rampctl.engine.snapshot import PageWork, QuietVendor, VendorDrift
from rampctl.engine.vendor_checks import owner_problems
from rampctl.engine.vendors import contact_fields, live_fields
from rampctl.engine.view import vendor_view
from rampctl.model import address as addr
from rampctl.model.desired import DesiredGraph, DesiredVendor
from rampctl.model.kinds import Values, VendorContactValues
from rampctl.model.kinds.user import INACTIVE
from rampctl.ramp.models import User, Vendor
from rampctl.state.model import ResourceState, State


class PagePlanner:
    """Works out views, drift and quiet manifests page by page (`page`), for one plan.

    The views of vendors all of whose manifests are quiet are not kept (planning does not
    look at them again; most of a large business's vendors are such).

    The identity mode is the one the state keeps (key mode when it keeps none); a plan in
    another mode finds no quiet manifest valid and plans them all in full.
    """

    def __init__(self, graph: DesiredGraph, state: State) -> None:
        self._graph = graph
        self._held: dict[str, list[tuple[str, ResourceState]]] = {}
        for address, entry in state.resources.items():
            if entry.kind == addr.VENDOR:
                self._held.setdefault(entry.ramp_id, []).append((address, entry))
        self._keys = {desired.key for desired in graph.vendors.values()}
        self._mode = mode_of(cached_support(state))
        self._by_email: dict[str, User] | None = None
        self._owners_fine: dict[str | None, bool] = {}
        self.views: dict[str, tuple[Vendor, Mapping[str, JsonValue]]] = {}
        self.work = PageWork()

    def page(self, vendors: list[Vendor], users: Mapping[str, User]) -> None:
        """Views of the managed vendors of one page, their drift, and the quiet manifests."""
        if self._by_email is None:  # as `Snapshot.users_by_email`
            self._by_email = {u.email.strip().lower(): u for u in users.values() if u.email}
        held_by, keys, declared = self._held, self._keys, self._graph.vendors
        work, views, mode = self.work, self.views, self._mode
        drift, quiet, linked = work.drift, work.quiet, work.linked
        for vendor in vendors:
            held = held_by.get(vendor.id, ())
            if not held and (vendor.external_vendor_id or "").strip() not in keys:
                continue  # neither recorded nor carrying a declared key: not compared
            view = MappingProxyType(vendor_view(vendor, users))
            settled = bool(held)
            for address, entry in held:
                fields = tuple(drifted(entry, view))
                drift[address] = VendorDrift(vendor=vendor, entry=entry, fields=fields)
                desired = declared.get(address)
                if desired is not None and self._quiet(desired, entry, vendor, view):
                    link = bool(desired.fields.accounting_vendor)
                    quiet[address] = QuietVendor(vendor=vendor, entry=entry, mode=mode, link=link)
                    if link:
                        linked.add(address)
                else:
                    settled = False
            if not settled:  # a quiet vendor's view is worked out again if ever needed
                views[vendor.id] = (vendor, view)

    def _quiet(
        self,
        desired: DesiredVendor,
        entry: ResourceState,
        vendor: Vendor,
        view: Mapping[str, JsonValue],
    ) -> bool:
        """Whether `plan_vendor` has nothing to say of `desired` when it matches `vendor`
        through `entry` (what needs the whole snapshot is checked after the last page)."""
        carried = (vendor.external_vendor_id or "").strip()
        if carried and carried not in (entry.key, desired.key):
            return False  # matching reports the state as wrong
        if desired.contacts is not None and "contacts" not in desired.ignore:
            return False  # compared with the contacts read after the snapshot
        if not self._owner_fine(desired.fields.owner) and owner_problems(
            self._graph, self._by_email or {}, desired, vendor
        ):
            return False
        if not _agrees(self._mode, desired, view) and live_fields(self._mode, desired, view):
            return False
        return (
            desired.contact is None
            or "contact" in desired.ignore
            or _contact_kept(desired, entry, vendor)
        )

    def _owner_fine(self, owner: str | None) -> bool:
        """Whether `owner_problems` finds nothing wrong with this owner whatever the vendor
        (no owner, one a User manifest declares, or a Ramp user not deactivated), worked out
        once per owner: a business has far fewer owners than vendors."""
        fine = self._owners_fine.get(owner)
        if fine is None:
            found = self._by_email.get(owner) if owner and self._by_email is not None else None
            fine = (
                not owner
                or bool(self._graph.user_by_email(owner))
                or (found is not None and found.status != INACTIVE)
            )
            self._owners_fine[owner] = fine
        return fine


_UNSET = object()


def _agrees(mode: str, desired: DesiredVendor, view: Mapping[str, JsonValue]) -> bool:
    """Whether every value the manifest manages is the live view's, so that `live_fields`
    finds nothing: told from the values themselves, without building the manifest's wanted
    values (most manifests of a large business). False when not told so: a nested value
    (an address), `ignore_changes`, or a value that differs; `live_fields` then decides."""
    if desired.ignore:
        return False
    fields = desired.fields
    for path in desired.managed:
        value = getattr(fields, path, _UNSET)  # a nested part ("address.city") is none
        if value is _UNSET or isinstance(value, Values) or view.get(path, _UNSET) != value:
            return False
    return mode != KEY_MODE or view.get("external_id", _UNSET) == desired.key


def _contact_kept(desired: DesiredVendor, entry: ResourceState, vendor: Vendor) -> bool:
    """Whether the contact recorded at the last apply stands for the live one (its contacts
    are not read: `PlanContext.contact_reads`) and agrees with the manifest's."""
    attributes = entry.attributes
    if "contact" not in attributes:
        return False
    if attributes.get("contact_ids") != sorted(vendor.contacts or []):
        return False
    recorded = attributes.get("contact")
    if isinstance(recorded, dict) and _same_contact(recorded, desired.contact):
        return True  # the usual case, told without building the recorded contact's values
    current = VendorContactValues.from_dict(recorded) if isinstance(recorded, dict) else None
    return not contact_fields(desired, current)


#: The fields of a vendor contact, in the order its values compare (every one declared).
_CONTACT_PATHS = tuple(f.name for f in dataclasses.fields(VendorContactValues) if f.compare)
_CONTACT_VALUES = operator.attrgetter(*_CONTACT_PATHS)


def _same_contact(recorded: dict[str, JsonValue], contact: VendorContactValues | None) -> bool:
    """Whether `VendorContactValues.from_dict(recorded)` equals `contact`, told from the
    recorded values themselves (`from_dict` takes them as they are but for lists, which it
    makes tuples, and leaves an absent one None)."""
    if type(contact) is not VendorContactValues:
        return False
    values = tuple(map(recorded.get, _CONTACT_PATHS))
    return list not in map(type, values) and values == _CONTACT_VALUES(contact)
