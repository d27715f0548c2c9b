"""The Vendor kind: a Ramp Bill Pay vendor (payee), Ramp's `/vendors`.

Each attribute of `VendorValues` is a managed field, declared once: its type, Ramp's field
name, normaliser, rules and description (see `FieldSpec`). Adding a plain field is a
declaration here: the manifest's spec model and its JSON Schema derive from it
(`rampctl.manifest.specs`); a nested one also needs its pydantic model written there.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import JsonValue

from rampctl.model import address as addr
from rampctl.model import normalise as norm
from rampctl.model.kinds.spec import Input, KindSpec, OnClear, Values, declared

PROBLEM = OnClear.PROBLEM


@dataclass(frozen=True, kw_only=True)
class PostalAddressValues(Values):
    """A vendor's postal address, part by part (Ramp's `address` object)."""

    line1: str | None = declared("address_line_1", normalise=norm.text, on_clear=PROBLEM)
    line2: str | None = declared("address_line_2", normalise=norm.text)
    city: str | None = declared("city", normalise=norm.text, on_clear=PROBLEM)
    postal_code: str | None = declared("postal_code", normalise=norm.text, on_clear=PROBLEM)
    state: str | None = declared("state", normalise=norm.code, on_clear=PROBLEM)
    country: str | None = declared("country", normalise=norm.code, on_clear=PROBLEM)


@dataclass(frozen=True, kw_only=True)
class VendorContactValues(Values):
    """The vendor contact Ramp creates with the vendor (`business_vendor_contacts`)."""

    email: str | None = declared("email", normalise=norm.email)
    first_name: str | None = declared("first_name", normalise=norm.text)
    last_name: str | None = declared("last_name", normalise=norm.text)
    phone: str | None = declared("phone", normalise=norm.phone)


@dataclass(frozen=True, kw_only=True)
class VendorContactEntry(Values):
    """One entry of `spec.contacts`: the default goes with the vendor's create, the others are
    created through Ramp's contact endpoint (`POST /vendors/{id}/contacts`)."""

    email: str | None = declared("email", normalise=norm.email)
    first_name: str | None = declared("first_name", normalise=norm.text)
    last_name: str | None = declared("last_name", normalise=norm.text)
    phone: str | None = declared("phone", normalise=norm.phone)
    default: bool | None = declared("is_default", normalise=norm.flag)


@dataclass(frozen=True, kw_only=True)
class VendorValues(Values):
    """A vendor's managed fields, in manifest order; `external_id` is the adoption key."""

    name: str | None = declared(
        "name",
        normalise=norm.text,
        on_clear=PROBLEM,
        input=Input.NONEMPTY,
        required=True,
        description="Vendor name as shown in Ramp; a change renames it (PATCH).",
    )
    country: str | None = declared(
        "country",
        normalise=norm.code,
        on_clear=PROBLEM,
        input=Input.COUNTRY,
        description="ISO 3166-1 alpha-2 country of the vendor; Ramp requires it on create.",
    )
    state: str | None = declared(
        "state", normalise=norm.code, description="State or province, for US vendors."
    )
    description: str | None = declared(
        "description",
        normalise=norm.text,
        create=False,
        clear_value="",
        description="What the vendor is used for.",
    )
    address: PostalAddressValues | None = declared(
        "address", on_clear=PROBLEM, parts_of=PostalAddressValues
    )
    owner: str | None = declared(
        "vendor_owner_id",
        normalise=norm.email,
        reference="user",
        on_clear=PROBLEM,
        description="Email of the Ramp user who owns the vendor (`vendor_owner_id`).",
    )
    contact: VendorContactValues | None = declared(
        "business_vendor_contacts", update=False, view=False, parts_of=VendorContactValues
    )
    contacts: tuple[VendorContactEntry, ...] | None = declared(
        "business_vendor_contacts", update=False, view=False, parts_of=VendorContactEntry
    )
    accounting_vendor: str | None = declared(
        "accounting_vendor_remote_id",
        normalise=norm.text,
        reference="accounting_vendor",
        on_clear=OnClear.MANUAL,
        manual_reason="Ramp's API cannot remove an accounting link: unlink it in Ramp, or "
        "link another accounting vendor",
    )
    active: bool | None = declared(
        "is_active",
        normalise=norm.flag,
        create=False,
        ramp_default=True,
        on_clear=PROBLEM,
        description="Whether the vendor is active (`is_active`).",
    )
    external_id: str | None = declared(
        "external_vendor_id",
        normalise=norm.text,
        ignorable=False,
        input=Input.NONEMPTY,
        description="Adoption key stored as Ramp `external_vendor_id`; defaults to "
        "metadata.name. Changing it makes rampctl lose track of the vendor.",
    )
    contact_ids: tuple[str, ...] = declared(
        "contacts", default=(), normalise=norm.ids, manifest=False
    )
    #: An update Ramp holds for approval (read only; `engine.view.pending_view`): recorded
    #: with when it was sent, shown as pending, never drift.
    pending: dict[str, JsonValue] | None = declared(
        "pending_update",
        manifest=False,
        drift=False,
        create=False,
        update=False,
        ignorable=False,
    )


VENDOR = KindSpec(
    kind=addr.VENDOR,
    manifest_kind="Vendor",
    key="external_id",
    settings=("protect", "ignore_changes"),
    fields=VendorValues.specs(),
    values=VendorValues,
)
POSTAL_ADDRESS = PostalAddressValues.specs()
VENDOR_CONTACT = VendorContactValues.specs()
VENDOR_CONTACTS = VendorContactEntry.specs()
