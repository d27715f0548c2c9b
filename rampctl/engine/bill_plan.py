"""Planning for Bill manifests: resolve references, match by state id or (vendor, invoice
number), diff, and decide create, update or manual.

Ramp approves API-created bills at once and schedules their payment, so nothing here is
ever sent twice: a bill is matched by its key before any create, and payment changes and
any change to a paid bill are `manual`.
"""

from __future__ import annotations

from typing import Any

from rampctl.engine.bill_live import bill_view, find_by_key
from rampctl.engine.bill_read import vendor_id_of
from rampctl.engine.changes import Action, Change, FieldChange, Level
from rampctl.engine.context import PlanContext
from rampctl.engine.diff import diff_fields
from rampctl.engine.moves import explicit_move
from rampctl.engine.snapshot import Snapshot
from rampctl.engine.view import fingerprint
from rampctl.model import address as addr
from rampctl.model import money, payments
from rampctl.model.bills import DesiredBill, bill_total
from rampctl.ramp.models import Bill, BillCreate, BillUpdate, Entity, Vendor

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
_PATCH_KEYS = {
    "invoice_number": "invoice_number",
    "issue_date": "issued_at",
    "due_date": "due_at",
    "posting_date": "posting_date",
    "memo": "memo",
    "contact_id": "vendor_contact_id",
}


def plan_bill(ctx: PlanContext, desired: DesiredBill) -> list[Change]:
    """The changes for one Bill manifest (empty when Ramp already matches)."""
    vendor_id = vendor_id_of(ctx, desired)
    if vendor_id is None and desired.vendor_address is not None:
        return [_waiting(desired)]
    vendor = ctx.snapshot.vendors.get(vendor_id or "")
    if vendor is None:
        ctx.problem(desired, "spec.vendor", f"no vendor with id {vendor_id!r} in Ramp")
        return []
    if not _claim_key(ctx, desired, vendor.id):
        return []
    _check_mailable(ctx, desired, vendor)
    live = _match(ctx, desired, vendor.id)
    if live is not None and live.archived_at is not None:
        ctx.fingerprints[desired.address] = fingerprint(bill_view(live))
        return [_base(desired, live, Action.MANUAL, reason=ARCHIVED_REASON)]
    refs = _Refs(ctx, desired, vendor, live)
    wanted = refs.wanted()
    if live is None:
        return [_create(ctx, desired, vendor, refs, wanted)]
    return _changes_for_live(ctx, desired, live, wanted)


def _check_mailable(ctx: PlanContext, desired: DesiredBill, vendor: Vendor) -> None:
    """A CHECK is mailed: Ramp refuses one for a vendor without a postal address."""
    address = vendor.address
    if desired.payment["method"] != "CHECK":
        return
    if address is None or not address.address_line_1:
        message = (
            f"vendor {vendor.name!r} has no postal address in Ramp, so a CHECK cannot be "
            "mailed: add spec.address to its Vendor manifest (or in Ramp) first"
        )
        ctx.problem(desired, "spec.payment.method", message)


def _claim_key(ctx: PlanContext, desired: DesiredBill, vendor_id: str) -> bool:
    """One manifest per bill: two manifests for one vendor and invoice number would pay twice."""
    key = bill_key(vendor_id, desired.invoice_number.strip())
    other = ctx.bill_keys.setdefault(key, desired.address)
    if other != desired.address:
        ctx.problem(
            desired,
            "spec.invoice_number",
            f"{other} is the same bill (same vendor and invoice number); keep one manifest",
        )
        return False
    return True


def _match(ctx: PlanContext, desired: DesiredBill, vendor_id: str) -> Bill | None:
    entry = ctx.state.resources.get(desired.address)
    live: Bill | None = None
    if entry is None:
        move = explicit_move(desired, ctx.left_over(addr.BILL), ctx.claimed_by)
        entry = move.entry if move is not None else None
        if move is not None:
            ctx.moves[desired.address] = move
    if entry is not None and entry.ramp_id in ctx.snapshot.bills:
        live = ctx.snapshot.bills[entry.ramp_id]
    else:
        owned = ctx.owned_elsewhere(desired.address) | set(ctx.claimed_by)
        candidates = [
            b for b in ctx.snapshot.bills.values() if b.vendor.id == vendor_id and b.id not in owned
        ]
        found = find_by_key(candidates, desired.invoice_number)
        if len(found) > 1:
            ids = ", ".join(sorted(b.id for b in found))
            message = (
                f"{len(found)} bills of this vendor in Ramp have invoice number "
                f"{desired.invoice_number!r} ({ids}); archive the extra ones in Ramp"
            )
            ctx.problem(desired, "spec.invoice_number", message)
        live = found[0] if found else _archived(candidates, desired)
    if live is not None:
        ctx.claim(live.id, desired.address)
    return live


def _archived(bills: list[Bill], desired: DesiredBill) -> Bill | None:
    """An archived bill with this key: never re-created (that would pay it again)."""
    found = find_by_key(bills, desired.invoice_number, archived=True)
    return found[0] if found else None


class _Refs:
    """A bill's references resolved against Ramp; problems go to the context."""

    def __init__(
        self, ctx: PlanContext, desired: DesiredBill, vendor: Vendor, live: Bill | None
    ) -> None:
        self.ctx, self.desired, self.vendor, self.live = ctx, desired, vendor, live
        self.entity = self._entity()
        self.contact_id = self._contact()
        self.payment = self._payment()

    def _entity(self) -> Entity | None:
        wanted = self.desired.entity
        for entity in self.ctx.snapshot.entities.values():
            if wanted in (entity.id, entity.entity_name):
                return entity
        for entity in self.ctx.snapshot.entities.values():
            if (entity.entity_name or "").casefold() == wanted.casefold():
                return entity
        names = ", ".join(sorted(repr(e.entity_name) for e in self.ctx.snapshot.entities.values()))
        self.ctx.problem(self.desired, "spec.entity", f"no entity {wanted!r} in Ramp ({names})")
        return None

    def _contact(self) -> str | None:
        contacts = self.ctx.snapshot.contacts.get(self.vendor.id, [])
        email = self.desired.contact
        if email is None:
            default = [c for c in contacts if c.is_default] or contacts
            if not default:
                message = f"vendor {self.vendor.name!r} has no contact in Ramp to send the bill to"
                self.ctx.problem(self.desired, "spec.vendor", message)
            return default[0].id if default else None
        found = [c for c in contacts if c.email.strip().lower() == email]
        if not found:
            emails = ", ".join(sorted(c.email for c in contacts)) or "none"
            message = f"{email!r} is not a contact of vendor {self.vendor.name!r} ({emails})"
            self.ctx.problem(self.desired, "spec.contact", message)
            return None
        return found[0].id

    def _payment(self) -> dict[str, Any]:
        resolved = dict(self.desired.payment)
        if "source_account" in resolved:
            resolved["source_account"] = self._source(resolved["source_account"])
        if "vendor_account" in resolved:
            resolved["vendor_account"] = self._vendor_account(resolved["vendor_account"])
        return resolved

    def _source(self, wanted: str) -> str | None:
        if self.entity is None:
            return None
        matches = [
            a
            for a in self.entity.accounts
            if wanted in (a.bank_account_id, a.internal_id)
            or (a.external_name or "").casefold() == wanted.casefold()
        ]
        usable = [a for a in matches if a.usage_type == "BILL_PAY_BANK_ACCOUNT"]
        if usable and usable[0].bank_account_id:
            return usable[0].bank_account_id
        field = "spec.payment.source_account"
        if matches:
            message = (
                f"account {wanted!r} of entity {self.entity.entity_name!r} has usage "
                f"{matches[0].usage_type}, not BILL_PAY_BANK_ACCOUNT"
            )
        else:
            names = sorted(
                repr(a.external_name)
                for a in self.entity.accounts
                if a.usage_type == "BILL_PAY_BANK_ACCOUNT"
            )
            message = (
                f"no bill-pay bank account {wanted!r} on entity {self.entity.entity_name!r} "
                f"({', '.join(names) or 'it has none'})"
            )
        self.ctx.problem(self.desired, field, message)
        return None

    def _vendor_account(self, wanted: str) -> str | None:
        accounts = self.ctx.snapshot.vendor_accounts.get(self.vendor.id, [])
        method = self.desired.payment["method"]
        found = [
            a
            for a in accounts
            if wanted == a.id or (a.account_nickname or "").casefold() == wanted.casefold()
        ]
        field = "spec.payment.vendor_account"
        if not found:
            names = ", ".join(sorted(repr(a.account_nickname) for a in accounts)) or "none"
            message = (
                f"vendor {self.vendor.name!r} has no bank account {wanted!r} ({names}); "
                "Ramp's API cannot add vendor bank accounts"
            )
            self.ctx.problem(self.desired, field, message)
            return None
        if found[0].payment_method != method:
            message = (
                f"vendor bank account {wanted!r} is for {found[0].payment_method}, not {method}"
            )
            self.ctx.problem(self.desired, field, message)
        return found[0].id

    def wanted(self) -> dict[str, Any]:
        """The comparable desired fields, references as Ramp ids."""
        wanted = {
            **self.desired.fields,
            "vendor_id": self.vendor.id,
            "entity_id": self.entity.id if self.entity else None,
            "payment": self.payment,
        }
        if self.desired.contact is not None:
            wanted["contact_id"] = self.contact_id
        return wanted


def _base(desired: DesiredBill, live: Bill | None, action: Action, **kw: Any) -> Change:
    name = bill_view(live)["name"] if live else desired.invoice_number
    return Change(
        address=desired.address,
        kind=addr.BILL,
        action=action,
        name=str(name),
        ramp_id=live.id if live else None,
        key=bill_key(live.vendor.id, desired.invoice_number) if live else None,
        depends_on=tuple(desired.depends_on),
        protect=desired.protect,
        **kw,
    )


def bill_key(vendor_id: str, invoice_number: str) -> str:
    """A bill's adoption key as recorded in the state: its vendor and invoice number."""
    return f"{vendor_id}:{invoice_number}"


def _waiting(desired: DesiredBill) -> Change:
    return _base(desired, None, Action.MANUAL, reason=WAITING_REASON)


def _changes_for_live(
    ctx: PlanContext, desired: DesiredBill, live: Bill, wanted: dict[str, Any]
) -> list[Change]:
    view = bill_view(live)
    ctx.fingerprints[desired.address] = fingerprint(view)
    fields = diff_fields(view, wanted)
    adopting = desired.address not in ctx.state.resources
    if live.paid:
        changes = [_base(desired, live, Action.MANUAL, fields=tuple(fields), reason=PAID_REASON)]
        changes = changes if fields else []
        return changes + ([_base(desired, live, Action.ADOPT)] if adopting else [])
    changes = _manual(desired, live, fields)
    patch = [f for f in fields if _patchable(f)]
    if patch or adopting:
        changes.append(_update(desired, live, view, patch, wanted, adopting))
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
    view: dict[str, Any],
    patch: list[FieldChange],
    wanted: dict[str, Any],
    adopting: bool,
) -> Change:
    body = BillUpdate(**_patch_body(patch, wanted)).to_body() if patch else None
    shown = list(patch)
    if any(f.path in ("line_items", "inventory_line_items") for f in patch):
        after = money.minor_text(bill_total(wanted, live.currency), live.currency)
        shown.append(FieldChange(path="total", before=view["total"], after=after))
    return _base(
        desired,
        live,
        Action.ADOPT if adopting else Action.UPDATE,
        fields=tuple(shown),
        request=body,
        level=Level.BILLS,
    )


def _patch_body(patch: list[FieldChange], wanted: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for f in patch:
        if f.path in _PATCH_KEYS:
            body[_PATCH_KEYS[f.path]] = wanted[f.path]
        elif f.path == "accounting":
            body["accounting_field_selections"] = _selections(wanted["accounting"])
        elif f.path == "line_items":
            body["line_items"] = _lines(wanted["line_items"])
        elif f.path == "inventory_line_items":
            body["inventory_line_items"] = _inventory(wanted["inventory_line_items"])
    return body


def _selections(pairs: list[list[str]]) -> list[dict[str, str]]:
    return [{"field_external_id": f, "field_option_external_id": o} for f, o in pairs]


def _lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for line in lines:
        item: dict[str, Any] = {"amount": line["amount"]}
        if line["memo"] is not None:
            item["memo"] = line["memo"]
        if line["accounting"]:
            item["accounting_field_selections"] = _selections(line["accounting"])
        out.append(item)
    return out


def _inventory(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for line in lines:
        item: dict[str, Any] = {"unit_price": line["unit_price"], "unit_quantity": line["quantity"]}
        if line["memo"] is not None:
            item["memo"] = line["memo"]
        if line["accounting"]:
            item["accounting_field_selections"] = _selections(line["accounting"])
        out.append(item)
    return out


def _create(
    ctx: PlanContext, desired: DesiredBill, vendor: Vendor, refs: _Refs, wanted: dict[str, Any]
) -> Change:
    body = create_body(desired, wanted, refs.contact_id)
    if not ctx.problems:
        body = BillCreate(**body).to_body()  # fails here, at plan time, never at apply
    total = money.minor_text(desired.total_minor, desired.currency)
    shown = {
        "vendor": vendor.name,
        "contact": contact_email(ctx.snapshot, vendor.id, refs.contact_id),
        "entity": refs.entity.entity_name if refs.entity else desired.entity,
        **{k: v for k, v in desired.fields.items() if v not in (None, [])},
        "payment": {k: v for k, v in desired.payment.items()},
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


def create_body(
    desired: DesiredBill, wanted: dict[str, Any], contact_id: str | None
) -> dict[str, Any]:
    """The POST /bills body for a desired bill whose references resolved to `wanted`."""
    f = desired.fields
    body: dict[str, Any] = {
        "vendor_id": wanted["vendor_id"],
        "vendor_contact_id": contact_id,
        "entity_id": wanted["entity_id"],
        "invoice_number": f["invoice_number"],
        "invoice_currency": desired.currency,
        "issued_at": f["issue_date"],
        "due_at": f["due_date"],
        "payment_method": desired.payment["method"],
    }
    details = payments.ramp_details(wanted["payment"])
    if details is not None:
        body["payment_details"] = details
    if f["line_items"]:
        body["line_items"] = _lines(f["line_items"])
    if f["inventory_line_items"]:
        body["inventory_line_items"] = _inventory(f["inventory_line_items"])
    if f["accounting"]:
        body["accounting_field_selections"] = _selections(f["accounting"])
    for name, key in (("memo", "memo"), ("posting_date", "posting_date")):
        if f[name] is not None:
            body[key] = f[name]
    return body
