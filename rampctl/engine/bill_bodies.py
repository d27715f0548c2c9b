"""Ramp's request bodies for a bill, from its typed values (`ResolvedBill`).

Every Ramp name comes from the Bill kind's declaration (`rampctl.model.kinds.bill`):
the bill's fields, its lines' parts and the payment's detail fields.
"""

from __future__ import annotations

from typing import Any

from rampctl.engine.bill_refs import ResolvedBill
from rampctl.engine.changes import FieldChange
from rampctl.model.kinds import BILL, Values
from rampctl.model.kinds.bill import Coding

#: What a live bill's view calls the contact (a Ramp id; the manifest names an email).
CONTACT_ID = "contact_id"
_ALWAYS = ("invoice_number", "currency", "issue_date", "due_date")
_IF_SET = ("line_items", "inventory_line_items", "accounting", "memo", "posting_date")


def create_body(bill: ResolvedBill) -> dict[str, Any]:
    """The POST /bills body."""
    values = bill.values
    body: dict[str, Any] = {
        BILL.field("vendor").ramp: bill.vendor_id,
        BILL.field("contact").ramp: bill.contact_id,
        BILL.field("entity").ramp: bill.entity_id,
        **{BILL.field(name).ramp: getattr(values, name) for name in _ALWAYS},
        BILL.field("payment.method").ramp: values.payment.method,
    }
    details = {
        BILL.field(f"payment.{name}").ramp: value
        for name, value in values.payment.details().items()
    }
    if details:
        body[BILL.field("payment").ramp] = details
    for name in _IF_SET:
        value = getattr(values, name)
        if value:
            body[BILL.field(name).ramp] = ramp_value(name, value)
    return body


def patch_body(bill: ResolvedBill, patch: list[FieldChange]) -> dict[str, Any]:
    """The PATCH body that makes the changed top-level fields of `patch` true."""
    body: dict[str, Any] = {}
    for change in patch:
        if change.path == CONTACT_ID:
            body[BILL.field("contact").ramp] = bill.contact_id
        else:
            value = getattr(bill.values, change.path)
            body[BILL.field(change.path).ramp] = ramp_value(change.path, value)
    return body


def ramp_value(name: str, value: Any) -> Any:
    """A bill field's value as Ramp takes it: codings as selections, lines as objects."""
    if name == "accounting":
        return selections(value)
    if name in ("line_items", "inventory_line_items"):
        return [_part_body(line) for line in value]
    return value


def _part_body(line: Values) -> dict[str, Any]:
    """A line's request object: its set parts by Ramp name."""
    body: dict[str, Any] = {}
    for spec in line.specs():
        value = getattr(line, spec.path)
        if value is not None and value != ():
            body[spec.ramp] = selections(value) if spec.path == "accounting" else value
    return body


def selections(pairs: tuple[Coding, ...]) -> list[dict[str, str]]:
    """Accounting codings as Ramp's `accounting_field_selections`."""
    return [{"field_external_id": f, "field_option_external_id": o} for f, o in pairs]
