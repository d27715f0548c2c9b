"""The Bill kind: a bill to pay a vendor, Ramp's `/bills`."""

from __future__ import annotations

from rampctl.model import address as addr
from rampctl.model import normalise as norm
from rampctl.model.kinds.spec import FieldSpec, KindSpec
from rampctl.model.payments import DETAIL_FIELDS

_LINE = (
    FieldSpec(path="amount", ramp="amount"),
    FieldSpec(path="memo", ramp="memo", normalise=norm.text),
    FieldSpec(path="accounting", ramp="accounting_field_selections"),
)
_INVENTORY_LINE = (
    FieldSpec(path="unit_price", ramp="unit_price"),
    FieldSpec(path="quantity", ramp="unit_quantity"),
    FieldSpec(path="memo", ramp="memo", normalise=norm.text),
    FieldSpec(path="accounting", ramp="accounting_field_selections"),
)
_PAYMENT = (
    FieldSpec(path="method", ramp="payment_method"),
    *(FieldSpec(path=name, ramp=ramp) for name, ramp in DETAIL_FIELDS.items()),
)

BILL = KindSpec(
    kind=addr.BILL,
    manifest_kind="Bill",
    key="invoice_number",
    settings=("protect",),
    fields=(
        FieldSpec(path="vendor", ramp="vendor_id", reference="vendor", update=False),
        FieldSpec(
            path="contact", ramp="vendor_contact_id", normalise=norm.email, reference="contact"
        ),
        FieldSpec(path="entity", ramp="entity_id", reference="entity", update=False),
        FieldSpec(path="invoice_number", ramp="invoice_number", normalise=norm.text),
        FieldSpec(path="currency", ramp="invoice_currency"),
        FieldSpec(path="issue_date", ramp="issued_at"),
        FieldSpec(path="due_date", ramp="due_at"),
        FieldSpec(path="posting_date", ramp="posting_date"),
        FieldSpec(path="memo", ramp="memo", normalise=norm.text),
        FieldSpec(path="accounting", ramp="accounting_field_selections"),
        FieldSpec(path="line_items", ramp="line_items", parts=_LINE),
        FieldSpec(path="inventory_line_items", ramp="inventory_line_items", parts=_INVENTORY_LINE),
        FieldSpec(path="payment", ramp="payment_details", parts=_PAYMENT),
    ),
)
"""Bill fields in manifest order; with the vendor, `invoice_number` identifies the bill.

Bill values are built by `rampctl.model.bills` (amounts, codings and payment details have
their own normalisers there) and compared by `rampctl.engine.bill_plan`; this declaration
is what the spec model, the JSON Schema and Ramp's request models are checked against.
"""
