"""Seed data: the `demo` business (Northwind Labs), `empty`, and N generated vendors.

Every seed is deterministic: ids are uuid5 values of fixed names, timestamps are fixed, so
two stores seeded alike hold the same business. `seed(store, "1000")` generates 1000 vendors
with owners (N/5 users, at most 2000) and accounting links (N/10 accounting vendors).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rampctl.sandbox import seed_demo as demo
from rampctl.sandbox.seed_ids import ident, stamp
from rampctl.sandbox.store import Store

__all__ = ["generate", "ident", "seed", "seed_demo", "seed_empty", "stamp"]
BUSINESS_NAME = "Northwind Labs, Inc."
MAX_GENERATED = 100_000
"""The largest generated business (the plan benchmark runs at 100,000 vendors)."""

DEMO_USERS = [
    ("alice.chen", "BUSINESS_OWNER"),
    ("bob.martin", "BUSINESS_ADMIN"),
    ("carol.diaz", "BUSINESS_BOOKKEEPER"),
    ("dave.okafor", "BUSINESS_USER"),
    ("erin.walsh", "BUSINESS_USER"),
    ("frank.ito", "BUSINESS_ADMIN"),
    ("grace.kim", "BUSINESS_USER"),
    ("henry.novak", "BUSINESS_USER"),
]
DEMO_ACCOUNTING = [
    ("QB-1001", "Acme Cloud Inc.", "ACME"),
    ("QB-1002", "Globex Logistics", "GLOBEX"),
    ("QB-1003", "Initech Software", "INITECH"),
    ("QB-1004", "Umbrella Insurance", "UMBRELLA"),
    ("QB-1005", "Stark Office Supplies", "STARK"),
    ("QB-1006", "Wayne Facilities", "WAYNE"),
    ("QB-1007", "Hooli Telecom", "HOOLI"),
    ("QB-1008", "Pied Piper Storage", "PIEDPIPER"),
    ("QB-1009", "Vandelay Imports", "VANDELAY"),
    ("QB-1010", "Soylent Catering", "SOYLENT"),
    ("QB-1011", "Cyberdyne Security", "CYBERDYNE"),
    ("QB-1012", "Tyrell Recruiting", "TYRELL"),
]


def seed(store: Store, name: str) -> None:
    """Fill an empty store with the named seed: "demo", "empty" or a vendor count."""
    seeders: dict[str, Callable[[Store], None]] = {"demo": seed_demo, "empty": seed_empty}
    with store.transaction():
        if name in seeders:
            seeders[name](store)
        elif name.isdigit() and 0 <= int(name) <= MAX_GENERATED:
            generate(store, int(name))
        else:
            raise ValueError(
                f"unknown seed {name!r}: use demo, empty or a number up to {MAX_GENERATED}"
            )
        store.set_meta("seed", name)


def seed_empty(store: Store) -> None:
    """Only the business and its entities: no users but the owner, no vendors."""
    _business(store)
    _entities(store)
    _users(store, [("alice.chen", "BUSINESS_OWNER")], "northwind.example")


def _business(store: Store) -> None:
    business = {
        "id": ident("business"),
        "business_name_legal": BUSINESS_NAME,
        "business_name_on_card": "Northwind Labs",
        "active": True,
        "created_time": stamp(),
        "enforce_sso": False,
        "is_integrated_with_slack": False,
        "is_reimbursements_enabled": True,
        "limit_locked": False,
        "initial_approved_limit": 5_000_000,
        "phone": "4155550199",
        "website": "northwind.example",
        "billing_address": {
            "address1": "500 Howard St",
            "city": "San Francisco",
            "country": "US",
            "postal_code": "94105",
            "state": "CA",
        },
    }
    store.insert("business", str(business["id"]), business)


def _entity(key: str, name: str, currency: str, primary: bool, account_name: str) -> dict[str, Any]:
    return {
        "id": ident(f"entity:{key}"),
        "entity_name": name,
        "currency": currency,
        "is_primary": primary,
        "location_ids": [],
        "accounts": [
            {
                "internal_id": ident(f"entity-account:{key}"),
                "bank_account_id": ident(f"bank-account:{key}"),
                "usage_type": "BILL_PAY_BANK_ACCOUNT",
                "classification": "ASSET",
                "external_id": f"BANK-{key.upper()}",
                "external_name": account_name,
                "created_at": stamp(),
            }
        ],
    }


def _entities(store: Store) -> None:
    rows = [
        _entity("us", BUSINESS_NAME, "USD", True, "Operating Checking"),
        _entity("uk", "Northwind Labs Ltd", "GBP", False, "UK Operating"),
    ]
    store.insert_many("entity", [(e["id"], None, e) for e in rows])


def _user(handle: str, role: str, domain: str) -> dict[str, Any]:
    first, _, last = handle.partition(".")
    return {
        "id": ident(f"user:{handle}@{domain}"),
        "email": f"{handle}@{domain}",
        "first_name": first.capitalize(),
        "last_name": last.capitalize() if last else "User",
        "role": role,
        "status": "USER_ACTIVE",
        "business_id": ident("business"),
        "department_id": None,
        "location_id": None,
        "manager_id": None,
        "entity_id": ident("entity:us"),
        "is_manager": False,
        "custom_fields": [],
    }


def _users(store: Store, people: list[tuple[str, str]], domain: str) -> list[dict[str, Any]]:
    rows = [_user(handle, role, domain) for handle, role in people]
    store.insert_many("user", [(u["id"], None, u) for u in rows])
    return rows


def _connection(store: Store, name: str) -> str:
    conn = {
        "id": ident("connection"),
        "created_at": stamp(),
        "is_active": True,
        "last_linked_at": stamp(),
        "remote_provider_name": name,
        "status": "linked",
    }
    store.insert("connection", str(conn["id"]), conn)
    return str(conn["id"])


def _accounting_vendor(remote_id: str, name: str, code: str | None) -> dict[str, Any]:
    return {
        "ramp_id": ident(f"accounting-vendor:{remote_id}"),
        "id": remote_id,
        "name": name,
        "code": code,
        "is_active": True,
        "is_synced": True,
        "created_at": stamp(),
        "updated_at": stamp(),
    }


def _accounting_vendors(store: Store, conn: str, rows: list[tuple[str, str, str | None]]) -> None:
    data = [_accounting_vendor(*row) for row in rows]
    store.insert_many("accounting_vendor", [(a["ramp_id"], conn, a) for a in data])


#: The demo business's departments, and its locations with the entity each belongs to.
DEMO_DEPARTMENTS = ("Engineering", "Finance", "Operations")
DEMO_LOCATIONS = (("San Francisco, CA", "us"), ("New York City, NY", "us"), ("London", "uk"))


def _directory(store: Store) -> None:
    """Departments and locations (`GET /departments`, `GET /locations`); each entity lists
    its locations' ids, as Ramp's entities do."""
    departments = [{"id": ident(f"department:{name}"), "name": name} for name in DEMO_DEPARTMENTS]
    store.insert_many("department", [(d["id"], None, d) for d in departments])
    for name, entity_key in DEMO_LOCATIONS:
        entity_id = ident(f"entity:{entity_key}")
        location = {"id": ident(f"location:{name}"), "name": name, "entity_id": entity_id}
        store.insert("location", location["id"], location)
        entity = store.get("entity", entity_id)
        assert entity is not None
        entity["location_ids"] = [*entity.get("location_ids", []), location["id"]]
        store.put("entity", entity_id, entity)


def seed_demo(store: Store) -> None:
    """The Northwind Labs demo business described in the README."""
    _business(store)
    _entities(store)
    _directory(store)
    _users(store, DEMO_USERS, "northwind.example")
    conn = _connection(store, "Northwind ERP")
    _accounting_vendors(store, conn, list(DEMO_ACCOUNTING))
    demo.add_vendors(store)
    demo.add_bills(store)


def generate(store: Store, count: int) -> None:
    """`count` vendors with contacts, owners and accounting links, for benchmarks."""
    _business(store)
    _entities(store)
    users = _users(store, _generated_people(count), "example.test")
    conn = _connection(store, "Generated ERP")
    linked = count // 10
    _accounting_vendors(
        store, conn, [(f"GEN-{i:05d}", f"Vendor {i:05d}", f"V{i:05d}") for i in range(linked)]
    )
    vendors, contacts = [], []
    for i in range(count):
        vendor, contact = _generated_vendor(i, users[i % len(users)]["id"], i < linked)
        vendors.append((vendor["id"], None, vendor))
        contacts.append((contact["id"], vendor["id"], contact))
    store.insert_many("vendor", vendors)
    store.insert_many("contact", contacts)


def _generated_people(count: int) -> list[tuple[str, str]]:
    size = min(max(count // 5, 1), 2000)
    people = [("owner.one", "BUSINESS_OWNER")]
    people += [(f"user.u{i:04d}", "BUSINESS_USER") for i in range(1, size)]
    return people


def _generated_vendor(i: int, owner: str, linked: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    contact = {
        "id": ident(f"gen-contact:{i}"),
        "email": f"ap{i:05d}@vendor{i:05d}.test",
        "first_name": "Accounts",
        "last_name": "Payable",
        "phone": None,
        "is_default": True,
    }
    vendor = {
        "id": ident(f"gen-vendor:{i}"),
        "name": f"Vendor {i:05d}",
        "country": "US",
        "state": "CA",
        "description": f"Generated vendor {i}",
        "vendor_owner_id": owner,
        "vendor_type": "BUSINESS",
        "contacts": [contact["id"]],
        "is_active": True,
        "created_at": stamp(i),
        "external_vendor_id": f"vendor-{i:05d}",
        "_accounting_ramp_id": ident(f"accounting-vendor:GEN-{i:05d}") if linked else None,
    }
    return vendor, contact
