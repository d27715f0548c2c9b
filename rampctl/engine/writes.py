"""The Ramp writes behind each change, and how an ambiguous outcome is decided by key.

A create is never sent twice: when its outcome is uncertain, the object is
looked up by its key (`external_vendor_id`, or the accounting remote id); found
means done, not found leaves the outcome uncertain for the next run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TypeVar

from pydantic import JsonValue

from rampctl.engine.bill_live import create_bill, update_bill
from rampctl.engine.changes import Action, Body, Change
from rampctl.engine.crashpoints import crash_point
from rampctl.errors import OutcomeUncertainError, PlanError, RampError, RampNotFoundError
from rampctl.model import address as addr
from rampctl.model import normalise as norm
from rampctl.ramp.client import RampClient
from rampctl.ramp.models import (
    AccountingVendor,
    AccountingVendorInput,
    AccountingVendorUpdate,
    Bill,
    User,
    UserInvite,
    UserUpdate,
    Vendor,
    VendorContact,
    VendorContactInput,
    VendorCreate,
    VendorUpdate,
)

T = TypeVar("T")


@dataclass(frozen=True, kw_only=True)
class WriteResult:
    """What a write left in Ramp: the live object, or None when it was removed."""

    vendor: Vendor | None = None
    accounting_vendor: AccountingVendor | None = None
    bill: Bill | None = None
    user: User | None = None
    removed: bool = False
    #: Emails of vendor contacts this write created that Ramp holds for approval.
    contacts_pending: tuple[str, ...] = ()
    #: Emails of vendor contacts not created: this Ramp has no contact endpoint (a 404 for a
    #: vendor that exists), so they are manual; apply records that Ramp lacks it.
    contacts_unsupported: tuple[str, ...] = ()


def perform(client: RampClient, change: Change) -> WriteResult:
    """Send the write(s) for one change and return what Ramp holds afterwards."""
    if change.action is Action.FORGET:
        return WriteResult(removed=True)
    if change.kind == addr.ACCOUNTING_VENDOR:
        return _accounting(client, change)
    if change.kind == addr.BILL:
        return _bill(client, change)
    if change.kind == addr.USER:
        return _user(client, change)
    return _vendor(client, change)


def _user(client: RampClient, change: Change) -> WriteResult:
    """Invite (the same invite again after a lost answer), reactivate, update or deactivate."""
    if change.action is Action.CREATE:
        return WriteResult(user=_invite(client, change))
    user_id = str(change.ramp_id)
    if change.action is Action.DEACTIVATE:
        _refuse_vendor_owner(client, user_id)
        client.deactivate_user(user_id)
        return WriteResult(removed=True)
    if change.followup and change.followup.get("reactivate"):
        client.reactivate_user(user_id)
    if change.request:
        client.update_user(user_id, UserUpdate.model_validate(change.request))
    return WriteResult(user=client.get_user(user_id))


def _refuse_vendor_owner(client: RampClient, user_id: str) -> None:
    """A user who still owns active vendors in Ramp is not deactivated: the plan handed them
    over, but an owner change Ramp holds for approval (or one undone meanwhile) has not."""
    found = client.list_vendors(vendor_owner_id=user_id, is_active=True)
    owned = sorted(v.name for v in found if v.vendor_owner_id == user_id and v.is_active)
    if owned:
        what = "active vendor" if len(owned) == 1 else "active vendors"
        raise PlanError(
            f"not deactivated: still owns {len(owned)} {what} in Ramp ({', '.join(owned[:5])}"
            f"{' and more' if len(owned) > 5 else ''}); an owner change may be waiting for "
            "approval. Apply again once they have another owner"
        )


def _invite(client: RampClient, change: Change) -> User:
    assert change.request is not None
    return send_invite(client, change.request)


def send_invite(client: RampClient, request: Body) -> User:
    """Send the invite and wait for its task. The idempotency key makes a resent invite the
    same task; a task that fails because the email is taken ends in that user."""
    email = norm.email(request["email"])
    try:
        task_id = client.invite_user(UserInvite.model_validate(request))
    except OutcomeUncertainError:
        task_id = client.invite_user(UserInvite.model_validate(request))  # same key: same task
    crash_point("after_invite")
    task = client.wait_for_user_task(task_id)
    if task.user_id is not None:
        return client.get_user(task.user_id)
    found = client.list_users(email=email or "")
    same = [u for u in found if norm.email(u.email) == email]
    if len(same) == 1:
        return same[0]
    if not task.finished:
        raise OutcomeUncertainError(
            f"the invite of {email} is still running in Ramp (task {task_id}); run apply "
            "again to find the user",
            method="POST",
            path="/users/deferred",
        )
    raise RampError(
        f"Ramp could not invite {email}: {task.data.error or task.status}",
        method="POST",
        path="/users/deferred",
    )


def _bill(client: RampClient, change: Change) -> WriteResult:
    """Create (found by key when the answer is lost), patch, archive or re-read a bill."""
    if change.action is Action.CREATE:
        assert change.request is not None
        number = str(change.request["invoice_number"])
        return WriteResult(bill=create_bill(client, change.request, number))
    bill_id = str(change.ramp_id)
    if change.action is Action.ARCHIVE:
        _delete(lambda: client.delete_bill(bill_id))
        return WriteResult(removed=True)
    if change.request:
        return WriteResult(bill=update_bill(client, bill_id, change.request))
    return WriteResult(bill=client.get_bill(bill_id))


def _vendor(client: RampClient, change: Change) -> WriteResult:
    if change.action is Action.CREATE:
        vendor = _create_vendor(client, change)
        if change.followup:
            vendor = client.update_vendor(vendor.id, VendorUpdate.model_validate(change.followup))
        return _with_contacts(client, change, vendor)
    assert change.ramp_id is not None
    if change.action is Action.DELETE:
        _delete(lambda: client.delete_vendor(str(change.ramp_id)))
        return WriteResult(removed=True)
    if change.request:
        vendor = _update_vendor(client, change.ramp_id, change.request)
        return _with_contacts(client, change, vendor)
    return _with_contacts(client, change, client.get_vendor(change.ramp_id))


def _with_contacts(client: RampClient, change: Change, vendor: Vendor) -> WriteResult:
    """Create the change's missing contacts on `vendor`; the vendor as Ramp holds it then."""
    if not change.contacts:
        return WriteResult(vendor=vendor)
    pending: list[str] = []
    for body in change.contacts:
        created = _create_contact(client, vendor.id, body)
        if created is None:
            emails = tuple(str(b["email"]) for b in change.contacts)
            return WriteResult(vendor=client.get_vendor(vendor.id), contacts_unsupported=emails)
        if created.is_pending_approval:
            pending.append(str(body["email"]))
    return WriteResult(vendor=client.get_vendor(vendor.id), contacts_pending=tuple(pending))


def _create_contact(client: RampClient, vendor_id: str, body: Body) -> VendorContact | None:
    """POST one contact; after a lost answer, the vendor's contact with that email decides.
    None when this Ramp has no contact endpoint (the POST is not found, yet the vendor's
    contacts can be listed: the vendor is there)."""
    email = norm.email(body["email"])
    try:
        return client.create_vendor_contact(vendor_id, VendorContactInput.model_validate(body))
    except RampNotFoundError:
        client.list_vendor_contacts(vendor_id)  # raises in turn when the vendor is gone
        return None
    except OutcomeUncertainError as uncertain:
        listed = _look_up(uncertain, lambda: client.list_vendor_contacts(vendor_id))
        found = [c for c in listed if norm.email(c.email) == email]
        if len(found) == 1:
            return found[0]
        raise


def _create_vendor(client: RampClient, change: Change) -> Vendor:
    assert change.request is not None and change.key is not None
    key = change.key
    try:
        return client.create_vendor(VendorCreate.model_validate(change.request))
    except OutcomeUncertainError as uncertain:
        listed = _look_up(uncertain, lambda: client.list_vendors(external_vendor_id=key))
        found = with_key(listed, key)
        if len(found) == 1:
            return found[0]
        raise


def _update_vendor(client: RampClient, vendor_id: str, body: Body) -> Vendor:
    try:
        return client.update_vendor(vendor_id, VendorUpdate.model_validate(body))
    except OutcomeUncertainError as uncertain:
        live = _look_up(uncertain, lambda: client.get_vendor(vendor_id))
        if vendor_has(live, body):
            return live
        raise


def _look_up(uncertain: OutcomeUncertainError, read: Callable[[], T]) -> T:
    """Read what decides an uncertain write; if that read fails, the outcome stays uncertain."""
    try:
        return read()
    except RampError:
        raise uncertain from None


def vendor_has(vendor: Vendor, body: Body) -> bool:
    """Whether every field of a PATCH body already holds on the live vendor (nested ones too),
    or waits for approval in Ramp with that value (the PATCH arrived and was held)."""
    live = vendor.model_dump()
    if vendor.pending_update is not None:
        live.update(vendor.pending_update.fields)
    return all(_same(live.get(key), value) for key, value in body.items())


def _same(live: object, sent: JsonValue) -> bool:
    if isinstance(sent, dict):
        inner = live if isinstance(live, dict) else {}
        return all(_same(inner.get(k), v) for k, v in sent.items())
    if isinstance(sent, str) or isinstance(live, str) or sent is None or live is None:
        return norm.text(live) == norm.text(sent)
    return bool(live == sent)


def _accounting(client: RampClient, change: Change) -> WriteResult:
    if change.action is Action.CREATE:
        item = _create_accounting_vendor(client, change)
        if change.followup:
            item = client.update_accounting_vendor(
                item.ramp_id, AccountingVendorUpdate.model_validate(change.followup)
            )
        return WriteResult(accounting_vendor=item)
    assert change.ramp_id is not None
    if change.action in (Action.DELETE, Action.DEACTIVATE):
        _delete(lambda: client.delete_accounting_vendor(str(change.ramp_id)))
        return WriteResult(removed=change.action is Action.DELETE)
    if change.request:
        body = AccountingVendorUpdate.model_validate(change.request)
        return WriteResult(accounting_vendor=client.update_accounting_vendor(change.ramp_id, body))
    listed = client.list_accounting_vendors(remote_id=str(change.key))
    found = [a for a in with_remote_id(listed, str(change.key)) if a.ramp_id == change.ramp_id]
    return WriteResult(accounting_vendor=found[0] if found else None)


def _create_accounting_vendor(client: RampClient, change: Change) -> AccountingVendor:
    assert change.request is not None
    try:
        item = AccountingVendorInput.model_validate(change.request)
        created = client.upload_accounting_vendors([item])
    except OutcomeUncertainError:
        listed = client.list_accounting_vendors(remote_id=str(change.key))
        created = with_remote_id(listed, str(change.key))
        if len(created) != 1:
            raise
    return created[0]


def with_key(vendors: list[Vendor], key: str) -> list[Vendor]:
    """The vendors that carry exactly this adoption key: a list filtered by Ramp is checked
    again here, so a list that ignored its filter never adopts another vendor."""
    return [v for v in vendors if norm.text(v.external_vendor_id) == norm.text(key)]


def with_remote_id(items: list[AccountingVendor], remote_id: str) -> list[AccountingVendor]:
    """The accounting vendors with exactly this remote id (the filter checked again)."""
    return [a for a in items if norm.text(a.id) == norm.text(remote_id)]


def _delete(call: Callable[[], object]) -> None:
    """Delete, treating 'already gone' as done."""
    try:
        call()
    except RampNotFoundError:
        return


#: A request value naming an object an earlier change of the same apply creates.
REF = "ref:"


def resolve_refs(change: Change, ids: Mapping[str, str]) -> Change:
    """The change with each `ref:<address>` in its bodies replaced by that object's Ramp id
    (a vendor owned by a user the same apply invites first). Refused when it is not there."""
    if not _has_ref(change.request) and not _has_ref(change.followup):
        return change
    return replace(
        change, request=_resolved(change.request, ids), followup=_resolved(change.followup, ids)
    )


def _has_ref(body: Body | None) -> bool:
    return any(isinstance(v, str) and v.startswith(REF) for v in (body or {}).values())


def _resolved(body: Body | None, ids: Mapping[str, str]) -> Body | None:
    if body is None:
        return None
    out = dict(body)
    for key, value in body.items():
        if isinstance(value, str) and value.startswith(REF):
            address = value[len(REF) :]
            if address not in ids:
                raise PlanError(f"{address} is not in Ramp yet, so {key} cannot name it")
            out[key] = ids[address]
    return out
