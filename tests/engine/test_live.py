"""One switch from a state entry's kind and Ramp id to the live record."""

from __future__ import annotations

from typing import Any

from rampctl.engine.live import live_record
from rampctl.engine.view import accounting_vendor_view, user_view, vendor_view
from rampctl.ramp.models import Vendor
from tests.engine.conftest import BOB, accounting_vendor, snapshot, vendor


def test_each_kind_reads_its_own_record_and_a_missing_object_is_none() -> None:
    live, item = vendor("v1", "Acme"), accounting_vendor("a1", "QB-1", "Acme")
    snap = snapshot([live], [item])
    assert live_record(snap, "vendor", "v1") == vendor_view(live, snap.users)
    assert live_record(snap, "accounting_vendor", "a1") == accounting_vendor_view(item)
    assert live_record(snap, "user", BOB) == user_view(snap.users[BOB], snap.users)
    for kind in ("vendor", "accounting_vendor", "user", "bill"):
        assert live_record(snap, kind, "gone") is None


def test_a_kept_vendor_record_is_used_when_given() -> None:
    snap = snapshot([vendor("v1", "Acme")])
    kept: dict[str, Any] = {"name": "kept"}

    def read(live: Vendor) -> dict[str, Any]:
        return kept

    assert live_record(snap, "vendor", "v1", read) is kept
