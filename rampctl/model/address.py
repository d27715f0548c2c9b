"""Addresses: the stable names of managed objects, `<kind>/<metadata.name>`."""

from __future__ import annotations

VENDOR = "vendor"
ACCOUNTING_VENDOR = "accounting_vendor"
BILL = "bill"
USER = "user"
KINDS = (VENDOR, ACCOUNTING_VENDOR, BILL, USER)
KIND_OF_MANIFEST = {
    "Vendor": VENDOR,
    "AccountingVendor": ACCOUNTING_VENDOR,
    "Bill": BILL,
    "User": USER,
}


def make(kind: str, name: str) -> str:
    """The address of the object of `kind` named `name`."""
    return f"{kind}/{name}"


def kind_of(address: str) -> str:
    """The kind part of an address."""
    return address.split("/", 1)[0]


def name_of(address: str) -> str:
    """The name part of an address."""
    return address.split("/", 1)[1]
