"""The Bill kind: a bill to pay a vendor, Ramp's `/bills`.

`BillValues` declares the fields a bill's plan compares (and writes), each once: Ramp's
name and rules (see `FieldSpec`); lines, codings and the payment are typed and frozen too.
The plain fields (`BillPlainFields`) and the lines are declared once for both sides:
`BillValues` (the manifest's) and `LiveBillValues` (Ramp's) take them by inheritance.
The references (vendor, contact, entity) are written by name in a manifest and resolved
to Ramp ids by the engine (`rampctl.engine.bill_refs`). The manifest's spec model derives
its plain fields from these declarations (`rampctl.manifest.specs`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import JsonValue

from rampctl.model import address as addr
from rampctl.model import normalise as norm
from rampctl.model.kinds.spec import Input, KindSpec, Values, declared

#: The default of a field every value must give (no default).
REQUIRED = dataclasses.MISSING
#: An accounting coding: (field external id, option external id); a bill's are sorted.
Coding = tuple[str, str]


@dataclass(frozen=True, kw_only=True)
class BillLineValues(Values):
    """A bill line with an amount (canonical decimal text with the currency's digits)."""

    amount: str = declared("amount", default=REQUIRED)
    memo: str | None = declared("memo", normalise=norm.text)
    accounting: tuple[Coding, ...] = declared("accounting_field_selections", default=())


@dataclass(frozen=True, kw_only=True)
class InventoryLineValues(Values):
    """An inventory bill line: quantity x unit price (decimal text)."""

    unit_price: str = declared("unit_price", default=REQUIRED)
    quantity: int = declared("unit_quantity", default=REQUIRED)
    memo: str | None = declared("memo", normalise=norm.text)
    accounting: tuple[Coding, ...] = declared("accounting_field_selections", default=())


@dataclass(frozen=True, kw_only=True)
class BillPaymentValues(Values):
    """How the bill is paid: the method and its detail fields (`rampctl.model.payments`)."""

    method: str = declared("payment_method", default=REQUIRED)
    source_account: str | None = declared("source_bank_account_id")
    vendor_account: str | None = declared("vendor_account_id")
    arrival_date: str | None = declared("payment_arrival_date")
    spend_limit_id: str | None = declared("spend_limit_id")
    transaction_id: str | None = declared("transaction_id")
    manual_method: str | None = declared("manual_payment_method")
    payment_date: str | None = declared("payment_date")

    def as_dict(self) -> dict[str, JsonValue]:
        """The method and the details it has (an absent detail is no key, as Ramp shows it)."""
        return {k: v for k, v in super().as_dict().items() if v is not None or k == "method"}

    def details(self) -> dict[str, str]:
        """The detail fields present, by manifest name."""
        return {k: v for k, v in self.as_dict().items() if k != "method" and isinstance(v, str)}


@dataclass(frozen=True, kw_only=True)
class BillReferences(Values):
    """The objects a manifest's bill names (vendor, contact, entity), as it writes them.

    A Vendor manifest's name or a Ramp id, an email, an entity's name or id; the engine
    resolves them to Ramp ids, so they are not part of the compared view (`view=False`).
    """

    vendor: str = declared(
        "vendor_id", default=REQUIRED, reference="vendor", update=False, view=False
    )
    contact: str | None = declared(
        "vendor_contact_id",
        normalise=norm.email,
        reference="contact",
        view=False,
        description="Vendor contact by email; default: the vendor's default contact.",
    )
    entity: str = declared(
        "entity_id",
        default=REQUIRED,
        reference="entity",
        update=False,
        view=False,
        input=Input.NONEMPTY,
        required=True,
        description="The entity paying: its name in Ramp or its id.",
    )


#: A value a manifest must give (`str` in `BillValues`) that Ramp may leave empty
#: (`str | None` in `LiveBillValues`).
Given = TypeVar("Given", bound=str | None)


@dataclass(frozen=True, kw_only=True)
class BillPlainFields(Values, Generic[Given]):
    """A bill's plain fields: one Ramp value each, read and written through its normaliser.

    Declared once, here: `BillValues` and `LiveBillValues` both take them, and the manifest's
    bill, the live view and the request bodies read and write them generically from these
    declarations (`PLAIN_FIELDS`). A new plain field of a bill is a declaration here.
    """

    invoice_number: Given = declared(
        "invoice_number",
        default=REQUIRED,
        normalise=norm.text,
        input=Input.NONEMPTY,
        required=True,
        max_length=20,
        description="The vendor's invoice number (at most 20 characters); with the vendor it "
        "identifies the bill, so a lost create is found again instead of sent twice.",
    )
    currency: str = declared(
        "invoice_currency",
        default=REQUIRED,
        input=Input.CURRENCY,
        required=True,
        description="ISO 4217 invoice currency, e.g. `USD`.",
    )
    issue_date: Given = declared(
        "issued_at",
        default=REQUIRED,
        input=Input.DATE,
        required=True,
        description="Invoice date, YYYY-MM-DD.",
    )
    due_date: Given = declared(
        "due_at",
        default=REQUIRED,
        input=Input.DATE,
        required=True,
        description="Due date, YYYY-MM-DD, on or after the issue date.",
    )
    posting_date: str | None = declared(
        "posting_date", input=Input.DATE, description="Accounting posting date."
    )
    memo: str | None = declared(
        "memo", normalise=norm.text, max_length=1000, description="Memo on the bill."
    )


@dataclass(frozen=True, kw_only=True)
class BillLineFields(Values):
    """A bill's codings and lines, the same on the manifest's side and on Ramp's."""

    accounting: tuple[Coding, ...] = declared("accounting_field_selections", default=())
    line_items: tuple[BillLineValues, ...] = declared(
        "line_items", default=(), parts_of=BillLineValues
    )
    inventory_line_items: tuple[InventoryLineValues, ...] = declared(
        "inventory_line_items", default=(), parts_of=InventoryLineValues
    )


#: The plain fields of a bill, in declaration order.
PLAIN_FIELDS = BillPlainFields.specs()


@dataclass(frozen=True, kw_only=True)
class BillValues(BillLineFields, BillPlainFields[str], BillReferences):
    """A bill's fields in manifest order (references, plain fields, codings and lines, the
    payment); with the vendor, `invoice_number` is the key."""

    payment: BillPaymentValues = declared(
        "payment_details", default=REQUIRED, parts_of=BillPaymentValues
    )

    def comparable(self) -> dict[str, JsonValue]:
        """The JSON form plan compares with a live bill's view (the payment apart)."""
        return {k: v for k, v in self.as_dict().items() if k != "payment"}


@dataclass(frozen=True, kw_only=True)
class LivePaymentValues(Values):
    """A live bill's payment in the vocabulary of `BillPaymentValues` (the same detail fields).

    `method` is None when Ramp shows no payment. `shown` names the detail fields of the
    `payment_details` variant Ramp holds (a manual payment, a card, a bank transfer): the
    record form lists those, null ones included, and no others.
    """

    method: str | None = declared("payment_method")
    source_account: str | None = declared("source_bank_account_id")
    vendor_account: str | None = declared("vendor_account_id")
    arrival_date: str | None = declared("payment_arrival_date")
    spend_limit_id: str | None = declared("spend_limit_id")
    transaction_id: str | None = declared("transaction_id")
    manual_method: str | None = declared("manual_payment_method")
    payment_date: str | None = declared("payment_date")
    shown: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, JsonValue]:
        """The method and the detail fields of Ramp's variant (what the state records)."""
        found: dict[str, JsonValue] = {"method": self.method}
        for name in self.shown:
            found[name] = getattr(self, name)
        return found

    @property
    def pays_on(self) -> str | None:
        """When the payment arrives or was made (YYYY-MM-DD), if Ramp says."""
        return self.arrival_date or self.payment_date


@dataclass(frozen=True, kw_only=True)
class LiveReferences(Values):
    """The objects a live bill names, as Ramp ids (as a `ResolvedBill` has them), and the
    name plans show for it (Ramp's alone)."""

    name: str = declared("vendor", default=REQUIRED, manifest=False)
    vendor_id: str = declared("vendor_id", default=REQUIRED)
    contact_id: str | None = declared("vendor_contact_id")
    entity_id: str | None = declared("entity_id")


@dataclass(frozen=True, kw_only=True)
class LiveBillValues(BillLineFields, BillPlainFields[str | None], LiveReferences):
    """A bill as Ramp holds it, in the vocabulary of `BillValues`, normalised the same way.

    The compared fields carry `BillValues`' names, Ramp names and types (lines and codings
    are the same classes); Ramp may leave a date or the invoice number empty, so those may
    be None here. The references are Ramp ids (`vendor_id`, `contact_id`, `entity_id`, as a
    `ResolvedBill` has them); `name`, `total`, `status` and `archived` are Ramp's alone.
    `as_dict` is the record form: what the state holds, fingerprints hash and diffs read.
    """

    total: str = declared("amount", default=REQUIRED, manifest=False)
    payment: LivePaymentValues = declared(
        "payment_details", default=REQUIRED, parts_of=LivePaymentValues
    )
    status: str | None = declared("status", manifest=False)
    archived: bool = declared("archived_at", default=False, manifest=False)


BILL = KindSpec(
    kind=addr.BILL,
    manifest_kind="Bill",
    key="invoice_number",
    settings=("protect",),
    fields=BillValues.specs(),
    values=BillValues,
)
"""Bill fields in manifest order; with the vendor, `invoice_number` identifies the bill.

Bill values are built by `rampctl.model.bills` and compared by `rampctl.engine.bill_plan`;
this declaration is what the spec model, the JSON Schema and Ramp's request models are
checked against (`tests/model/test_kinds.py`).
"""
