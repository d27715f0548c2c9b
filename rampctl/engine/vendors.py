"""Planning for Vendor manifests: match each to a live vendor, diff, and decide the change.

A vendor's name is an ordinary update (a PATCH, Ramp's 2026 API). What Ramp's API
cannot change (edits to existing contacts, removing an accounting link) becomes a
`manual` change with the reason, never a delete and re-create.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from pydantic import JsonValue

from rampctl.engine.changes import Action, Body, Change, FieldChange
from rampctl.engine.contacts import no_write, plan_contacts
from rampctl.engine.context import PlanContext
from rampctl.engine.diff import diff_fields, value_at
from rampctl.engine.identity import KEY_MODE, MATCHED_REASON, candidates_text
from rampctl.engine.kind_plan import KindPlan, clear_problems, combine, is_manual
from rampctl.engine.vendor_checks import check_creatable, check_link, check_owner
from rampctl.engine.view import pending_fields
from rampctl.errors import Problem
from rampctl.model import address as addr
from rampctl.model.desired import DesiredVendor
from rampctl.model.kinds import VENDOR, FieldSpec, VendorContactValues
from rampctl.ramp.models import Vendor, VendorCreate, VendorUpdate

CONTACT_REASON = (
    "vendor contacts are only set when a vendor is created: change the contact in Ramp, "
    "or set spec.contact to match it"
)


OLD_API_RENAME = (
    "this Ramp's API predates vendor renames (it has no external_vendor_id either, as in its "
    "2025 version): rename the vendor in Ramp, or set spec.name back to the live name"
)


def plan_vendors(ctx: PlanContext) -> KindPlan:
    """The changes for every Vendor manifest, in address order, and what planning found.

    Pure: reads the context and returns a value; claims and moves are matching's
    (`PlanContext.vendor_matches`).
    """
    settled = _settled(ctx)
    vendors = ctx.graph.vendors
    # the few left to plan are sorted, not the whole business
    return combine(
        plan_vendor(ctx, vendors[address]) for address in sorted(vendors.keys() - settled)
    )


def _settled(ctx: PlanContext) -> set[str]:
    """The manifests whose plan was found empty as their vendors' pages arrived, and still
    is: they still match those vendors (`PlanContext.quiet_matches`), whose contacts were
    not read, and their accounting links (which need the whole snapshot) pass `check_link`.
    Only the few that may fail are looked at: those with a link (`PageWork.linked`), and
    those whose vendor's contacts were read."""
    quiet, read = ctx.quiet_matches, ctx.snapshot.contacts
    unsettled = {
        address
        for address in ctx.snapshot.page_work.linked
        if (found := quiet.get(address)) is not None
        and found.link
        and check_link(ctx, ctx.graph.vendors[address], found.vendor)
    }
    if read:
        unsettled.update(a for a, found in quiet.items() if found.vendor.id in read)
    return quiet.keys() - unsettled


def plan_vendor(ctx: PlanContext, desired: DesiredVendor) -> KindPlan:
    """The changes for one Vendor manifest (none when Ramp already matches), its problems
    and the fingerprint of its live vendor."""
    live = ctx.match_vendor(desired)
    problems = check_owner(ctx, desired, live) + check_link(ctx, desired, live)
    problems += [p for p in ctx.vendor_matches.problems if p.address == desired.address]
    if live is None and desired.address in ctx.ambiguous:
        return KindPlan(changes=(_ambiguous(ctx, desired),), problems=tuple(problems))
    if live is None:
        problems += check_creatable(desired)
        change = _create(ctx, desired, checked=not problems)
        later = plan_contacts(ctx, desired, None).changes  # contacts Ramp cannot create
        return KindPlan(changes=(change, *later), problems=tuple(problems))
    return _plan_live(ctx, desired, live, problems)


def _ambiguous(ctx: PlanContext, desired: DesiredVendor) -> Change:
    """Several live vendors agree with a manifest and no key tells them apart: a person picks."""
    found = ctx.ambiguous[desired.address]
    reason = (
        f"this Ramp has no external_vendor_id and {len(found)} vendors agree with this "
        f"manifest's name, owner and accounting link: {candidates_text(found)}; set spec.owner "
        "and spec.accounting_vendor to single one out, or make the others differ in Ramp; "
        "nothing is created meanwhile"
    )
    return Change(
        address=desired.address,
        kind=addr.VENDOR,
        action=Action.MANUAL,
        name=str(desired.fields.name or ""),
        key=desired.key,
        reason=reason,
    )


def _plan_live(
    ctx: PlanContext, desired: DesiredVendor, live: Vendor, problems: list[Problem]
) -> KindPlan:
    fields = live_fields(ctx.mode, desired, ctx.vendor_view(live))
    problems = problems + clear_problems(VENDOR, desired, fields)
    changes = tuple(_changes_for_live(ctx, desired, live, fields, checked=not problems))
    return KindPlan(
        changes=changes,
        problems=tuple(problems),
        # only a changed vendor's fingerprint is kept (apply checks it): most are unchanged
        fingerprints={desired.address: ctx.fingerprint_vendor(live)} if changes else {},
    )


def live_fields(
    mode: str, desired: DesiredVendor, view: Mapping[str, JsonValue]
) -> list[FieldChange]:
    """The managed fields of a live vendor's view (`mode`: how vendors are found in Ramp)
    that differ from the manifest's, less those `ignore_changes` covers."""
    wanted, ignore = desired.wanted(desired.fields), desired.ignore
    if ignore:  # most manifests ignore nothing: no filtering then
        wanted = {k: v for k, v in wanted.items() if k not in ignore}
    if mode == KEY_MODE:
        wanted["external_id"] = desired.key  # a Ramp without the key has nothing to compare
    found = diff_fields(view, wanted)
    return [f for f in found if not ignored(f.path, ignore)] if ignore else list(found)


def _changes_for_live(
    ctx: PlanContext,
    desired: DesiredVendor,
    live: Vendor,
    fields: list[FieldChange],
    *,
    checked: bool,
) -> list[Change]:
    manual = [f for f in fields if is_manual(VENDOR, f)]
    changes = [_manual(desired, live, f) for f in manual]
    if ctx.mode != KEY_MODE:  # Ramp's 2025 API: no external_vendor_id, and no rename either
        renames = [f for f in fields if f.path == "name"]
        manual += renames
        changes += [replace(_manual(desired, live, f), reason=OLD_API_RENAME) for f in renames]
    contacts = plan_contacts(ctx, desired, live)
    changes += contacts.changes
    if desired.contacts is None:
        changes += _contact_change(ctx, desired, live)
    update, held = split_held(ctx, desired, live, [f for f in fields if f not in manual])
    changes += held
    adopting = desired.address not in ctx.state.resources
    if update or adopting or contacts.creates:
        change = _update(ctx, desired, live, tuple(update), adopting, checked=checked)
        changes.append(
            replace(
                change,
                fields=change.fields + tuple(contacts.shown),
                contacts=tuple(contacts.creates),
                reason=_rejected(ctx, desired, live, update)
                or (MATCHED_REASON if desired.address in ctx.matched_by_fields else ""),
            )
        )
    return changes


def _rejected(
    ctx: PlanContext, desired: DesiredVendor, live: Vendor, update: list[FieldChange]
) -> str:
    """Why an update is sent again: the state recorded it waiting for approval, Ramp holds it
    no more and the live value is not the one sent. Ramp's API does not say whether it was
    rejected or approved and changed back since (`engine.approvals`); the plan says so."""
    entry = ctx.state.resources.get(desired.address)
    recorded = entry.attributes.get("pending") if entry else None
    if live.pending_update is not None or not isinstance(recorded, dict):
        return ""
    held = recorded.get("fields")
    if not isinstance(held, dict):
        return ""
    again = sorted(
        {f"spec.{_top(f.path)}" for f in update if _top(f.path) in held}
        - {f"spec.{_top(f.path)}" for f in update if value_at(held, f.path) == f.before}  # approved
    )
    if not again:
        return ""
    sent = recorded.get("requested_at") or "earlier"
    return (
        f"the update of {', '.join(again)} sent {sent} is no longer waiting and Ramp holds "
        "another value: rejected in Ramp, or approved and changed back since (Ramp's API does "
        "not say which, so it is also reported as changed in Ramp); it is sent again"
    )


def split_held(
    ctx: PlanContext, desired: DesiredVendor, live: Vendor, fields: list[FieldChange]
) -> tuple[list[FieldChange], list[Change]]:
    """Split off the field changes an update Ramp holds for approval already covers.

    A field waiting with the wanted value is `pending approval` (never sent again); a field
    waiting with another value is `manual` (Ramp refuses a second edit while one waits).
    Returns the fields still to send, and the pending/manual changes.
    """
    pending = live.pending_update
    if pending is None:
        return fields, []
    held = pending_fields(pending, ctx.snapshot.users)
    waiting = [f for f in fields if _top(f.path) in held and value_at(held, f.path) == f.after]
    blocked = [f for f in fields if _top(f.path) in held and f not in waiting]
    rest = [f for f in fields if _top(f.path) not in held]
    sent = pending.requested_at or "an unknown time"
    changes = []
    if waiting:
        reason = (
            f"sent {sent}; Ramp holds it until an approver accepts or rejects it, "
            "so it is not sent again"
        )
        changes.append(no_write(desired, live, Action.PENDING, waiting, reason))
    if blocked:
        names = ", ".join(sorted({f"spec.{_top(f.path)}" for f in blocked}))
        reason = (
            f"Ramp holds another update of {names} for approval (sent {sent}) and refuses a "
            "new one until it is approved or rejected in Ramp"
        )
        changes.append(no_write(desired, live, Action.MANUAL, blocked, reason))
    return rest, changes


def _top(path: str) -> str:
    return path.split(".", 1)[0]


def ignored(path: str, ignore: frozenset[str]) -> bool:
    """Whether `ignore_changes` covers a field path (the field itself or a parent of it)."""
    return any(path == item or path.startswith(item + ".") for item in ignore)


def _manual(desired: DesiredVendor, live: Vendor, field: FieldChange) -> Change:
    return Change(
        address=desired.address,
        kind=addr.VENDOR,
        action=Action.MANUAL,
        name=live.name,
        ramp_id=live.id,
        key=desired.key,
        fields=(field,),
        reason=VENDOR.field(field.path).manual_reason,
    )


def _contact_change(ctx: PlanContext, desired: DesiredVendor, live: Vendor) -> list[Change]:
    if desired.contact is None or "contact" in desired.ignore:
        return []
    fields = contact_fields(desired, ctx.live_contact(desired, live))
    if not fields:
        return []
    return [
        Change(
            address=desired.address,
            kind=addr.VENDOR,
            action=Action.MANUAL,
            name=live.name,
            ramp_id=live.id,
            key=desired.key,
            fields=fields,
            reason=CONTACT_REASON,
        )
    ]


def contact_fields(
    desired: DesiredVendor, current: VendorContactValues | None
) -> tuple[FieldChange, ...]:
    """How the live contact `current` differs from the manifest's (not ignored), if known."""
    if desired.contact is None or current is None or current == desired.contact:
        return ()
    return tuple(
        FieldChange(path=f"contact.{k}", before=current.get(k), after=v)
        for k, v in desired.contact.as_dict().items()
        if current.get(k) != v and not ignored(f"contact.{k}", desired.ignore)
    )


def _update(
    ctx: PlanContext,
    desired: DesiredVendor,
    live: Vendor,
    fields: tuple[FieldChange, ...],
    adopting: bool,
    *,
    checked: bool,
) -> Change:
    """`checked`: the manifest has no problems, so the body is built and validated."""
    body = update_body(ctx, desired, fields) if fields and checked else None
    if body is not None:  # validated here, at plan time, never failing at apply
        body = VendorUpdate.model_validate(body).to_body()
    relink = any(f.path == "accounting_vendor" for f in fields)
    return Change(
        address=desired.address,
        kind=addr.VENDOR,
        action=Action.ADOPT if adopting else Action.UPDATE,
        name=live.name,
        ramp_id=live.id,
        key=desired.key,
        fields=fields,
        request=body,
        depends_on=tuple(desired.depends_on),
        level=ctx.vendor_level(desired, relink),
        protect=desired.protect,
    )


def update_body(ctx: PlanContext, desired: DesiredVendor, fields: tuple[FieldChange, ...]) -> Body:
    """The PATCH body that makes the changed `fields` true (Ramp's field names)."""
    paths = {f.path.split(".", 1)[0] for f in fields}
    return {
        VENDOR.field(path).ramp: _request_value(ctx, desired, VENDOR.field(path))
        for path in sorted(paths)
    }


def _request_value(ctx: PlanContext, desired: DesiredVendor, spec: FieldSpec) -> JsonValue:
    """A desired field's value in a request body: references resolved, address completed."""
    if spec.path == VENDOR.key:
        return desired.key
    if spec.reference == "user":
        return ctx.owner_id(desired)
    if spec.parts:
        return dict(ctx.ramp_address(desired))
    value: JsonValue = desired.fields.get(spec.path)
    # null is sent only where Ramp clears by null (`state`); other clears are problems
    clear: JsonValue = spec.clear_value
    return clear if value is None else value


def _create(ctx: PlanContext, desired: DesiredVendor, *, checked: bool) -> Change:
    """`checked`: the manifest has no problems, so the body is validated."""
    body, followup = create_body(ctx, desired)
    if checked:
        body = VendorCreate.model_validate(body).to_body()
    fields = tuple(
        FieldChange(path=k, before=None, after=v) for k, v in sorted(_shown(desired).items())
    )
    contacts = plan_contacts(ctx, desired, None)
    return Change(
        address=desired.address,
        kind=addr.VENDOR,
        action=Action.CREATE,
        name=desired.fields.name or "",
        key=desired.key,
        fields=fields,
        request=body,
        followup=followup,
        contacts=tuple(contacts.creates),
        depends_on=tuple(desired.depends_on),
        level=ctx.vendor_level(desired, relink=bool(desired.fields.accounting_vendor)),
        protect=desired.protect,
    )


def _shown(desired: DesiredVendor) -> dict[str, JsonValue]:
    shown: dict[str, JsonValue] = {**desired.wanted(desired.fields), "external_id": desired.key}
    if desired.contacts is not None:
        shown["contacts"] = [
            {k: v for k, v in c.as_dict().items() if v is not None and (k != "default" or v)}
            for c in desired.contacts
        ]
    elif desired.contact:
        shown["contact"] = {k: v for k, v in desired.contact.as_dict().items() if v is not None}
    return shown


def create_body(ctx: PlanContext, desired: DesiredVendor) -> tuple[Body, Body | None]:
    """The POST body for a new vendor, and a PATCH for what create cannot set."""
    body: Body = {
        "name": desired.fields.name,
        "country": desired.fields.country,
        "vendor_owner_id": ctx.owner_id(desired),
        "business_vendor_contacts": {
            k: v
            for k, v in (desired.contact.as_dict() if desired.contact else {}).items()
            if v is not None
        },
        "external_vendor_id": desired.key,
    }
    followup: Body = {}
    for spec in VENDOR.fields:
        value = desired.fields.get(spec.path)
        if not spec.manifest or spec.path in body or spec.ramp in body:
            continue  # the required ones above are sent as they are
        if value is None or value == spec.ramp_default:
            continue  # unset, or Ramp's default: no write needed
        if not spec.create and not spec.update:
            continue  # only a person in Ramp can set it
        target = body if spec.create else followup
        target[spec.ramp] = _request_value(ctx, desired, spec)
    return body, followup or None
