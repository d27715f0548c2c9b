"""Typed Ramp objects: what rampctl reads (responses) and what it sends (request bodies).

Response models keep Ramp's JSON field names, ignore fields they do not know (Ramp adds
fields over time) and are immutable. Request models forbid unknown fields, refuse `None` for
fields Ramp's schema does not allow to be null, and serialise only the fields that were set
(`to_body()`), so a request never carries a field the API does not take.

Vendor PATCH cannot clear an accounting link: Ramp's update schema types
`accounting_vendor_remote_id` and `vendor_tracking_category_option_id` as non-nullable
strings, so `VendorUpdate` refuses `None` for them; relinking to another accounting vendor is
allowed. `vendor_owner_id` on update is outside Ramp's documented update schema (connectors
report it is accepted); it is sent only when set. Vendor create takes no `description`;
the engine sets it with a PATCH after the create. `name` on update and contact creation are
Ramp's 2026 API (a 2025 Ramp refuses them); an update held by a vendor approval policy comes
back with the old values and `pending_update` set (`Vendor.is_pending_approval`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

PaymentMethod = Literal[
    "ACH",
    "CARD",
    "CHECK",
    "DOMESTIC_WIRE",
    "INTERNATIONAL",
    "ONE_TIME_CARD",
    "ONE_TIME_CARD_DELIVERY",
    "PAID_MANUALLY",
    "SWIFT",
    "UNSPECIFIED",
    "VENDOR_CREDIT",
]
AssignableRole = Literal[
    "AUDITOR",
    "BUSINESS_ADMIN",
    "BUSINESS_BOOKKEEPER",
    "BUSINESS_USER",
    "GUEST_USER",
    "IT_ADMIN",
]
"""The roles Ramp accepts on invite and update (`BUSINESS_OWNER` and `UNBUNDLED_*` are not)."""
ManualPaymentMethod = Literal[
    "CASH",
    "CHECK",
    "CROSS_BORDER_PAYMENT",
    "DIRECT_DEBIT",
    "DOMESTIC_WIRE_TRANSFER",
    "NON_RAMP_CREDIT_CARD",
    "OTHER",
    "PAID_IN_ERP",
]


class RampObject(BaseModel):
    """Base of response models: unknown fields ignored, values immutable."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class PostalAddress(RampObject):
    """A postal address as Ramp returns it on a vendor."""

    address_line_1: str | None = None
    address_line_2: str | None = None
    city: str | None = None
    country: str | None = None
    postal_code: str | None = None
    state: str | None = None


class CurrencyAmount(RampObject):
    """Money in minor units (cents) with its ISO-4217 currency."""

    amount: int
    currency_code: str = "USD"


class VendorPendingUpdate(RampObject):
    """A vendor update held by an approval policy: the new values, not yet in force."""

    status: str = "PENDING_APPROVAL"
    requested_at: str | None = None
    fields: dict[str, Any] = Field(default_factory=dict)


class Vendor(RampObject):
    """A bill-pay vendor (payee)."""

    id: str
    name: str
    name_legal: str | None = None
    description: str | None = None
    country: str | None = None
    state: str | None = None
    address: PostalAddress | None = None
    accounting_vendor_remote_id: str | None = None
    vendor_owner_id: str | None = None
    contacts: list[str] = Field(default_factory=list)
    is_active: bool = True
    is_deletable: bool = False
    external_vendor_id: str | None = None
    created_at: str | None = None
    pending_update: VendorPendingUpdate | None = None

    @property
    def is_pending_approval(self) -> bool:
        """True when an update of this vendor waits for approval in Ramp."""
        return self.pending_update is not None


class VendorContact(RampObject):
    """A contact person of a vendor; `approval_status` is set by Ramp's 2026 API."""

    id: str
    email: str
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    is_default: bool = False
    approval_status: str | None = None

    @property
    def is_pending_approval(self) -> bool:
        """True when the contact waits for approval (not yet in force)."""
        return self.approval_status == "pending_approval"


class VendorBankAccount(RampObject):
    """A vendor's payment account; Ramp never returns the account numbers."""

    id: str
    currency: str
    payment_method: str
    account_nickname: str | None = None
    is_default: bool | None = None


class AccountingConnection(RampObject):
    """The business's accounting (ERP) connection."""

    id: str
    is_active: bool
    remote_provider_name: str | None = None
    status: str | None = None
    created_at: str | None = None
    last_linked_at: str | None = None


class AccountingVendor(RampObject):
    """An accounting vendor (ERP coding option); `id` is the remote/ERP id, `ramp_id` Ramp's."""

    ramp_id: str
    id: str | None = None
    name: str
    code: str | None = None
    is_active: bool = True
    is_synced: bool | None = None
    created_at: str | None = None
    updated_at: str | None = None


class Department(RampObject):
    """A department of the business (`GET /departments`)."""

    id: str
    name: str


class Location(RampObject):
    """A location of the business (`GET /locations`), in one entity."""

    id: str
    name: str
    entity_id: str | None = None


class User(RampObject):
    """A Ramp user (vendor owners are users); `INVITE_PENDING` users exist already."""

    id: str
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    role: str | None = None
    status: str | None = None
    entity_id: str | None = None
    department_id: str | None = None
    location_id: str | None = None
    manager_id: str | None = None
    employee_id: str | None = None
    is_manager: bool | None = None


class UserTaskData(RampObject):
    """What a user invite task produced: the user's id, or an error message."""

    user_id: str | None = None
    error: str | None = None


class UserTask(RampObject):
    """A deferred user task (an invite): STARTED, IN_PROGRESS, then ERROR or SUCCESS."""

    id: str
    status: str
    data: UserTaskData = Field(default_factory=UserTaskData)

    @property
    def finished(self) -> bool:
        """True once the task succeeded or failed."""
        return self.status in ("SUCCESS", "ERROR")

    @property
    def user_id(self) -> str | None:
        """The invited user's id once the task succeeded."""
        return self.data.user_id if self.status == "SUCCESS" else None


class EntityAccount(RampObject):
    """A ledger/bank account of an entity; bill-pay sources have BILL_PAY_BANK_ACCOUNT."""

    internal_id: str | None = None
    bank_account_id: str | None = None
    usage_type: str | None = None
    classification: str | None = None
    external_id: str | None = None
    external_name: str | None = None


class Entity(RampObject):
    """A legal entity of the business."""

    id: str
    entity_name: str | None = None
    currency: str | None = None
    is_primary: bool | None = None
    accounts: list[EntityAccount] = Field(default_factory=list)


class Business(RampObject):
    """The Ramp business the credentials belong to."""

    id: str
    business_name_legal: str | None = None
    business_name_on_card: str | None = None
    active: bool | None = None

    @property
    def name(self) -> str | None:
        """The business's legal name (or its card name)."""
        return self.business_name_legal or self.business_name_on_card


class BillVendor(RampObject):
    """The vendor summary embedded in a bill."""

    id: str
    name: str | None = None
    remote_id: str | None = None
    remote_name: str | None = None


class AccountingCategoryInfo(RampObject):
    """The accounting field a coding belongs to."""

    id: str | None = None
    external_id: str | None = None
    name: str | None = None
    type: str | None = None


class AccountingFieldSelection(RampObject):
    """An accounting coding on a bill or line item: an option of a field, by external ids."""

    id: str | None = None
    external_id: str | None = None
    name: str | None = None
    category_info: AccountingCategoryInfo | None = None


class BillLineItem(RampObject):
    """One line of a bill, in minor units."""

    amount: CurrencyAmount
    memo: str | None = None
    accounting_field_selections: list[AccountingFieldSelection] = Field(default_factory=list)


class BillInventoryLineItem(RampObject):
    """An inventory line of a bill (quantity x unit price), in minor units."""

    amount: CurrencyAmount
    unit_price: CurrencyAmount
    unit_quantity: int = 0
    memo: str | None = None
    accounting_field_selections: list[AccountingFieldSelection] = Field(default_factory=list)


class BillPayment(RampObject):
    """How and when a bill is (or was) paid."""

    amount: CurrencyAmount | None = None
    payment_method: str | None = None
    payment_date: str | None = None
    effective_date: str | None = None
    details: dict[str, Any] | None = None


class Bill(RampObject):
    """A bill as Ramp returns it."""

    id: str
    vendor: BillVendor
    vendor_contact_id: str | None = None
    entity_id: str | None = None
    invoice_number: str | None = None
    invoice_currency: str | None = None
    amount: CurrencyAmount
    status: str | None = None
    approval_status: str | None = None
    sync_status: str | None = None
    archived_at: str | None = None
    issued_at: str | None = None
    due_at: str | None = None
    paid_at: str | None = None
    posting_date: str | None = None
    created_at: str | None = None
    memo: str | None = None
    remote_id: str | None = None
    line_items: list[BillLineItem] = Field(default_factory=list)
    inventory_line_items: list[BillInventoryLineItem] = Field(default_factory=list)
    accounting_field_selections: list[AccountingFieldSelection] = Field(default_factory=list)
    payment: BillPayment | None = None

    @property
    def paid(self) -> bool:
        """Whether Ramp marks the bill paid."""
        return self.status == "PAID"

    @property
    def currency(self) -> str:
        """The invoice currency (that of the amount)."""
        return self.amount.currency_code


class RampRequest(BaseModel):
    """Base of request bodies: only set fields are sent, `None` only where Ramp allows null."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _no_forbidden_nulls(self) -> RampRequest:
        for name in self.model_fields_set:
            if getattr(self, name) is None and name not in self.NULLABLE:
                raise ValueError(f"{name} cannot be null in Ramp's API; leave it unset instead")
        return self

    def to_body(self) -> dict[str, Any]:
        """The JSON body: set fields only, dates as ISO strings."""
        return self.model_dump(mode="json", exclude_unset=True)


class ContactCreate(RampRequest):
    """The vendor contact created with a vendor (`business_vendor_contacts`)."""

    email: str
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None


class AddressInput(RampRequest):
    """A vendor address in a create or update request."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset({"address_line_2", "country", "state"})
    address_line_1: str
    address_line_2: str | None = None
    city: str
    postal_code: str
    state: str | None = None
    country: str | None = None


class _VendorLink(RampRequest):
    accounting_vendor_remote_id: str | None = None
    vendor_tracking_category_option_id: str | None = None

    @model_validator(mode="after")
    def _one_link(self) -> _VendorLink:
        if {"accounting_vendor_remote_id", "vendor_tracking_category_option_id"} <= {
            n for n in self.model_fields_set if getattr(self, n) is not None
        }:
            raise ValueError(
                "give at most one of accounting_vendor_remote_id and "
                "vendor_tracking_category_option_id"
            )
        return self


class VendorCreate(_VendorLink):
    """Body of POST /vendors (Ramp's create takes no description: set it with a PATCH)."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset({"state"})
    name: str
    country: str
    vendor_owner_id: str
    business_vendor_contacts: ContactCreate
    state: str | None = None
    address: AddressInput | None = None
    external_vendor_id: str | None = None


class VendorUpdate(_VendorLink):
    """Body of PATCH /vendors/{id}; see the module docstring for what it cannot clear."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset({"state"})
    country: str | None = None
    state: str | None = None
    description: str | None = None
    address: AddressInput | None = None
    is_active: bool | None = None
    vendor_owner_id: str | None = None
    external_vendor_id: str | None = None
    name: str | None = Field(default=None, min_length=1)


class VendorContactInput(RampRequest):
    """Body of POST /vendors/{id}/contacts (Ramp's 2026 API)."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset({"first_name", "last_name", "phone"})
    email: str
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    is_default: bool | None = None


class UserInvite(RampRequest):
    """Body of POST /users/deferred; the same `idempotency_key` names the same invite."""

    email: str
    first_name: str = Field(min_length=1, max_length=255)
    last_name: str = Field(min_length=1, max_length=255)
    role: AssignableRole
    idempotency_key: str = Field(min_length=1)
    department_id: str | None = None
    direct_manager_id: str | None = None
    location_id: str | None = None
    employee_id: str | None = Field(default=None, min_length=1)
    is_manager: bool | None = None


class UserUpdate(RampRequest):
    """Body of PATCH /users/{id}: the fields to change (none can be cleared)."""

    first_name: str | None = Field(default=None, min_length=1)
    last_name: str | None = Field(default=None, min_length=1)
    role: AssignableRole | None = None
    department_id: str | None = None
    direct_manager_id: str | None = None
    location_id: str | None = None
    employee_id: str | None = Field(default=None, min_length=1)
    is_manager: bool | None = None
    auto_promote: bool | None = None


class AccountingVendorInput(RampRequest):
    """One accounting vendor to upload: its remote (ERP) id and name."""

    id: str
    name: str


class AccountingVendorUpdate(RampRequest):
    """Body of PATCH /accounting/vendors/{ramp_id}; `code=""` clears the code."""

    name: str | None = None
    code: str | None = None
    reactivate: Literal[True] | None = None


class AccountingFieldInput(RampRequest):
    """An accounting coding by external (ERP) field and option ids."""

    field_external_id: str
    field_option_external_id: str


class BillLineItemInput(RampRequest):
    """A bill line; `amount` is in major units (e.g. 12.50 dollars), as Ramp's schema says."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset({"memo"})
    amount: Decimal = Field(ge=0)
    memo: str | None = None
    accounting_field_selections: list[AccountingFieldInput] | None = None


class BillInventoryLineInput(RampRequest):
    """An inventory bill line in a request: unit price in major units, whole quantity."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset({"memo"})
    unit_price: Decimal = Field(ge=0)
    unit_quantity: int = Field(ge=0)
    memo: str | None = None
    accounting_field_selections: list[AccountingFieldInput] | None = None


class BankPaymentDetails(RampRequest):
    """Payment details for ACH, DOMESTIC_WIRE, INTERNATIONAL and SWIFT bills."""

    payment_arrival_date: dt.date
    source_bank_account_id: str
    vendor_account_id: str


class CheckPaymentDetails(RampRequest):
    """Payment details for CHECK bills."""

    payment_arrival_date: dt.date
    source_bank_account_id: str


class CardPaymentDetails(RampRequest):
    """Payment details for CARD bills."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset({"transaction_id"})
    spend_limit_id: str
    transaction_id: str | None = None


class ManualPaymentDetails(RampRequest):
    """Payment details for PAID_MANUALLY bills."""

    manual_payment_method: ManualPaymentMethod
    payment_date: dt.date


PaymentDetails = (
    BankPaymentDetails | CheckPaymentDetails | CardPaymentDetails | ManualPaymentDetails
)
DETAILS_FOR_METHOD: dict[str, type[RampRequest]] = {
    "ACH": BankPaymentDetails,
    "DOMESTIC_WIRE": BankPaymentDetails,
    "INTERNATIONAL": BankPaymentDetails,
    "SWIFT": BankPaymentDetails,
    "CHECK": CheckPaymentDetails,
    "CARD": CardPaymentDetails,
    "PAID_MANUALLY": ManualPaymentDetails,
}
"""Which payment-details variant each bill payment method takes (Ramp's discriminator)."""


class BillUpdate(RampRequest):
    """Body of PATCH /bills/{id} (Ramp takes no payment details on update)."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset(
        {
            "line_items",
            "inventory_line_items",
            "memo",
            "posting_date",
            "remote_id",
            "purchase_order_id",
        }
    )
    vendor_id: str | None = None
    vendor_contact_id: str | None = None
    entity_id: str | None = None
    invoice_number: str | None = Field(default=None, max_length=20)
    issued_at: dt.date | None = None
    due_at: dt.date | None = None
    payment_method: PaymentMethod | None = None
    line_items: list[BillLineItemInput] | None = None
    inventory_line_items: list[BillInventoryLineInput] | None = None
    accounting_field_selections: list[AccountingFieldInput] | None = None
    memo: str | None = Field(default=None, max_length=1000)
    posting_date: dt.date | None = None
    remote_id: str | None = None
    purchase_order_id: str | None = None


class BillCreate(RampRequest):
    """Body of POST /bills."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset(
        {
            "line_items",
            "inventory_line_items",
            "memo",
            "posting_date",
            "remote_id",
            "payment_details",
        }
    )
    vendor_id: str
    vendor_contact_id: str
    entity_id: str
    invoice_number: str = Field(max_length=20)
    invoice_currency: str = Field(pattern=r"^[A-Z]{3}$")
    issued_at: dt.date
    due_at: dt.date
    payment_method: PaymentMethod
    payment_details: PaymentDetails | None = None
    line_items: list[BillLineItemInput] | None = None
    inventory_line_items: list[BillInventoryLineInput] | None = None
    accounting_field_selections: list[AccountingFieldInput] | None = None
    memo: str | None = Field(default=None, max_length=1000)
    posting_date: dt.date | None = None
    remote_id: str | None = None

    @model_validator(mode="after")
    def _details_match_method(self) -> BillCreate:
        expected = DETAILS_FOR_METHOD.get(self.payment_method)
        details = self.payment_details
        if details is not None and (expected is None or not isinstance(details, expected)):
            raise ValueError(f"payment_details do not fit payment_method {self.payment_method}")
        return self
