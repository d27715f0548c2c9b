"""The pydantic specs of each manifest kind: field types, normalisation and descriptions.

Every field has a description, which lands in the JSON Schema (`rampctl schema`). Unknown
fields are errors (`extra="forbid"`). Values arrive as text from the lossless loader; pydantic
turns `true`/`false` into booleans only where a field is a boolean.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from rampctl.manifest.countries import ISO_COUNTRIES
from rampctl.model import money
from rampctl.model.characters import forbidden_character
from rampctl.model.kinds import (
    ACCOUNTING_VENDOR,
    BILL,
    USER,
    VENDOR,
    FieldSpec,
    Input,
    KindSpec,
)
from rampctl.model.payments import (
    PAYMENT_DETAIL_FIELDS,
    PAYMENT_FIELDS,
    ManualPaymentMethod,
    PaymentMethod,
)

API_VERSION = "rampctl/v1"
SLUG_RE = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?")
SLUG_MAX = 63
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
_PHONE_RE = re.compile(r"\+[1-9][0-9]{6,14}")
_PHONE_SEPARATORS = re.compile(r"[\s().-]")


def _email(value: str) -> str:
    text = value.strip().lower()
    if not _EMAIL_RE.fullmatch(text):
        raise ValueError(f"'{value}' is not an email address")
    return text


def _country(value: str) -> str:
    text = value.strip().upper()
    if text not in ISO_COUNTRIES:
        raise ValueError(f"'{value}' is not an ISO 3166-1 alpha-2 country code (like US or GB)")
    return text


def _phone(value: str) -> str:
    text = _PHONE_SEPARATORS.sub("", value)
    if not _PHONE_RE.fullmatch(text):
        raise ValueError(f"'{value}' is not a phone number in E.164 form (like +14155550100)")
    return text


def _slug(value: str) -> str:
    if len(value) > SLUG_MAX or not SLUG_RE.fullmatch(value):
        raise ValueError(
            f"'{value}' is not a valid name: use lower-case letters, digits and '-', "
            f"starting and ending with a letter or digit, at most {SLUG_MAX} characters"
        )
    return value


def _one_of_words(words: Iterable[str]) -> str:
    """A JSON Schema pattern for any of `words` in any case, with spaces around (stripped)."""
    alternatives = (
        "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in w) for w in words
    )
    return r"^\s*(" + "|".join(sorted(alternatives)) + r")\s*$"


# JSON Schemas of the checked text fields, as a YAML 1.2 reader (an editor) sees the values
# that `validate` accepts; see rampctl.manifest.schema.
_SLUG_SCHEMA = {"type": "string", "pattern": "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", "maxLength": 63}
_LINK_SCHEMA = {
    "anyOf": [
        {"type": "string", "pattern": r"^\s*[a-z0-9]([a-z0-9-]*[a-z0-9])?\s*$"},
        {"type": "integer", "minimum": 0},
    ]
}
_SEP = r"[\s().-]*"
_PHONE_SCHEMA = {
    "anyOf": [
        {"type": "string", "pattern": f"^{_SEP}\\+{_SEP}[1-9]({_SEP}[0-9]){{6,14}}{_SEP}$"},
        # `+14155550100` unquoted is a number to a YAML 1.2 reader (the + is lost).
        {"type": "integer", "minimum": 1_000_000, "maximum": 999_999_999_999_999},
    ]
}

Email = Annotated[
    str,
    AfterValidator(_email),
    WithJsonSchema(
        {"type": "string", "format": "email", "pattern": r"^\s*[^@\s]+@[^@\s.]+(\.[^@\s.]+)+\s*$"}
    ),
]
Country = Annotated[
    str,
    AfterValidator(_country),
    WithJsonSchema({"type": "string", "pattern": _one_of_words(ISO_COUNTRIES)}),
]
Phone = Annotated[str, AfterValidator(_phone), WithJsonSchema(_PHONE_SCHEMA)]
Slug = Annotated[
    str,
    AfterValidator(_slug),
    WithJsonSchema({"anyOf": [_SLUG_SCHEMA, {"type": "integer", "minimum": 0}]}),
]
#: The words a boolean field reads, in any case (`1`, `y` or `t` are not among them).
FLAG_WORDS = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}


def _flag(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str) and value.strip().lower() in FLAG_WORDS:
        return FLAG_WORDS[value.strip().lower()]
    raise PydanticCustomError("bool_parsing", "Input should be a valid boolean")


#: A boolean field: true/false, yes/no or on/off as written (what editors also accept).
Flag = Annotated[bool, BeforeValidator(_flag)]
#: A manifest's metadata name given as a link (checked by the owning field's validator).
LinkName = Annotated[str, WithJsonSchema(_LINK_SCHEMA)]
Text = Annotated[str, Field(min_length=1)]


#: The fields whose text may hold newlines and tabs.
MULTILINE_FIELDS = frozenset({"memo", "description"})


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _printable(cls, value: Any, info: ValidationInfo) -> Any:
        """Names and text hold no control, bidi or invisible formatting characters."""
        if isinstance(value, str) and not (value.isascii() and value.isprintable()):
            multiline = info.field_name in MULTILINE_FIELDS
            found = forbidden_character(value, multiline=multiline)
            if found is not None:
                raise ValueError(
                    f"contains {found}, a control or invisible formatting character; "
                    "remove it (it would make the text print differently from what it is)"
                )
        return value


def printable_check() -> Any:
    """The function behind `_Model._printable`, as it appears in the models' core schemas
    (`rampctl.manifest.quick` leaves it out of its quicker validators)."""
    check: Any = _Model._printable
    return check.__func__


_AMOUNT_RE = re.compile(r"[0-9]+(\.[0-9]+)?")
#: Largest amount accepted: 12 integer digits (under a trillion), far inside Ramp's int64 cents.
MAX_AMOUNT_DIGITS = 12


def _amount(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError('write amounts as decimal strings (like "1200.50"), never floats')
    if isinstance(value, int | Decimal):
        value = str(value)
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("-"):
        raise ValueError(f"amount '{value}' is negative; bill amounts are 0 or more")
    if not _AMOUNT_RE.fullmatch(text):
        raise ValueError(f"'{value}' is not an amount: write a decimal like \"1200.50\"")
    if len(text.split(".")[0].lstrip("0")) > MAX_AMOUNT_DIGITS:
        raise ValueError(
            f"amount '{value}' has more than {MAX_AMOUNT_DIGITS} digits before the decimal point"
        )
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise ValueError(f"'{value}' is not an amount") from None


def _whole_number(value: Any) -> Any:
    """Digits only: `true`, `3.0` or `" 3 "` are not a quantity."""
    if isinstance(value, bool) or (isinstance(value, str) and not value.isdigit()):
        raise ValueError(f"expected a whole number, got '{value}'")
    if isinstance(value, float):
        raise ValueError(f"expected a whole number, got '{value}'")
    return value


def _date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date) or not isinstance(value, str):
        return value
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"'{value}' is not a date: write YYYY-MM-DD, like 2025-03-31") from None


def _currency(value: str) -> str:
    text = value.strip().upper()
    if text not in money.CURRENCIES:
        raise ValueError(f"'{value}' is not an ISO 4217 currency that Ramp accepts (like USD)")
    return text


#: YYYY-MM-DD with a day that exists in its month (29 February in any year).
_DATE_PATTERN = (
    r"^\s*[0-9]{4}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])"
    r"|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|[12][0-9]))\s*$"
)
Amount = Annotated[
    Decimal,
    BeforeValidator(_amount),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^\s*0*[0-9]{1,12}(\.[0-9]+)?\s*$"},
                {"type": "number", "minimum": 0, "exclusiveMaximum": 10**MAX_AMOUNT_DIGITS},
            ]
        }
    ),
]
Day = Annotated[
    dt.date,
    BeforeValidator(_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": _DATE_PATTERN}),
]
CurrencyCode = Annotated[
    str,
    AfterValidator(_currency),
    WithJsonSchema({"type": "string", "pattern": _one_of_words(money.CURRENCIES)}),
]


_INPUT_TYPES: dict[Input, Any] = {
    Input.TEXT: str,
    Input.NONEMPTY: Text,
    Input.EMAIL: Email,
    Input.PHONE: Phone,
    Input.COUNTRY: Country,
    Input.FLAG: Flag,
    Input.CURRENCY: CurrencyCode,
    Input.DATE: Day,
}


def declared_field(spec: FieldSpec) -> tuple[Any, Any]:
    """The pydantic field (type, `Field`) of a plain declared field: its input (or choices),
    requiredness, length limit and description."""
    if spec.choices:
        value: Any = Literal[spec.choices]
    else:
        value = _INPUT_TYPES[spec.manifest_input()]
    if not spec.description:
        raise TypeError(f"the declaration of {spec.path} needs a description (for the schema)")
    if spec.required:
        return value, Field(description=spec.description, max_length=spec.max_length)
    return value | None, Field(None, description=spec.description, max_length=spec.max_length)


def kind_model(
    name: str,
    base: type[_Model],
    kind: KindSpec,
    written: dict[str, Any],
    settings: dict[str, Any],
) -> type[_Model]:
    """A kind's spec model: its declared fields in order, each plain one derived from the
    declaration and each of `written` (nested ones) as given, then its `settings`."""
    fields: dict[str, Any] = {
        spec.path: written[spec.path] if spec.path in written else declared_field(spec)
        for spec in kind.manifest_fields()
    }
    model: type[_Model] = create_model(
        name, __base__=base, __doc__=base.__doc__, __module__=__name__, **fields | settings
    )
    return model


class PostalAddressSpec(_Model):
    """A postal address of a vendor (Ramp's vendor `address`)."""

    line1: Text = Field(description="First address line (Ramp `address_line_1`).")
    line2: str | None = Field(None, description="Second address line, suite or unit.")
    city: Text = Field(description="City.")
    postal_code: Text = Field(description="Postal or ZIP code, kept as written (`02134`).")
    state: str | None = Field(None, description="State or province, e.g. `CA`.")
    country: Country | None = Field(None, description="ISO 3166-1 alpha-2 country code.")


class Contact(_Model):
    """The vendor contact Ramp creates with the vendor; Ramp's API cannot change it later."""

    email: Email = Field(description="Contact email; bills and payment requests go here.")
    first_name: str | None = Field(None, description="Contact's first name.")
    last_name: str | None = Field(None, description="Contact's last name.")
    phone: Phone | None = Field(None, description="Phone in E.164 form, e.g. `+14155550100`.")


class ContactEntry(Contact):
    """One of a vendor's contacts (`spec.contacts`): missing ones are created in Ramp."""

    default: Flag = Field(
        False, description="The vendor's default contact; exactly one entry has `default: true`."
    )


class AccountingRef(_Model):
    """A link to an accounting vendor by its ERP id, for one that no manifest describes."""

    remote_id: Text = Field(description="The accounting vendor's id in the ERP (Ramp `id`).")


IGNORABLE_FIELDS = VENDOR.ignorable_paths()
"""Field paths that `ignore_changes` may name."""


def suggest(word: str, candidates: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the closest candidate, or an empty string."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _ignorable(value: str) -> str:
    if value not in IGNORABLE_FIELDS:
        hint = suggest(value, IGNORABLE_FIELDS)
        raise ValueError(f"'{value}' is not a field that ignore_changes can name{hint}")
    return value


IgnorePath = Annotated[
    str, AfterValidator(_ignorable), WithJsonSchema({"enum": list(IGNORABLE_FIELDS)})
]


class _VendorSpecModel(_Model):
    """A Ramp Bill Pay vendor (payee): who it is, who owns it, and how it is booked."""

    if TYPE_CHECKING:  # the fields read by name here; `VendorSpec` below declares them all
        external_id: str | None
        accounting_vendor: LinkName | AccountingRef | None
        contact: Contact | None
        contacts: list[ContactEntry] | None

    @field_validator("accounting_vendor", mode="before", check_fields=False)
    @classmethod
    def _link_form(cls, value: Any) -> Any:
        return check_accounting_link(value)

    def key(self, name: str) -> str:
        """The adoption key: `external_id`, or else the metadata name given."""
        return self.external_id or name


#: The vendor's nested fields (the others derive from `VENDOR`), then its settings.
_VENDOR_WRITTEN: dict[str, Any] = {
    "address": (
        PostalAddressSpec | None,
        Field(None, description="Postal address of the vendor."),
    ),
    "contact": (
        Contact | None,
        Field(None, description="Vendor contact, sent when the vendor is created (required then)."),
    ),
    "contacts": (
        list[ContactEntry] | None,
        Field(
            None,
            description="The vendor's contacts, instead of `contact`: exactly one has "
            "`default: true`. Contacts missing in Ramp are created (they may wait for approval); "
            "edits to existing contacts and removals are manual changes in Ramp.",
        ),
    ),
    "accounting_vendor": (
        LinkName | AccountingRef | None,
        Field(
            None,
            description="Linked accounting vendor: the metadata name of an AccountingVendor "
            "manifest, or `{remote_id: ...}` for one no manifest describes.",
        ),
    ),
}
_VENDOR_SETTINGS: dict[str, Any] = {
    "protect": (
        Flag,
        Field(False, description="Never delete or deactivate this vendor (recorded in state)."),
    ),
    "ignore_changes": (
        list[IgnorePath],
        Field(
            default_factory=list,
            description="Field paths (e.g. `description`, `address.line2`) whose differences "
            "plan ignores after creation.",
        ),
    ),
}

if TYPE_CHECKING:
    VendorSpec = _VendorSpecModel
else:
    VendorSpec = kind_model(
        "VendorSpec", _VendorSpecModel, VENDOR, _VENDOR_WRITTEN, _VENDOR_SETTINGS
    )


def check_accounting_link(value: Any) -> Any:
    """Accept a manifest name or `{remote_id: ...}`; explain every other shape."""
    if value is None or isinstance(value, str):
        if isinstance(value, str):
            _slug(value.strip())
        return value
    if isinstance(value, dict):
        if "remote_id" in value and "name" in value:
            raise ValueError(
                "give either the name of an AccountingVendor manifest or {remote_id: ...}, not both"
            )
        for key in value:
            if key != "remote_id":
                raise ValueError(f"unknown field '{key}'{suggest(key, ['remote_id'])}")
        remote_id = value.get("remote_id")
        if not isinstance(remote_id, str) or not remote_id.strip():
            raise ValueError("remote_id must be non-empty text")
        return value
    raise ValueError(
        "expected the name of an AccountingVendor manifest or a mapping {remote_id: ...}"
    )


class _AccountingVendorSpecModel(_Model):
    """An accounting vendor of the ERP connection (Ramp `accounting/vendors`)."""

    if TYPE_CHECKING:  # the field read by name; `AccountingVendorSpec` declares them all
        remote_id: str


if TYPE_CHECKING:
    AccountingVendorSpec = _AccountingVendorSpecModel
else:
    AccountingVendorSpec = kind_model(
        "AccountingVendorSpec", _AccountingVendorSpecModel, ACCOUNTING_VENDOR, {}, {}
    )


class Metadata(_Model):
    """Identity of a manifest document."""

    name: Slug = Field(
        description="Lower-case slug naming the document; the address is `<kind>/<name>`."
    )
    previously: list[Slug] = Field(
        default_factory=list,
        description="Earlier metadata names of this document (a move record): the object "
        "managed at `<kind>/<old name>` keeps its Ramp id and is managed here instead.",
    )


class VendorManifest(_Model):
    """A `Vendor` document."""

    apiVersion: Literal["rampctl/v1"] = Field(description="Manifest format version.")
    kind: Literal["Vendor"] = Field(description="Document kind.")
    metadata: Metadata = Field(description="Document identity.")
    spec: VendorSpec = Field(description="Desired state of the vendor.")


class AccountingVendorManifest(_Model):
    """An `AccountingVendor` document."""

    apiVersion: Literal["rampctl/v1"] = Field(description="Manifest format version.")
    kind: Literal["AccountingVendor"] = Field(description="Document kind.")
    metadata: Metadata = Field(description="Document identity.")
    spec: AccountingVendorSpec = Field(description="Desired state of the accounting vendor.")


# --- bills -------------------------------------------------------------------------------


class AccountingSelection(_Model):
    """An accounting coding by the ERP's ids (Ramp `accounting_field_selections`)."""

    field: Text = Field(description="External (ERP) id of the accounting field.")
    option: Text = Field(description="External (ERP) id of the chosen field option.")


class BillLine(_Model):
    """A bill line with an amount in major units of the bill's currency."""

    amount: Amount = Field(description='Amount as a decimal string, e.g. `"1200.50"`.')
    memo: str | None = Field(None, description="What the line is for.")
    accounting: list[AccountingSelection] = Field(
        default_factory=list, description="Line-level accounting codings."
    )


class InventoryLine(_Model):
    """An inventory bill line: quantity x unit price."""

    unit_price: Amount = Field(description="Price of one unit as a decimal string.")
    quantity: Annotated[int, BeforeValidator(_whole_number)] = Field(
        ge=0, description="Number of units (a whole number)."
    )
    memo: str | None = Field(None, description="What the line is for.")
    accounting: list[AccountingSelection] = Field(
        default_factory=list, description="Line-level accounting codings."
    )


class VendorRef(_Model):
    """A bill-pay vendor that no manifest describes, by its Ramp id."""

    id: Text = Field(description="The vendor's Ramp id.")


class BillPaymentSpec(_Model):
    """How the bill is paid; which fields apply depends on `method`, as in Ramp's API."""

    method: PaymentMethod = Field(description="Ramp payment method, e.g. `ACH` or `CHECK`.")
    source_account: str | None = Field(
        None,
        description="Bill-pay bank account of the entity paying: its name in Ramp "
        "(`external_name`) or id (ACH, wires, SWIFT, CHECK).",
    )
    vendor_account: str | None = Field(
        None, description="Vendor bank account by nickname or id (ACH, wires, SWIFT)."
    )
    arrival_date: Day | None = Field(
        None, description="When the payment should arrive; not a weekend (ACH, wires, CHECK)."
    )
    spend_limit_id: str | None = Field(None, description="Ramp spend limit paying (CARD).")
    transaction_id: str | None = Field(
        None, description="Card transaction that already paid the bill (CARD, optional)."
    )
    manual_method: ManualPaymentMethod | None = Field(
        None, description="How it was paid outside Ramp (PAID_MANUALLY)."
    )
    payment_date: Day | None = Field(None, description="When it was paid (PAID_MANUALLY).")

    @model_validator(mode="after")
    def _fields_fit_method(self) -> BillPaymentSpec:
        required, optional = PAYMENT_FIELDS.get(self.method, ((), ()))
        errors = [
            _error((name,), f"{name} is required for payment method {self.method}", None)
            for name in required
            if getattr(self, name) is None
        ]
        errors += [
            _error((name,), f"{name} does not apply to payment method {self.method}", None)
            for name in PAYMENT_DETAIL_FIELDS
            if getattr(self, name) is not None and name not in required + optional
        ]
        if self.arrival_date is not None and self.arrival_date.weekday() >= 5:
            day = self.arrival_date.strftime("%A")
            message = f"arrival_date {self.arrival_date} is a {day}; Ramp pays on business days"
            errors.append(_error(("arrival_date",), message, str(self.arrival_date)))
        _raise(errors, "BillPaymentSpec")
        return self


def _error(loc: tuple[str | int, ...], message: str, given: Any) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError("value_error", message), loc=loc, input=given)


def _raise(errors: list[InitErrorDetails], title: str) -> None:
    if errors:
        raise ValidationError.from_exception_data(title, errors)


class _BillSpecModel(_Model):
    """A bill to pay a vendor. Ramp approves API-created bills at once and schedules payment."""

    if TYPE_CHECKING:  # the fields read by name; `BillSpec` below declares them all
        vendor: LinkName | VendorRef
        invoice_number: str
        currency: str
        issue_date: dt.date
        due_date: dt.date
        line_items: list[BillLine]
        inventory_line_items: list[InventoryLine]
        protect: bool

    @field_validator("vendor", mode="before", check_fields=False)
    @classmethod
    def _vendor_form(cls, value: Any) -> Any:
        if isinstance(value, str):
            _slug(value.strip())
        elif isinstance(value, dict):
            for key in value:
                if key != "id":
                    raise ValueError(f"unknown field '{key}'{suggest(key, ['id'])}")
        elif value is not None:
            raise ValueError("expected the name of a Vendor manifest or a mapping {id: ...}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        errors: list[InitErrorDetails] = []
        if not self.line_items and not self.inventory_line_items:
            message = "a bill needs line_items or inventory_line_items"
            errors.append(_error(("line_items",), message, None))
        if self.due_date < self.issue_date:
            message = f"due_date {self.due_date} is before issue_date {self.issue_date}"
            errors.append(_error(("due_date",), message, str(self.due_date)))
        errors += self._digits() + self._bounds()
        _raise(errors, "BillSpec")
        return self

    def _bounds(self) -> list[InitErrorDetails]:
        """Quantity x unit price, and the bill's total, stay under 12 integer digits."""
        bound = Decimal(10) ** MAX_AMOUNT_DIGITS
        errors = []
        total = sum((line.amount for line in self.line_items), Decimal(0))
        for n, line in enumerate(self.inventory_line_items):
            amount = line.unit_price * line.quantity
            total += amount
            if amount >= bound:
                message = (
                    f"quantity x unit_price is {amount:,}, more than {MAX_AMOUNT_DIGITS} "
                    "digits before the decimal point"
                )
                errors.append(_error(("inventory_line_items", n, "quantity"), message, None))
        if not errors and total >= bound:
            message = (
                f"the bill's total {total:,} has more than {MAX_AMOUNT_DIGITS} digits before "
                "the decimal point"
            )
            errors.append(_error(("line_items",), message, None))
        return errors

    def _digits(self) -> list[InitErrorDetails]:
        digits = money.minor_digits(self.currency)
        amounts: list[tuple[tuple[str | int, ...], Decimal]] = [
            (("line_items", n, "amount"), line.amount) for n, line in enumerate(self.line_items)
        ]
        amounts += [
            (("inventory_line_items", n, "unit_price"), line.unit_price)
            for n, line in enumerate(self.inventory_line_items)
        ]
        return [
            _error(
                loc,
                f"{value} has more than {digits} decimal places for {self.currency}",
                str(value),
            )
            for loc, value in amounts
            if not money.fits(value, self.currency)
        ]

    def key(self) -> tuple[str, str]:
        """The adoption key: the vendor reference and the invoice number."""
        vendor = self.vendor if isinstance(self.vendor, str) else f"id:{self.vendor.id}"
        return (vendor, self.invoice_number)


#: The bill's nested fields and references (the others derive from `BILL`), then its settings.
_BILL_WRITTEN: dict[str, Any] = {
    "vendor": (
        LinkName | VendorRef,
        Field(
            description="The vendor: the metadata name of a Vendor manifest, or `{id: ...}` for "
            "a Ramp vendor no manifest describes."
        ),
    ),
    "accounting": (
        list[AccountingSelection],
        Field(default_factory=list, description="Bill-level accounting codings by external ids."),
    ),
    "line_items": (
        list[BillLine],
        Field(
            default_factory=list, description="Lines with amounts (or use inventory_line_items)."
        ),
    ),
    "inventory_line_items": (
        list[InventoryLine],
        Field(default_factory=list, description="Lines of quantity x unit price."),
    ),
    "payment": (BillPaymentSpec, Field(description="Payment method and its details.")),
}
_BILL_SETTINGS: dict[str, Any] = {
    "protect": (Flag, Field(False, description="Never archive this bill (recorded in state).")),
}

if TYPE_CHECKING:
    BillSpec = _BillSpecModel
else:
    BillSpec = kind_model("BillSpec", _BillSpecModel, BILL, _BILL_WRITTEN, _BILL_SETTINGS)


class BillManifest(_Model):
    """A `Bill` document."""

    apiVersion: Literal["rampctl/v1"] = Field(description="Manifest format version.")
    kind: Literal["Bill"] = Field(description="Document kind.")
    metadata: Metadata = Field(description="Document identity.")
    spec: BillSpec = Field(description="Desired state of the bill.")


USER_IGNORABLE = USER.ignorable_paths()


def _user_ignorable(value: str) -> str:
    if value not in USER_IGNORABLE:
        hint = suggest(value, USER_IGNORABLE)
        raise ValueError(f"'{value}' is not a field that ignore_changes can name{hint}")
    return value


class _UserSpecModel(_Model):
    """A person of the Ramp business: invited, updated, deactivated when removed."""

    if TYPE_CHECKING:  # the fields read by name; `UserSpec` below declares them all
        email: str
        direct_manager: str | None


_USER_SETTINGS: dict[str, Any] = {
    "protect": (Flag, Field(False, description="Never deactivate this user (recorded in state).")),
    "ignore_changes": (
        list[
            Annotated[
                str, AfterValidator(_user_ignorable), WithJsonSchema({"enum": list(USER_IGNORABLE)})
            ]
        ],
        Field(default_factory=list, description="Field paths whose differences plan ignores."),
    ),
}

if TYPE_CHECKING:
    UserSpec = _UserSpecModel
else:
    UserSpec = kind_model("UserSpec", _UserSpecModel, USER, {}, _USER_SETTINGS)


class UserManifest(_Model):
    """A `User` document."""

    apiVersion: Literal["rampctl/v1"] = Field(description="Manifest format version.")
    kind: Literal["User"] = Field(description="Document kind.")
    metadata: Metadata = Field(description="Document identity.")
    spec: UserSpec = Field(description="Desired state of the user.")


MANIFEST_MODELS: dict[
    str,
    type[VendorManifest] | type[AccountingVendorManifest] | type[BillManifest] | type[UserManifest],
] = {
    "Vendor": VendorManifest,
    "AccountingVendor": AccountingVendorManifest,
    "Bill": BillManifest,
    "User": UserManifest,
}
ADDRESS_PREFIX = {
    "Vendor": "vendor",
    "AccountingVendor": "accounting_vendor",
    "Bill": "bill",
    "User": "user",
}
