"""Seeds: the demo business exactly as documented, empty, and the deterministic generator."""

from __future__ import annotations

import pytest

from rampctl.sandbox import seed_demo
from rampctl.sandbox.seed import MAX_GENERATED, seed
from rampctl.sandbox.store import Filter, Store


def _seeded(name: str) -> Store:
    store = Store(None)
    seed(store, name)
    return store


def test_demo_business_matches_the_readme() -> None:
    store = _seeded("demo")
    users = {u["email"]: u["role"] for u in store.find("user")}
    assert len(users) == 8
    assert users["alice.chen@northwind.example"] == "BUSINESS_OWNER"
    assert users["carol.diaz@northwind.example"] == "BUSINESS_BOOKKEEPER"
    accounting = [(a["id"], a["name"], a["code"]) for a in store.find("accounting_vendor")]
    assert len(accounting) == 12 and accounting[8] == ("QB-1009", "Vandelay Imports", "VANDELAY")
    vendors = {v["name"]: v for v in store.find("vendor")}
    assert list(vendors) == [
        "Acme Cloud Inc.",
        "Globex Logistics",
        "Initech Software",
        "Umbrella Insurance",
        "Vandelay Imports",
    ]
    assert vendors["Vandelay Imports"]["is_active"] is False
    assert vendors["Umbrella Insurance"]["external_vendor_id"] is None
    bills = {
        b["invoice_number"]: (
            b["_vendor_id"],
            b["_payment_method"],
            b["amount"]["amount"],
            b["status"],
        )
        for b in store.find("bill")
    }
    acme, globex = seed_demo.vendor_id("acme"), seed_demo.vendor_id("globex")
    assert bills == {
        "INV-1001": (acme, "ACH", 120000, "OPEN"),
        "INV-1002": (acme, "CHECK", 35050, "OPEN"),
        "GX-77": (globex, "PAID_MANUALLY", 98000, "PAID"),
    }
    names = [a["external_name"] for e in store.find("entity") for a in e["accounts"]]
    assert names == ["Operating Checking", "UK Operating"]


def test_demo_is_deterministic() -> None:
    assert _seeded("demo").find("vendor") == _seeded("demo").find("vendor")


def test_empty_has_no_vendors() -> None:
    store = _seeded("empty")
    assert store.count("vendor") == 0 and store.count("entity") == 2


def test_generator_shape() -> None:
    store = _seeded("5000")
    assert store.count("vendor") == 5000 and store.count("contact") == 5000
    assert store.count("user") == 1000 and store.count("accounting_vendor") == 500
    linked = store.count("vendor", [Filter(path="$._accounting_ramp_id", op="IS NOT", value=None)])
    assert linked == 500
    assert _seeded("30").find("vendor") == _seeded("30").find("vendor")


@pytest.mark.parametrize("name", ["bogus", str(MAX_GENERATED + 1), "-1"])
def test_unknown_seed(name: str) -> None:
    with pytest.raises(ValueError, match="unknown seed"):
        _seeded(name)
