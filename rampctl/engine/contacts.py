"""Planning a vendor's contact list (`spec.contacts`) against the contacts Ramp holds.

Ramp's 2026 API creates contacts (`POST /vendors/{id}/contacts`, the default flag only at
creation) and has no endpoint to edit or delete one. So a contact missing in Ramp is created
with the vendor's write; one Ramp holds for approval is `pending approval` (never sent again);
an edit, a removal or a new default among existing contacts is `manual` with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import JsonValue

from rampctl.engine.changes import Action, Change, FieldChange
from rampctl.engine.context import PlanContext
from rampctl.engine.identity import KEY_MODE
from rampctl.engine.view import contact_view
from rampctl.model import address as addr
from rampctl.model.desired import DesiredVendor
from rampctl.model.kinds import VendorContactEntry
from rampctl.ramp.models import Vendor, VendorContact

EDIT_REASON = (
    "Ramp's API cannot edit an existing vendor contact: change it in Ramp, or set the entry in "
    "spec.contacts to match it"
)
REMOVE_REASON = (
    "Ramp's API cannot delete a vendor contact: remove it in Ramp, or add it to spec.contacts"
)
DEFAULT_REASON = (
    "Ramp's API sets a contact as the default only when it creates it: make {email} the "
    "default contact in Ramp"
)


CREATE_CAPABILITY = "vendor_contact_create"
"""The state's `capabilities` entry an apply sets to False when Ramp has no contact endpoint."""
NO_CREATE_REASON = (
    "this Ramp's API cannot create vendor contacts ({why}): add the contact in Ramp, or "
    "remove it from spec.contacts"
)
OLD_API = "it has no external_vendor_id either, as in its 2025 version"
NO_ENDPOINT = "an earlier apply found no contact endpoint"


def no_create_reason(ctx: PlanContext) -> str | None:
    """Why this Ramp cannot create vendor contacts (its 2025 API, or an apply found the
    endpoint missing), or None when it can."""
    if ctx.mode != KEY_MODE:
        return NO_CREATE_REASON.format(why=OLD_API)
    if ctx.state.capabilities.get(CREATE_CAPABILITY) is False:
        return NO_CREATE_REASON.format(why=NO_ENDPOINT)
    return None


@dataclass
class ContactPlan:
    """What a vendor's contact list needs: bodies to create, and no-write changes to show."""

    creates: list[dict[str, JsonValue]] = field(default_factory=list)
    shown: list[FieldChange] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)


def plan_contacts(ctx: PlanContext, desired: DesiredVendor, live: Vendor | None) -> ContactPlan:
    """Compare `spec.contacts` with the vendor's live contacts (all of them new on a create)."""
    result = ContactPlan()
    if desired.contacts is None or "contacts" in desired.ignore:
        return result
    if live is None:
        return _for_new_vendor(ctx, desired)
    held = {_email(c): c for c in ctx.snapshot.contacts.get(live.id, [])}
    waiting: list[FieldChange] = []
    manual: list[FieldChange] = []
    for entry in desired.contacts:
        wanted = entry.as_dict()
        path = f"contacts[{entry.email}]"
        current = held.get(str(entry.email))
        if current is None:
            result.creates.append(_body(entry))
            result.shown.append(FieldChange(path=path, before=None, after=_shown(wanted)))
        elif current.is_pending_approval:
            waiting.append(FieldChange(path=path, before=None, after=_shown(wanted)))
        else:
            manual += _edits(path, contact_view(current).as_dict(), wanted)
    why = no_create_reason(ctx)
    if why is not None:
        result.changes += _manual(desired, live, result.shown, why)
        result.creates, result.shown = [], []
    result.changes += _pending(ctx, desired, live, waiting)
    result.changes += _manual(desired, live, manual, EDIT_REASON)
    result.changes += _removals(desired, live, held)
    result.changes += _default(desired, live, held)
    return result


def _for_new_vendor(ctx: PlanContext, desired: DesiredVendor) -> ContactPlan:
    """A new vendor's contacts besides the default one (which goes with its create): created
    after it, or `manual` on a Ramp that cannot create contacts."""
    others = [c for c in desired.contacts or () if not c.default]
    why = no_create_reason(ctx)
    if why is None or not others:
        return ContactPlan(creates=[_body(c) for c in others])
    fields = [
        FieldChange(path=f"contacts[{c.email}]", before=None, after=_shown(c.as_dict()))
        for c in others
    ]
    manual = Change(
        address=desired.address,
        kind=addr.VENDOR,
        action=Action.MANUAL,
        name=str(desired.fields.name or ""),
        key=desired.key,
        fields=tuple(fields),
        reason=why,
    )
    return ContactPlan(changes=[manual])


def _email(contact: VendorContact) -> str:
    return str(contact_view(contact).email)


def _body(entry: VendorContactEntry) -> dict[str, JsonValue]:
    wanted = entry.as_dict()
    body = {k: v for k, v in wanted.items() if k != "default" and v is not None}
    return {**body, "is_default": bool(entry.default)}


def _shown(wanted: dict[str, JsonValue]) -> dict[str, JsonValue]:
    return {k: v for k, v in wanted.items() if v is not None and (k != "default" or v)}


def _edits(
    path: str, current: dict[str, JsonValue], wanted: dict[str, JsonValue]
) -> list[FieldChange]:
    return [
        FieldChange(path=f"{path}.{k}", before=current.get(k), after=v)
        for k, v in wanted.items()
        if k not in ("email", "default") and v is not None and current.get(k) != v
    ]


def _removals(desired: DesiredVendor, live: Vendor, held: dict[str, VendorContact]) -> list[Change]:
    wanted = {c.email for c in desired.contacts or ()}
    gone = [
        FieldChange(path=f"contacts[{email}]", before=_shown(contact_view(c).as_dict()), after=None)
        for email, c in sorted(held.items())
        if email not in wanted and not c.is_pending_approval
    ]
    return _manual(desired, live, gone, REMOVE_REASON)


def _default(desired: DesiredVendor, live: Vendor, held: dict[str, VendorContact]) -> list[Change]:
    email = next((c.email for c in desired.contacts or () if c.default), None)
    current = held.get(email or "")
    if email is None or current is None or current.is_pending_approval or current.is_default:
        return []
    was = next((e for e, c in held.items() if c.is_default), None)
    change = FieldChange(path="contacts.default", before=was, after=email)
    return _manual(desired, live, [change], DEFAULT_REASON.format(email=email))


def _pending(
    ctx: PlanContext, desired: DesiredVendor, live: Vendor, fields: list[FieldChange]
) -> list[Change]:
    if not fields:
        return []
    entry = ctx.state.resources.get(desired.address)
    recorded = entry.attributes.get("contacts_pending") if entry else None
    sent = sorted({str(v) for v in recorded.values()}) if isinstance(recorded, dict) else []
    when = f"sent {', '.join(sent)}" if sent else "created earlier"
    reason = (
        f"{when}; Ramp holds the new contact until an approver accepts it, so it is not sent again"
    )
    return [no_write(desired, live, Action.PENDING, fields, reason)]


def _manual(
    desired: DesiredVendor, live: Vendor, fields: list[FieldChange], reason: str
) -> list[Change]:
    return [no_write(desired, live, Action.MANUAL, fields, reason)] if fields else []


def no_write(
    desired: DesiredVendor, live: Vendor, action: Action, fields: list[FieldChange], reason: str
) -> Change:
    """A vendor change rampctl shows but does not send (pending approval, manual)."""
    return Change(
        address=desired.address,
        kind=addr.VENDOR,
        action=action,
        name=live.name,
        ramp_id=live.id,
        key=desired.key,
        fields=tuple(fields),
        reason=reason,
    )
