"""Planning for Bill manifests: resolve references, match by state id or (vendor, invoice
number), diff, and decide; plus archive/forget of removed bills and the plan's money summary.

Ramp approves API-created bills at once and schedules their payment, so nothing here is
ever sent twice: a bill is matched by its key before any create, payment changes and any
change to a paid bill are `manual`, and a paid bill is never archived (only forgotten).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rampctl.engine.bill_live import bill_view, find_by_key, vendor_bills
from rampctl.engine.changes import Action, Change, FieldChange, Level
from rampctl.engine.context import PlanContext
from rampctl.engine.diff import diff_fields
from rampctl.engine.moves import explicit_move
from rampctl.engine.snapshot import Snapshot, read_contacts
from rampctl.engine.view import fingerprint
from rampctl.errors import RampNotFoundError
from rampctl.model import address as addr
from rampctl.model import money, payments
from rampctl.model.bills import DesiredBill, bill_total
from rampctl.ramp.client import RampClient
from rampctl.ramp.models import Bill, BillCreate, BillUpdate, Entity, Vendor
from rampctl.state.model import ResourceState

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
PAID_FORGET_REASON = "paid bills cannot be archived: rampctl stops tracking it; Ramp is not touched"
GONE_REASON = "already archived or gone from Ramp; only the state entry is removed"
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


# --- reading -------------------------------------------------------------------------------


def vendor_id_of(ctx: PlanContext, desired: DesiredBill) -> str | None:
    """The Ramp id of a bill's vendor: given, or that of its Vendor manifest's live vendor."""
    if desired.vendor_id is not None:
        return desired.vendor_id
    vendor = ctx.graph.vendors.get(desired.vendor_address or "")
    live = ctx.match_vendor(vendor) if vendor is not None else None
    return live.id if live is not None else None


def read_bill_inputs(client: RampClient, ctx: PlanContext) -> None:
    """Read what bill planning needs: bills, contacts and bank accounts of the vendors that
    bills (in manifests or state) reference, and state-managed bills missing from the lists."""
    snapshot = ctx.snapshot
    vendors: set[str] = set()
    banks: set[str] = set()
    for desired in ctx.graph.bills.values():
        vendor_id = vendor_id_of(ctx, desired)
        if vendor_id is not None and vendor_id in snapshot.vendors:
            vendors.add(vendor_id)
            if desired.payment["method"] in payments.BANK_METHODS:
                banks.add(vendor_id)
    for entry in ctx.state.resources.values():
        if entry.kind == addr.BILL and entry.attributes.get("vendor_id"):
            vendors.add(str(entry.attributes["vendor_id"]))
    read_contacts(client, snapshot, vendors - set(snapshot.contacts))
    calls: dict[str, Any] = {f"bills:{v}": _lister(client, v) for v in sorted(vendors)}
    calls |= {f"banks:{v}": _banks(client, v) for v in sorted(banks)}
    results = client.run_concurrently(calls)
    for name, value in results.items():
        kind, _, vendor_id = name.partition(":")
        if kind == "bills":
            snapshot.bills.update({b.id: b for b in value})
        else:
            snapshot.vendor_accounts[vendor_id] = value
    missing = [
        e.ramp_id
        for e in ctx.state.resources.values()
        if e.kind == addr.BILL and e.ramp_id not in snapshot.bills
    ]
    read_bills_by_id(client, snapshot.bills, missing)


def read_bills_by_id(client: RampClient, into: dict[str, Bill], ids: list[str]) -> None:
    """Add the bills with these ids (archived ones included; gone ones left out)."""

    def one(bill_id: str) -> Any:
        def read() -> Bill | None:
            try:
                return client.get_bill(bill_id)
            except RampNotFoundError:
                return None

        return read

    found = client.run_concurrently({i: one(i) for i in sorted(set(ids))})
    into.update({i: b for i, b in found.items() if b is not None})


def _lister(client: RampClient, vendor_id: str) -> Any:
    return lambda: vendor_bills(client, vendor_id)


def _banks(client: RampClient, vendor_id: str) -> Any:
    return lambda: client.list_vendor_bank_accounts(vendor_id)


# --- planning ------------------------------------------------------------------------------


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
        "contact": _contact_email(ctx.snapshot, vendor.id, refs.contact_id),
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


def _contact_email(snapshot: Snapshot, vendor_id: str, contact_id: str | None) -> str | None:
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


# --- removals ------------------------------------------------------------------------------


def plan_bill_removal(ctx: PlanContext, address: str, entry: ResourceState) -> Change:
    """Archive an unpaid bill no manifest declares; forget a paid or gone one."""
    live = ctx.snapshot.bills.get(entry.ramp_id)
    base = ctx.forget_change(address, entry, GONE_REASON)
    if live is None or live.archived_at is not None:
        return base
    view = bill_view(live)
    moved = ctx.moved_to(live.id)
    if moved is not None:  # the manifest was renamed: a move, never an archive and a re-create
        return replace(
            base,
            name=view["name"],
            protect=False,
            reason=f"now managed as {moved}; Ramp is not touched",
        )
    ctx.fingerprints[address] = fingerprint(view)
    if live.paid:
        return replace(base, name=view["name"], reason=PAID_FORGET_REASON)
    return replace(
        base,
        action=Action.ARCHIVE,
        name=view["name"],
        reason="Ramp's delete archives the bill and cancels its scheduled payment",
        level=Level.BILL_REMOVALS,
    )


def read_change_bills(client: RampClient, snapshot: Snapshot, changes: list[Change]) -> None:
    """Read the live bills a saved plan's bill changes target (by id, and by vendor for
    creates), so the freshness check can compare them."""
    ids = [c.ramp_id for c in changes if c.kind == addr.BILL and c.ramp_id]
    vendors = {
        str(c.request["vendor_id"])
        for c in changes
        if c.kind == addr.BILL and c.action is Action.CREATE and c.request
    }
    found = client.run_concurrently({v: _lister(client, v) for v in sorted(vendors)})
    for bills in found.values():
        snapshot.bills.update({b.id: b for b in bills})
    read_bills_by_id(client, snapshot.bills, [i for i in ids if i not in snapshot.bills])


# --- import --------------------------------------------------------------------------------


def import_bills(
    client: RampClient,
    snapshot: Snapshot,
    *,
    since: str,
    vendor_names: dict[str, str],
) -> list[dict[str, Any]]:
    """Open bills issued on or after `since` (YYYY-MM-DD) as Bill manifest documents.

    `vendor_names` maps Ramp vendor ids to the metadata names of their Vendor manifests;
    other vendors are referenced by `{id: ...}`. Contacts, bank accounts and accounting
    codings are written by email, name and external id, as a person would write them.
    """
    bills = client.list_bills(payment_status="OPEN", from_issued_date=f"{since}T00:00:00Z")
    vendor_ids = sorted({b.vendor.id for b in bills})
    read_contacts(client, snapshot, [v for v in vendor_ids if v not in snapshot.contacts])
    banks = client.run_concurrently({v: _banks(client, v) for v in vendor_ids})
    names: set[str] = set()
    return [
        _manifest(bill, snapshot, banks.get(bill.vendor.id, []), vendor_names, names)
        for bill in sorted(bills, key=lambda b: (b.vendor.name or "", b.invoice_number or ""))
    ]


def _manifest(
    bill: Bill,
    snapshot: Snapshot,
    banks: list[Any],
    vendor_names: dict[str, str],
    taken: set[str],
) -> dict[str, Any]:
    view = bill_view(bill)
    vendor: Any = vendor_names.get(bill.vendor.id) or {"id": bill.vendor.id}
    spec: dict[str, Any] = {"vendor": vendor}
    contact = _contact_email(snapshot, bill.vendor.id, bill.vendor_contact_id)
    if contact:
        spec["contact"] = contact
    entity = snapshot.entities.get(bill.entity_id or "")
    spec["entity"] = (entity.entity_name if entity else None) or bill.entity_id
    for key in ("invoice_number", "currency", "issue_date", "due_date", "posting_date", "memo"):
        if view[key] is not None:
            spec[key] = view[key]
    if view["accounting"]:
        spec["accounting"] = [{"field": f, "option": o} for f, o in view["accounting"]]
    for key in ("line_items", "inventory_line_items"):
        if view[key]:
            spec[key] = [_imported_line(line) for line in view[key]]
    spec["payment"] = _imported_payment(view["payment"], entity, banks)
    name = _unique(_slug(f"{view['name']}"), taken)
    return {"apiVersion": "rampctl/v1", "kind": "Bill", "metadata": {"name": name}, "spec": spec}


def _imported_line(line: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in line.items() if k != "accounting" and v is not None}
    if line["accounting"]:
        out["accounting"] = [{"field": f, "option": o} for f, o in line["accounting"]]
    return out


def _imported_payment(
    payment: dict[str, Any], entity: Entity | None, banks: list[Any]
) -> dict[str, Any]:
    out = {k: v for k, v in payment.items() if v is not None}
    sources = {a.bank_account_id: a.external_name for a in (entity.accounts if entity else [])}
    if out.get("source_account") in sources and sources[out["source_account"]]:
        out["source_account"] = sources[out["source_account"]]
    nicknames = {a.id: a.account_nickname for a in banks}
    if out.get("vendor_account") in nicknames and nicknames[out["vendor_account"]]:
        out["vendor_account"] = nicknames[out["vendor_account"]]
    if out.get("method") in ("ONE_TIME_CARD", "ONE_TIME_CARD_DELIVERY"):
        out = {"method": out["method"]}  # Ramp makes the card; nothing to declare
    return out


def _slug(text: str) -> str:
    slug = "".join(c if c.isalnum() else "-" for c in text.lower())
    slug = "-".join(part for part in slug.split("-") if part)
    return slug[:56].strip("-") or "bill"


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}-{n}", n + 1
    taken.add(candidate)
    return candidate
