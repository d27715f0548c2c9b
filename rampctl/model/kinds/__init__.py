"""One declaration per kind: the fields rampctl manages and how each maps to Ramp.

The manifest spec models and so the JSON Schema (`rampctl.manifest.specs.kind_model`: each
plain field's type, requiredness, choices, length limit and description; nested ones are
written there), the live views (`rampctl.engine.view`), the request bodies
(`rampctl.engine.vendors`, `rampctl.engine.accounting`, `rampctl.engine.users`), the
importer's writer (`rampctl.importer.vendor`) and the `ignore_changes` paths derive from these
declarations; a test checks the spec models, the JSON Schema and Ramp's models against them
(`tests/model/test_kinds.py`).
"""

from __future__ import annotations

from rampctl.model.kinds.accounting_vendor import ACCOUNTING_VENDOR, AccountingVendorValues
from rampctl.model.kinds.bill import BILL
from rampctl.model.kinds.spec import FieldSpec, Input, KindSpec, OnClear, Values, declared
from rampctl.model.kinds.user import USER, UserValues
from rampctl.model.kinds.vendor import (
    POSTAL_ADDRESS,
    VENDOR,
    VENDOR_CONTACT,
    VENDOR_CONTACTS,
    PostalAddressValues,
    VendorContactEntry,
    VendorContactValues,
    VendorValues,
)

KIND_SPECS = {spec.kind: spec for spec in (VENDOR, ACCOUNTING_VENDOR, BILL, USER)}

__all__ = [
    "ACCOUNTING_VENDOR",
    "BILL",
    "KIND_SPECS",
    "POSTAL_ADDRESS",
    "USER",
    "VENDOR",
    "VENDOR_CONTACT",
    "VENDOR_CONTACTS",
    "AccountingVendorValues",
    "FieldSpec",
    "Input",
    "KindSpec",
    "OnClear",
    "PostalAddressValues",
    "UserValues",
    "Values",
    "VendorContactEntry",
    "VendorContactValues",
    "VendorValues",
    "declared",
]
