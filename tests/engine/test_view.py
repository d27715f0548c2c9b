"""A live vendor's record form is its typed values' `as_dict`, however the vendor looks."""

from __future__ import annotations

from typing import Any

import pytest

from rampctl.engine.view import live_vendor, vendor_view
from rampctl.ramp.models import User, Vendor

USERS = {"u1": User(id="u1", email=" Bob@Example.COM ")}
LIVE: dict[str, dict[str, Any]] = {
    "plain": {},
    "everything set": {
        "name": " Acme ",
        "description": "",
        "country": "us",
        "state": "ca",
        "address": {"address_line_1": "1 Main", "city_or_locality": "SF", "country": "us"},
        "accounting_vendor_remote_id": " QB-1 ",
        "vendor_owner_id": "u1",
        "contacts": ["c2", "c1"],
        "is_active": False,
        "external_vendor_id": " acme ",
    },
    "an owner no user has": {"vendor_owner_id": "u-gone"},
    "an update held for approval": {
        "vendor_owner_id": "u1",
        "pending_update": {
            "requested_at": "2026-01-01T00:00:00Z",
            "fields": {
                "name": " New ",
                "vendor_owner_id": "u1",
                "address": {"city_or_locality": "LA"},
                "contacts": ["c3", "c1"],
            },
        },
    },
}


@pytest.mark.parametrize("case", sorted(LIVE))
def test_the_record_form_is_the_typed_values_as_dict(case: str) -> None:
    vendor = Vendor.model_validate({"id": "v1", "name": "Acme", **LIVE[case]})
    view = vendor_view(vendor, USERS)
    assert view == live_vendor(vendor, USERS).as_dict()
    assert list(view) == list(live_vendor(vendor, USERS).as_dict())
