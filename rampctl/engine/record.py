"""Recording apply outcomes in the state: one journal record after every successful Ramp write.

The state itself is rewritten only when the journal is folded (see `rampctl.state.fold`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from rampctl.engine.approvals import CONTACTS_PENDING, contacts_settled, settled
from rampctl.engine.bill_live import live_bill
from rampctl.engine.changes import Action, Body, Change
from rampctl.engine.contacts import CREATE_CAPABILITY
from rampctl.engine.crashpoints import crash_point
from rampctl.engine.intents import Intent, settle
from rampctl.engine.live import live_record
from rampctl.engine.snapshot import Snapshot
from rampctl.engine.view import (
    OWN_ATTRIBUTES,
    accounting_vendor_view,
    fingerprint,
    user_view,
    vendor_view,
)
from rampctl.engine.writes import WriteResult
from rampctl.model import normalise as norm
from rampctl.model.desired import DesiredGraph
from rampctl.ramp.models import Vendor
from rampctl.state.backend import StateBackend
from rampctl.state.fold import journaled
from rampctl.state.model import ResourceState, State

_OWN = OWN_ATTRIBUTES


class StateRecorder:
    """Turns write results into state entries and journals them (thread-safe via the store)."""

    def __init__(
        self,
        *,
        store: StateBackend,
        snapshot: Snapshot,
        graph: DesiredGraph | None,
        environment: str,
        contact_mismatch: set[str] | None = None,
    ) -> None:
        self.contact_mismatch = contact_mismatch or set()
        self.store = journaled(store)
        self.store.after_fold = lambda: crash_point("after_fold")
        self.snapshot = snapshot
        self.graph = graph
        self.environment = environment

    def record(self, change: Change, result: WriteResult) -> str | None:
        """Journal the state entry for a finished change; return the Ramp id it now maps to."""
        if result.contacts_unsupported:
            self.remember({CREATE_CAPABILITY: False})  # the next plan shows them as manual
        entry = self._entry(change, result)
        binding = (self.environment, self.snapshot.business.id)
        self.store.record(change.address, entry, binding=binding)
        return entry.ramp_id if entry else None

    def fold(self) -> None:
        """Store the state with every journaled entry (one write)."""
        self.store.fold()

    def _entry(self, change: Change, result: WriteResult) -> ResourceState | None:
        if result.removed or self._removal(change):
            return None
        attributes = self._attributes(change, result)
        if attributes is None:
            return None
        ramp_id = _ramp_id(change, result)
        return ResourceState(
            kind=change.kind,
            ramp_id=ramp_id,
            fingerprint=fingerprint({k: v for k, v in attributes.items() if k not in _OWN}),
            attributes=attributes,
            depends_on=list(change.depends_on),
            protect=change.protect,
            key=change.key,
        )

    def _removal(self, change: Change) -> bool:
        """A vendor deactivated because its manifest is gone: rampctl stops tracking it."""
        if change.action is not Action.DEACTIVATE or change.kind != "vendor":
            return False
        return self.graph is None or change.address not in self.graph.vendors

    def _attributes(self, change: Change, result: WriteResult) -> Body | None:
        if result.bill is not None:
            return live_bill(result.bill).as_dict()
        if result.user is not None:
            # later records (a vendor this user owns) show the owner by email
            self.snapshot.users[result.user.id] = result.user
            if result.user.email:
                self.snapshot.users_by_email[result.user.email.strip().lower()] = result.user
            return user_view(result.user, self.snapshot.users)
        if result.vendor is not None:
            view = vendor_view(result.vendor, self.snapshot.users)
            contact = self._contact(change)
            own: Body = {"contact": contact} if contact else {}
            sent = datetime.now(UTC).isoformat(timespec="seconds")
            waiting = {
                **self._still_waiting(change.address),
                **{email: sent for email in self._adopted_waiting(change, result.vendor)},
                **{email: sent for email in result.contacts_pending},
            }
            if waiting:
                own[CONTACTS_PENDING] = waiting
            return {**view, **own}
        if result.accounting_vendor is not None:
            return accounting_vendor_view(result.accounting_vendor)
        live = self.snapshot.accounting_vendors.get(change.ramp_id or "")
        if change.action is Action.DEACTIVATE and live is not None:
            return {**accounting_vendor_view(live), "active": False}
        return None

    def _still_waiting(self, address: str) -> Body:
        """The contacts the state records waiting for approval on this vendor that Ramp had
        not decided when it was read (all of them when its contacts were not read)."""
        entry = self.store.entry(address)
        waiting = entry.attributes.get(CONTACTS_PENDING) if entry else None
        if not isinstance(waiting, dict) or entry is None:
            return {}
        listed = self.snapshot.contacts.get(entry.ramp_id)
        if listed is None:
            return dict(waiting)
        held = {norm.email(c.email) for c in listed if c.is_pending_approval}
        return {e: t for e, t in waiting.items() if norm.email(e) in held}

    def _adopted_waiting(self, change: Change, vendor: Vendor) -> list[str]:
        """On adopting a vendor (a create a killed run sent, found by key), the contacts of its
        manifest that Ramp holds for approval: recorded as waiting, as if this run had sent
        them, so that their approval is taken in rather than reported as drift."""
        desired = self.graph.vendors.get(change.address) if self.graph else None
        listed = self.snapshot.contacts.get(vendor.id)
        if change.action is not Action.ADOPT or desired is None or listed is None:
            return []
        wanted = {norm.email(c.email) for c in desired.contacts or ()}
        return [c.email for c in listed if c.is_pending_approval and norm.email(c.email) in wanted]

    def _contact(self, change: Change) -> Body | None:
        """The contact to remember: the manifest's, unless plan found it differs in Ramp."""
        desired = self.graph.vendors.get(change.address) if self.graph else None
        if desired is None or desired.contact is None or change.address in self.contact_mismatch:
            return None
        return desired.contact.as_dict()

    def remember(self, capabilities: Body) -> None:
        """Keep what this Ramp can do in the state, stored with this apply's next state write.

        No write of its own: an apply with nothing to record leaves the state as it was, and
        the next run asks Ramp again.
        """
        self.store.carry({"capabilities": capabilities})

    def refresh(self, skip: set[str], only: set[str] | None = None) -> None:
        """Record live values of managed objects apply did not touch (drift is accepted):
        all of them but `skip`, or only those in `only` when given.

        One state write, only when something differs.
        """

        def wanted(address: str) -> bool:
            return address not in skip and (only is None or address in only)

        def step(state: State) -> State:
            found = {a: self._refreshed(e) for a, e in state.resources.items() if wanted(a)}
            return state.with_resources({a: e for a, e in found.items() if e is not None})

        current = self.store.current()
        if any(self._refreshed(e) for a, e in current.resources.items() if wanted(a)):
            self.store.update(step)

    def settle_intents(self, intents: Sequence[Intent]) -> None:
        """Record the updates an earlier run made but never recorded (one state write,
        only when Ramp carried one out; see `rampctl.engine.intents`)."""
        found = settle(self.store.current(), intents, self.snapshot) if intents else {}
        if found:
            self.store.update(lambda state: state.with_resources(found))

    def settle_approvals(self) -> None:
        """Record the vendor edits Ramp held for approval and has since approved (the values in
        force, no pending record), so that a later change in Ramp is drift. One state write,
        only when something was approved; nothing else of the live vendor is taken in."""
        current = self.store.current()
        approved = {a: self._approved(e) for a, e in current.resources.items()}
        found = {a: e for a, e in approved.items() if e is not None}
        if found:
            self.store.update(lambda state: state.with_resources(found))

    def _approved(self, entry: ResourceState) -> ResourceState | None:
        if entry.kind != "vendor":
            return None
        view = self._live_view(entry)
        if view is None:
            return None
        attributes = settled(entry.attributes, view) or dict(entry.attributes)
        listed = self.snapshot.contacts.get(entry.ramp_id)
        attributes = contacts_settled(attributes, view, listed) or attributes
        if attributes == entry.attributes:
            return None
        recorded = {k: v for k, v in attributes.items() if k not in _OWN}
        return entry.model_copy(
            update={"attributes": attributes, "fingerprint": fingerprint(recorded)}
        )

    def _refreshed(self, entry: ResourceState) -> ResourceState | None:
        view = self._live_view(entry)
        if view is None:
            return None
        recorded = {k: v for k, v in entry.attributes.items() if k not in _OWN}
        listed = self.snapshot.contacts.get(entry.ramp_id) if entry.kind == "vendor" else None
        decided = contacts_settled(entry.attributes, view, listed)
        if recorded == view and decided is None:
            return None
        own = {k: v for k, v in (decided or entry.attributes).items() if k in _OWN and v}
        attributes = {**view, **own}
        return entry.model_copy(update={"attributes": attributes, "fingerprint": fingerprint(view)})

    def _live_view(self, entry: ResourceState) -> Body | None:
        record = live_record(self.snapshot, entry.kind, entry.ramp_id)
        return dict(record) if record is not None else None


def _ramp_id(change: Change, result: WriteResult) -> str:
    if result.bill is not None:
        return result.bill.id
    if result.user is not None:
        return result.user.id
    if result.vendor is not None:
        return result.vendor.id
    return _av_id(change, result)


def _av_id(change: Change, result: WriteResult) -> str:
    if result.accounting_vendor is not None:
        return result.accounting_vendor.ramp_id
    return str(change.ramp_id)
