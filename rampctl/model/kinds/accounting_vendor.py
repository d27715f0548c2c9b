"""The AccountingVendor kind: a vendor of the ERP connection, Ramp's `/accounting/vendors`."""

from __future__ import annotations

from rampctl.model import address as addr
from rampctl.model import normalise as norm
from rampctl.model.kinds.spec import FieldSpec, KindSpec, OnClear

ACCOUNTING_VENDOR = KindSpec(
    kind=addr.ACCOUNTING_VENDOR,
    manifest_kind="AccountingVendor",
    key="remote_id",
    fields=(
        FieldSpec(path="remote_id", ramp="id", normalise=norm.text, update=False, ignorable=False),
        FieldSpec(path="name", ramp="name", normalise=norm.text, clear_value=""),
        FieldSpec(path="code", ramp="code", normalise=norm.text, create=False, clear_value=""),
        FieldSpec(
            path="active",
            ramp="is_active",
            normalise=norm.flag,
            create=False,
            ramp_default=True,
            on_clear=OnClear.PROBLEM,
        ),
    ),
)
"""Accounting vendor fields; `remote_id` (the ERP id, Ramp `id`) is the key and never changes.

Ramp deactivates an accounting vendor by deleting it and reactivates it by an update with
`reactivate: true`, so `active` is written by the engine's own rule, not by field name.
"""
