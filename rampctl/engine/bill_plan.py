"""Planning for Bill manifests: resolve references, match by state id or (vendor, invoice
number), diff, and decide create, update or manual.

Ramp approves API-created bills at once and schedules their payment, so nothing here is
ever sent twice: a bill is matched by its key before any create, and payment changes and
any change to a paid bill are `manual`.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import replace

from rampctl.engine.bill_bodies import create_body, patch_body
from rampctl.engine.bill_live import bill_name, find_by_key, live_bill
from rampctl.engine.bill_read import vendor_id_of
from rampctl.engine.bill_refs import BillRefs, ResolvedBill
from rampctl.engine.changes import Action, Body, Change, FieldChange, Level
from rampctl.engine.context import PlanContext
from rampctl.engine.diff import diff_fields
from rampctl.engine.kind_plan import KindPlan, combine, problem_at
from rampctl.engine.moves import explicit_move
from rampctl.engine.snapshot import Snapshot
from rampctl.engine.view import fingerprint
from rampctl.errors import Problem
from rampctl.model import address as addr
from rampctl.model import money
from rampctl.model.bills import DesiredBill, bill_total
from rampctl.model.kinds.bill import LiveBillValues
from rampctl.ramp.models import Bill, BillCreate, BillUpdate, Vendor

PAID_REASON = "the bill is paid: Ramp does not change paid bills; change it in Ramp if needed"
PAYMENT_REASON = (
    "Ramp's API cannot change a bill's payment once created (PATCH takes no payment "
    "details): reschedule or cancel it in Ramp, or set spec.payment back"
)
CURRENCY_REASON = "Ramp's API cannot change a bill's currency: archive it and add a new bill"
VENDOR_REASON = (
    "a bill's vendor is part of its identity and its payment: change it in Ramp, or "
    "archive the bill and add a new one"
)
ENTITY_REASON = (
    "the payment's source account belongs to the entity: change the entity in Ramp, or "
    "archive the bill and add a new one"
)
ARCHIVED_REASON = (
    "the bill was archived in Ramp outside rampctl; rampctl never re-creates a bill "
    "(that would pay it again): remove the manifest, or restore the bill in Ramp"
)
WAITING_REASON = (
    "its vendor is created by this apply; run plan/apply again afterwards to create the bill"
)
_MANUAL_FIELDS = {
    "currency": CURRENCY_REASON,
    "vendor_id": VENDOR_REASON,
    "entity_id": ENTITY_REASON,
}


def plan_bills(ctx: PlanContext, taken: Set[str] = frozenset()) -> KindPlan:
    """The changes for every Bill manifest, in address order, and what planning found.

    Pure: reads the context and returns a value. `taken` are the Ramp ids other kinds
    claimed; each bill's claim is taken for the bills after it.
    """
    firsts = _first_by_key(ctx)
    held = set(taken)
    plans = []
    for _, desired in sorted(ctx.graph.bills.items()):
        found = plan_bill(ctx, desired, firsts, held)
        held.update(found.claims)
        plans.append(found)
    return combine(plans)


def _first_by_key(ctx: PlanContext) -> dict[str, str]:
    """The first manifest (by address) of each bill key: one manifest per bill, since two
    manifests for one vendor and invoice number would pay twice."""
    firsts: dict[str, str] = {}
    for address, desired in sorted(ctx.graph.bills.items()):
        vendor_id = vendor_id_of(ctx, desired)
        if vendor_id is not None and vendor_id in ctx.snapshot.vendors:
            firsts.setdefault(bill_key(vendor_id, desired.invoice_number.strip()), address)
    return firsts


def plan_bill(
    ctx: PlanContext, desired: DesiredBill, firsts: Mapping[str, str], taken: Set[str]
) -> KindPlan:
    """The changes for one Bill manifest (none when Ramp already matches), its problems,
    claim, move and live fingerprint. `firsts`: the manifest that owns each bill key."""
    vendor_id = vendor_id_of(ctx, desired)
    if vendor_id is None and desired.vendor_address is not None:
        return KindPlan(changes=(_waiting(desired),))
    vendor = ctx.snapshot.vendors.get(vendor_id or "")
    if vendor is None:
        message = f"no vendor with id {vendor_id!r} in Ramp"
        return KindPlan(problems=(problem_at(desired, "spec.vendor", message),))
    other = firsts[bill_key(vendor.id, desired.invoice_number.strip())]
    if other != desired.address:
        message = f"{other} is the same bill (same vendor and invoice number); keep one manifest"
        return KindPlan(problems=(problem_at(desired, "spec.invoice_number", message),))
    live, found = _match(ctx, desired, vendor.id, taken)
    return _plan_matched(ctx, desired, vendor, live, found)


def _plan_matched(
    ctx: PlanContext, desired: DesiredBill, vendor: Vendor, live: Bill | None, found: KindPlan
) -> KindPlan:
    problems = [*found.problems, *_check_mailable(desired, vendor)]
    view = live_bill(live) if live is not None else None
    prints = {desired.address: fingerprint(view.as_dict())} if view is not None else {}
    if live is not None and live.archived_at is not None:
        changes = [_base(desired, live, Action.MANUAL, reason=ARCHIVED_REASON)]
    else:
        refs = BillRefs(ctx.snapshot, desired, vendor)
        problems += refs.problems
        if live is None or view is None:
            changes = [_create(ctx, desired, vendor, refs, checked=not problems)]
        else:
            changes = _changes_for_live(ctx, desired, live, view, refs.resolved())
    return replace(found, changes=tuple(changes), problems=tuple(problems), fingerprints=prints)


def _check_mailable(desired: DesiredBill, vendor: Vendor) -> list[Problem]:
    """A CHECK is mailed: Ramp refuses one for a vendor without a postal address."""
    address = vendor.address
    if desired.payment.method != "CHECK":
        return []
    if address is None or not address.address_line_1:
        message = (
            f"vendor {vendor.name!r} has no postal address in Ramp, so a CHECK cannot be "
            "mailed: add spec.address to its Vendor manifest (or in Ramp) first"
        )
        return [problem_at(desired, "spec.payment.method", message)]
    return []


def _match(
    ctx: PlanContext, desired: DesiredBill, vendor_id: str, taken: Set[str]
) -> tuple[Bill | None, KindPlan]:
    """The live bill, and its claim, move and problems: matched by state id, by a recorded
    move, else by (vendor, invoice number) among the bills nobody holds."""
    entry = ctx.state.resources.get(desired.address)
    move = None
    if entry is None:
        move = explicit_move(desired, ctx.left_over(addr.BILL), taken)
        entry = move.entry if move is not None else None
    moves = {desired.address: move} if move is not None else {}
    if entry is not None and entry.ramp_id in ctx.snapshot.bills:
        held = ctx.snapshot.bills[entry.ramp_id]
        return held, KindPlan(claims={held.id: desired.address}, moves=moves)
    owned = ctx.owned_elsewhere(desired.address)
    candidates = [
        b
        for b in ctx.snapshot.bills.values()
        if b.vendor.id == vendor_id and b.id not in owned and b.id not in taken
    ]
    found = find_by_key(candidates, desired.invoice_number)
    problems = [] if len(found) < 2 else [_duplicates(desired, found)]
    live = found[0] if found else _archived(candidates, desired)
    claims = {live.id: desired.address} if live is not None else {}
    return live, KindPlan(problems=tuple(problems), claims=claims, moves=moves)


def _duplicates(desired: DesiredBill, found: list[Bill]) -> Problem:
    ids = ", ".join(sorted(b.id for b in found))
    message = (
        f"{len(found)} bills of this vendor in Ramp have invoice number "
        f"{desired.invoice_number!r} ({ids}); archive the extra ones in Ramp"
    )
    return problem_at(desired, "spec.invoice_number", message)


def _archived(bills: list[Bill], desired: DesiredBill) -> Bill | None:
    """An archived bill with this key: never re-created (that would pay it again)."""
    found = find_by_key(bills, desired.invoice_number, archived=True)
    return found[0] if found else None


def _base(
    desired: DesiredBill,
    live: Bill | None,
    action: Action,
    *,
    fields: tuple[FieldChange, ...] = (),
    reason: str = "",
    request: Body | None = None,
    level: int = Level.NONE,
) -> Change:
    return Change(
        address=desired.address,
        kind=addr.BILL,
        action=action,
        name=bill_name(live) if live else desired.invoice_number,
        ramp_id=live.id if live else None,
        key=bill_key(live.vendor.id, desired.invoice_number) if live else None,
        depends_on=tuple(desired.depends_on),
        protect=desired.protect,
        fields=fields,
        reason=reason,
        request=request,
        level=level,
    )


def bill_key(vendor_id: str, invoice_number: str) -> str:
    """A bill's adoption key as recorded in the state: its vendor and invoice number."""
    return f"{vendor_id}:{invoice_number}"


def _waiting(desired: DesiredBill) -> Change:
    return _base(desired, None, Action.MANUAL, reason=WAITING_REASON)


def _changes_for_live(
    ctx: PlanContext, desired: DesiredBill, live: Bill, view: LiveBillValues, bill: ResolvedBill
) -> list[Change]:
    fields = diff_fields(view.as_dict(), bill.comparable())
    adopting = desired.address not in ctx.state.resources
    if live.paid:
        changes = [_base(desired, live, Action.MANUAL, fields=tuple(fields), reason=PAID_REASON)]
        changes = changes if fields else []
        return changes + ([_base(desired, live, Action.ADOPT)] if adopting else [])
    changes = _manual(desired, live, fields)
    patch = [f for f in fields if _patchable(f)]
    if patch or adopting:
        changes.append(_update(desired, live, view, patch, bill, adopting))
    return changes


def _patchable(change: FieldChange) -> bool:
    return not change.path.startswith("payment.") and change.path not in _MANUAL_FIELDS


def _manual(desired: DesiredBill, live: Bill, fields: list[FieldChange]) -> list[Change]:
    changes = []
    payment = tuple(f for f in fields if f.path.startswith("payment."))
    if payment:
        changes.append(_base(desired, live, Action.MANUAL, fields=payment, reason=PAYMENT_REASON))
    for f in fields:
        if f.path in _MANUAL_FIELDS:
            reason = _MANUAL_FIELDS[f.path]
            changes.append(_base(desired, live, Action.MANUAL, fields=(f,), reason=reason))
    return changes


def _update(
    desired: DesiredBill,
    live: Bill,
    view: LiveBillValues,
    patch: list[FieldChange],
    bill: ResolvedBill,
    adopting: bool,
) -> Change:
    body = BillUpdate.model_validate(patch_body(bill, patch)).to_body() if patch else None
    shown = list(patch)
    after = money.minor_text(bill_total(bill.values, live.currency), live.currency)
    lines = any(f.path in ("line_items", "inventory_line_items") for f in patch)
    if body is not None and (lines or after != view.total):
        # The total Ramp holds now: a saved plan's money entry is checked against it.
        shown.append(FieldChange(path="total", before=view.total, after=after))
    return _base(
        desired,
        live,
        Action.ADOPT if adopting else Action.UPDATE,
        fields=tuple(shown),
        request=body,
        level=Level.BILLS,
    )


def _create(
    ctx: PlanContext,
    desired: DesiredBill,
    vendor: Vendor,
    refs: BillRefs,
    *,
    checked: bool,
) -> Change:
    """`checked`: the manifest has no problems, so the body is validated."""
    body = create_body(refs.resolved())
    if checked:
        body = BillCreate.model_validate(body).to_body()  # fails here, at plan time, never at apply
    total = money.minor_text(desired.total_minor, desired.currency)
    shown = {
        "vendor": vendor.name,
        "contact": contact_email(ctx.snapshot, vendor.id, refs.contact_id),
        "entity": refs.entity.entity_name if refs.entity else desired.entity,
        **{k: v for k, v in desired.fields.comparable().items() if v not in (None, [])},
        "payment": desired.payment.as_dict(),
        "total": total,
    }
    return Change(
        address=desired.address,
        kind=addr.BILL,
        action=Action.CREATE,
        name=f"{vendor.name} {desired.invoice_number}",
        key=bill_key(vendor.id, desired.invoice_number),
        fields=tuple(FieldChange(path=k, before=None, after=v) for k, v in shown.items()),
        request=body,
        depends_on=tuple(desired.depends_on),
        level=Level.BILLS,
        protect=desired.protect,
    )


def contact_email(snapshot: Snapshot, vendor_id: str, contact_id: str | None) -> str | None:
    for contact in snapshot.contacts.get(vendor_id, []):
        if contact.id == contact_id:
            return contact.email
    return None
