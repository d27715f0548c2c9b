"""The AccountingVendor kind: a vendor of the ERP connection, Ramp's `/accounting/vendors`."""

from __future__ import annotations

from dataclasses import dataclass

from rampctl.model import address as addr
from rampctl.model import normalise as norm
from rampctl.model.kinds.spec import Input, KindSpec, OnClear, Values, declared


@dataclass(frozen=True, kw_only=True)
class AccountingVendorValues(Values):
    """An accounting vendor's fields; `remote_id` (the ERP id, Ramp `id`) is the key.

    Ramp deactivates an accounting vendor by deleting it and reactivates it by an update
    with `reactivate: true`, so `active` is written by the engine's own rule.
    """

    remote_id: str | None = declared(
        "id",
        normalise=norm.text,
        update=False,
        ignorable=False,
        input=Input.NONEMPTY,
        required=True,
        description="Id of the accounting vendor in the ERP (Ramp `id`).",
    )
    name: str | None = declared(
        "name",
        normalise=norm.text,
        clear_value="",
        input=Input.NONEMPTY,
        required=True,
        description="Accounting vendor name.",
    )
    code: str | None = declared(
        "code",
        normalise=norm.text,
        create=False,
        clear_value="",
        description="Short code in the ERP, e.g. `ACME`.",
    )
    active: bool | None = declared(
        "is_active",
        normalise=norm.flag,
        create=False,
        ramp_default=True,
        on_clear=OnClear.PROBLEM,
        description="Whether the accounting vendor is active.",
    )


ACCOUNTING_VENDOR = KindSpec(
    kind=addr.ACCOUNTING_VENDOR,
    manifest_kind="AccountingVendor",
    key="remote_id",
    fields=AccountingVendorValues.specs(),
    values=AccountingVendorValues,
)
