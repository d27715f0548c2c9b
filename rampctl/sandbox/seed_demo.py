"""The demo business's vendors, contacts, bank account and bills (see the README)."""

from __future__ import annotations

from typing import Any

from rampctl.sandbox import bills
from rampctl.sandbox.seed_ids import ident, stamp
from rampctl.sandbox.store import Store

DOMAIN = "northwind.example"

# key, name, external id, country, state, description, owner, contact, remote id, active
VENDORS: list[dict[str, Any]] = [
    {
        "key": "acme",
        "name": "Acme Cloud Inc.",
        "external": "acme-cloud",
        "country": "US",
        "state": "CA",
        "description": "Cloud hosting",
        "owner": "bob.martin",
        "contact": ("ap@acme.example", "Ada", "Ng", "+14155550100"),
        "remote": "QB-1001",
        "active": True,
        "address": {
            "address_line_1": "1 Market St",
            "city": "San Francisco",
            "state": "CA",
            "postal_code": "94105",
            "country": "US",
        },
    },
    {
        "key": "globex",
        "name": "Globex Logistics",
        "external": "globex-logistics",
        "country": "US",
        "state": "NY",
        "description": "Freight",
        "owner": "carol.diaz",
        "contact": ("billing@globex.example", "Hank", "Scorpio", None),
        "remote": "QB-1002",
        "active": True,
    },
    {
        "key": "initech",
        "name": "Initech Software",
        "external": "initech",
        "country": "US",
        "state": "TX",
        "description": "Licences",
        "owner": "dave.okafor",
        "contact": ("ar@initech.example", "Bill", "Lumbergh", None),
        "remote": "QB-1003",
        "active": True,
    },
    {
        "key": "umbrella",
        "name": "Umbrella Insurance",
        "external": None,
        "country": "US",
        "state": "DE",
        "description": None,
        "owner": "frank.ito",
        "contact": ("claims@umbrella.example", None, None, None),
        "remote": "QB-1004",
        "active": True,
    },
    {
        "key": "vandelay",
        "name": "Vandelay Imports",
        "external": None,
        "country": "GB",
        "state": None,
        "description": None,
        "owner": "erin.walsh",
        "contact": ("art@vandelay.example", None, None, None),
        "remote": None,
        "active": False,
    },
]


def vendor_id(key: str) -> str:
    """The fixed id of a demo vendor by key (acme, globex, initech, umbrella, vandelay)."""
    return ident(f"vendor:{key}")


def add_vendors(store: Store) -> None:
    """Insert the five demo vendors, their contacts and Acme's ACH bank account."""
    vendors, contacts = [], []
    for n, spec in enumerate(VENDORS):
        contact = _contact(spec)
        vendors.append((vendor_id(spec["key"]), None, _vendor(n, spec, contact["id"])))
        contacts.append((contact["id"], vendor_id(spec["key"]), contact))
    store.insert_many("vendor", vendors)
    store.insert_many("contact", contacts)
    account = {
        "id": ident("vendor-bank-account:acme"),
        "currency": "USD",
        "payment_method": "ACH",
        "account_nickname": "Acme operating",
        "is_default": True,
    }
    store.insert("vendor_bank_account", str(account["id"]), account, parent=vendor_id("acme"))


def _contact(spec: dict[str, Any]) -> dict[str, Any]:
    email, first, last, phone = spec["contact"]
    return {
        "id": ident(f"contact:{spec['key']}"),
        "email": email,
        "first_name": first,
        "last_name": last,
        "phone": phone,
        "is_default": True,
    }


def _vendor(n: int, spec: dict[str, Any], contact_id: str) -> dict[str, Any]:
    remote = spec["remote"]
    return {
        "id": vendor_id(spec["key"]),
        "name": spec["name"],
        "country": spec["country"],
        "state": spec["state"],
        "description": spec["description"],
        "address": spec.get("address"),
        "vendor_owner_id": ident(f"user:{spec['owner']}@{DOMAIN}"),
        "vendor_type": "BUSINESS",
        "contacts": [contact_id],
        "is_active": spec["active"],
        "created_at": stamp(3600 + n),
        "external_vendor_id": spec["external"],
        "_accounting_ramp_id": ident(f"accounting-vendor:{remote}") if remote else None,
    }


def add_bills(store: Store) -> None:
    """Acme: INV-1001 (ACH, open) and INV-1002 (check, open); Globex: GX-77 (paid manually)."""
    source = ident("bank-account:us")
    specs = [
        (
            "acme",
            "INV-1001",
            "1200.00",
            "ACH",
            {
                "payment_arrival_date": "2025-02-14",
                "source_bank_account_id": source,
                "vendor_account_id": ident("vendor-bank-account:acme"),
            },
        ),
        (
            "acme",
            "INV-1002",
            "350.50",
            "CHECK",
            {"payment_arrival_date": "2025-02-21", "source_bank_account_id": source},
        ),
        (
            "globex",
            "GX-77",
            "980.00",
            "PAID_MANUALLY",
            {"manual_payment_method": "CHECK", "payment_date": "2025-01-31"},
        ),
    ]
    rows = []
    for n, (key, number, amount, method, details) in enumerate(specs):
        bill = _bill(store, key, number, amount, method, details)
        bill["id"] = ident(f"bill:{number}")
        bill["created_at"] = stamp(7200 + n)
        bills.refresh_derived(bill)
        rows.append((bill["id"], vendor_id(key), bill))
    store.insert_many("bill", rows)


def _bill(
    store: Store, key: str, number: str, amount: str, method: str, details: dict[str, Any]
) -> dict[str, Any]:
    vendor = store.get("vendor", vendor_id(key)) or {}
    owner = store.get("user", str(vendor.get("vendor_owner_id"))) or {}
    body = {
        "vendor_id": vendor_id(key),
        "vendor_contact_id": ident(f"contact:{key}"),
        "entity_id": ident("entity:us"),
        "invoice_number": number,
        "invoice_currency": "USD",
        "issued_at": "2025-01-10",
        "due_at": "2025-02-14",
        "payment_method": method,
        "payment_details": details,
        "line_items": [{"amount": amount, "memo": f"{number} services"}],
    }
    bill_owner = {k: owner.get(k) for k in ("id", "first_name", "last_name")}
    return bills.new_bill(body, details, bill_owner)
