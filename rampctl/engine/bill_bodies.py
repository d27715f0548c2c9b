"""Ramp's request bodies for a bill, from its typed values (`ResolvedBill`).

Every Ramp name comes from the Bill kind's declaration (`rampctl.model.kinds.bill`):
the bill's fields, its lines' parts and the payment's detail fields.
"""

from __future__ import annotations

from pydantic import JsonValue

from rampctl.engine.bill_refs import ResolvedBill
from rampctl.engine.changes import Body, FieldChange
from rampctl.model.kinds import BILL, Values
from rampctl.model.kinds.bill import PLAIN_FIELDS, BillValues, Coding

#: What a live bill's view calls the contact (a Ramp id; the manifest names an email).
CONTACT_ID = "contact_id"
#: Plain fields a create always carries: those a manifest must give, in declaration order.
_ALWAYS = tuple(field.path for field in PLAIN_FIELDS if field.required)
#: Fields a create carries when set: lines and codings, then the other plain fields by name.
_OPTIONAL = sorted(field.path for field in PLAIN_FIELDS if not field.required)
_IF_SET = ("line_items", "inventory_line_items", "accounting", *_OPTIONAL)


def create_body(bill: ResolvedBill) -> Body:
    """The POST /bills body."""
    values = bill.values
    body: Body = {
        BILL.field("vendor").ramp: bill.vendor_id,
        BILL.field("contact").ramp: bill.contact_id,
        BILL.field("entity").ramp: bill.entity_id,
        **{BILL.field(name).ramp: getattr(values, name) for name in _ALWAYS},
        BILL.field("payment.method").ramp: values.payment.method,
    }
    details: Body = {
        BILL.field(f"payment.{name}").ramp: value
        for name, value in values.payment.details().items()
    }
    if details:
        body[BILL.field("payment").ramp] = details
    for name in _IF_SET:
        if getattr(values, name):
            body[BILL.field(name).ramp] = ramp_value(values, name)
    return body


def patch_body(bill: ResolvedBill, patch: list[FieldChange]) -> Body:
    """The PATCH body that makes the changed top-level fields of `patch` true."""
    body: Body = {}
    for change in patch:
        if change.path == CONTACT_ID:
            body[BILL.field("contact").ramp] = bill.contact_id
        else:
            body[BILL.field(change.path).ramp] = ramp_value(bill.values, change.path)
    return body


def ramp_value(values: BillValues, name: str) -> JsonValue:
    """A bill field's value as Ramp takes it: codings as selections, lines as objects."""
    if name == "accounting":
        return selections(values.accounting)
    if name == "line_items":
        return [_part_body(line) for line in values.line_items]
    if name == "inventory_line_items":
        return [_part_body(line) for line in values.inventory_line_items]
    scalar: str | None = getattr(values, name)  # a plain field (`PLAIN_FIELDS`): text
    return scalar


def _part_body(line: Values) -> Body:
    """A line's request object: its set parts by Ramp name."""
    body: Body = {}
    for spec in line.specs():
        value = getattr(line, spec.path)
        if value is not None and value != ():
            body[spec.ramp] = selections(value) if spec.path == "accounting" else value
    return body


def selections(pairs: tuple[Coding, ...]) -> list[JsonValue]:
    """Accounting codings as Ramp's `accounting_field_selections`."""
    return [{"field_external_id": f, "field_option_external_id": o} for f, o in pairs]
