"""The Vendor kind: a Ramp Bill Pay vendor (payee), Ramp's `/vendors`."""

from __future__ import annotations

from rampctl.model import address as addr
from rampctl.model import normalise as norm
from rampctl.model.kinds.spec import FieldSpec, KindSpec, OnClear

POSTAL_ADDRESS = (
    FieldSpec(path="line1", ramp="address_line_1", normalise=norm.text, on_clear=OnClear.PROBLEM),
    FieldSpec(path="line2", ramp="address_line_2", normalise=norm.text),
    FieldSpec(path="city", ramp="city", normalise=norm.text, on_clear=OnClear.PROBLEM),
    FieldSpec(
        path="postal_code", ramp="postal_code", normalise=norm.text, on_clear=OnClear.PROBLEM
    ),
    FieldSpec(path="state", ramp="state", normalise=norm.code, on_clear=OnClear.PROBLEM),
    FieldSpec(path="country", ramp="country", normalise=norm.code, on_clear=OnClear.PROBLEM),
)
"""A vendor's postal address, part by part (Ramp's `address` object)."""

VENDOR_CONTACT = (
    FieldSpec(path="email", ramp="email", normalise=norm.email),
    FieldSpec(path="first_name", ramp="first_name", normalise=norm.text),
    FieldSpec(path="last_name", ramp="last_name", normalise=norm.text),
    FieldSpec(path="phone", ramp="phone", normalise=norm.phone),
)
"""The vendor contact Ramp creates with the vendor (`business_vendor_contacts`)."""

VENDOR = KindSpec(
    kind=addr.VENDOR,
    manifest_kind="Vendor",
    key="external_id",
    settings=("protect", "ignore_changes"),
    fields=(
        FieldSpec(path="name", ramp="name", normalise=norm.text, on_clear=OnClear.PROBLEM),
        FieldSpec(path="country", ramp="country", normalise=norm.code, on_clear=OnClear.PROBLEM),
        FieldSpec(path="state", ramp="state", normalise=norm.code),
        FieldSpec(
            path="description",
            ramp="description",
            normalise=norm.text,
            create=False,
            clear_value="",
        ),
        FieldSpec(path="address", ramp="address", on_clear=OnClear.PROBLEM, parts=POSTAL_ADDRESS),
        FieldSpec(
            path="owner",
            ramp="vendor_owner_id",
            normalise=norm.email,
            reference="user",
            on_clear=OnClear.PROBLEM,
        ),
        FieldSpec(
            path="contact",
            ramp="business_vendor_contacts",
            update=False,
            view=False,
            parts=VENDOR_CONTACT,
        ),
        FieldSpec(
            path="accounting_vendor",
            ramp="accounting_vendor_remote_id",
            normalise=norm.text,
            reference="accounting_vendor",
            on_clear=OnClear.MANUAL,
        ),
        FieldSpec(
            path="active",
            ramp="is_active",
            normalise=norm.flag,
            create=False,
            ramp_default=True,
            on_clear=OnClear.PROBLEM,
        ),
        FieldSpec(
            path="external_id", ramp="external_vendor_id", normalise=norm.text, ignorable=False
        ),
        FieldSpec(path="contacts", ramp="contacts", normalise=norm.ids, manifest=False),
        # An update Ramp holds for approval (read only; `engine.view.pending_view`): recorded
        # with when it was sent, shown as pending, never drift.
        FieldSpec(
            path="pending",
            ramp="pending_update",
            manifest=False,
            drift=False,
            create=False,
            update=False,
            ignorable=False,
        ),
    ),
)
"""Vendor fields in manifest order; `external_id` is the adoption key."""
