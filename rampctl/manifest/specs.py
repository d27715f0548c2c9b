"""The pydantic specs of each manifest kind: field types, normalisation and descriptions.

Every field has a description, which lands in the JSON Schema (`rampctl schema`). Unknown
fields are errors (`extra="forbid"`). Values arrive as text from the lossless loader; pydantic
turns `true`/`false` into booleans only where a field is a boolean.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from rampctl.manifest.countries import ISO_COUNTRIES

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


Email = Annotated[str, AfterValidator(_email), Field(json_schema_extra={"format": "email"})]
Country = Annotated[
    str, AfterValidator(_country), Field(json_schema_extra={"pattern": "^[A-Za-z]{2}$"})
]
Phone = Annotated[str, AfterValidator(_phone)]
Slug = Annotated[
    str,
    AfterValidator(_slug),
    Field(json_schema_extra={"pattern": "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", "maxLength": 63}),
]
Text = Annotated[str, Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Address(_Model):
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


class AccountingRef(_Model):
    """A link to an accounting vendor by its ERP id, for one that no manifest describes."""

    remote_id: Text = Field(description="The accounting vendor's id in the ERP (Ramp `id`).")


IGNORABLE_FIELDS = (
    "name",
    "country",
    "state",
    "description",
    "address",
    *(f"address.{f}" for f in ("line1", "line2", "city", "postal_code", "state", "country")),
    "owner",
    "contact",
    *(f"contact.{f}" for f in ("email", "first_name", "last_name", "phone")),
    "accounting_vendor",
    "active",
)
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


IgnorePath = Annotated[str, AfterValidator(_ignorable)]


class VendorSpec(_Model):
    """A Ramp Bill Pay vendor (payee): who it is, who owns it, and how it is booked."""

    name: Text = Field(description="Vendor name as shown in Ramp. Ramp cannot rename via API.")
    country: Country | None = Field(
        None, description="ISO 3166-1 alpha-2 country of the vendor; Ramp requires it on create."
    )
    state: str | None = Field(None, description="State or province, for US vendors.")
    description: str | None = Field(None, description="What the vendor is used for.")
    address: Address | None = Field(None, description="Postal address of the vendor.")
    owner: Email | None = Field(
        None, description="Email of the Ramp user who owns the vendor (`vendor_owner_id`)."
    )
    contact: Contact | None = Field(
        None, description="Vendor contact, sent when the vendor is created (required then)."
    )
    accounting_vendor: str | AccountingRef | None = Field(
        None,
        description="Linked accounting vendor: the metadata name of an AccountingVendor "
        "manifest, or `{remote_id: ...}` for one no manifest describes.",
    )
    active: bool | None = Field(None, description="Whether the vendor is active (`is_active`).")
    external_id: Text | None = Field(
        None,
        description="Adoption key stored as Ramp `external_vendor_id`; defaults to "
        "metadata.name. Changing it makes rampctl lose track of the vendor.",
    )
    protect: bool = Field(
        False, description="Never delete or deactivate this vendor (recorded in state)."
    )
    ignore_changes: list[IgnorePath] = Field(
        default_factory=list,
        description="Field paths (e.g. `description`, `address.line2`) whose differences "
        "plan ignores after creation.",
    )

    @field_validator("accounting_vendor", mode="before")
    @classmethod
    def _link_form(cls, value: Any) -> Any:
        return check_accounting_link(value)

    def key(self, name: str) -> str:
        """The adoption key: `external_id`, or else the metadata name given."""
        return self.external_id or name


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


class AccountingVendorSpec(_Model):
    """An accounting vendor of the ERP connection (Ramp `accounting/vendors`)."""

    remote_id: Text = Field(description="Id of the accounting vendor in the ERP (Ramp `id`).")
    name: Text = Field(description="Accounting vendor name.")
    code: str | None = Field(None, description="Short code in the ERP, e.g. `ACME`.")
    active: bool | None = Field(None, description="Whether the accounting vendor is active.")


class Metadata(_Model):
    """Identity of a manifest document."""

    name: Slug = Field(
        description="Lower-case slug naming the document; the address is `<kind>/<name>`."
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


MANIFEST_MODELS: dict[str, type[VendorManifest] | type[AccountingVendorManifest]] = {
    "Vendor": VendorManifest,
    "AccountingVendor": AccountingVendorManifest,
}
ADDRESS_PREFIX = {"Vendor": "vendor", "AccountingVendor": "accounting_vendor"}
