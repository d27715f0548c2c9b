"""Builders for hand-made live snapshots that importer tests draft from."""

from __future__ import annotations

from typing import Any

from rampctl.engine.snapshot import Snapshot
from rampctl.ramp.models import AccountingVendor, Business, User, Vendor, VendorContact

BUSINESS = "b-1"


def user(handle: str) -> User:
    """An active user `handle@example.test` with id `u-handle`."""
    return User(id=f"u-{handle}", email=f"{handle}@example.test", status="USER_ACTIVE")


def vendor(vid: str, name: str, *, created: str = "2024-01-01T00:00:00Z", **extra: Any) -> Vendor:
    """A live vendor; `extra` sets any other field (external_vendor_id, is_active, ...)."""
    data: dict[str, Any] = {"id": vid, "name": name, "country": "US", "created_at": created}
    data.update(extra)
    return Vendor(**data)


def contact(cid: str, email: str, **extra: Any) -> VendorContact:
    """A live vendor contact."""
    return VendorContact(id=cid, email=email, **extra)


def accounting(remote: str, name: str, **extra: Any) -> AccountingVendor:
    """A live accounting vendor with ramp id `av-<remote>`."""
    return AccountingVendor(ramp_id=f"av-{remote}", id=remote, name=name, **extra)


def snapshot(
    vendors: list[Vendor],
    *,
    users: list[User] | None = None,
    accounting_vendors: list[AccountingVendor] | None = None,
    contacts: dict[str, list[VendorContact]] | None = None,
) -> Snapshot:
    """A snapshot of business `b-1` holding these objects."""
    return Snapshot(
        business=Business(id=BUSINESS),
        users={u.id: u for u in users or [user("alice")]},
        vendors={v.id: v for v in vendors},
        accounting_vendors={a.ramp_id: a for a in accounting_vendors or []},
        entities={},
        contacts=contacts or {},
    )
