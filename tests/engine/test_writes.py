"""Lookups by key after an uncertain write check the key again on every object returned."""

from __future__ import annotations

from typing import Any

import pytest

from rampctl.engine import writes
from rampctl.engine.bill_live import vendor_bills
from rampctl.engine.changes import Action, Change
from rampctl.errors import OutcomeUncertainError, PlanError, RampNotFoundError
from rampctl.ramp.models import Vendor
from tests.engine.conftest import vendor

OTHER = Vendor(id="ven_other", name="Other", external_vendor_id="other-key")


class FilterIgnoringClient:
    """A client whose lists ignore their filters and whose creates end uncertain."""

    def __init__(self, vendors: list[Vendor], bills: list[Any] | None = None) -> None:
        self.vendors = vendors
        self.bills = bills or []

    def create_vendor(self, body: Any) -> Vendor:
        raise OutcomeUncertainError("outcome unknown after HTTP 504")

    def list_vendors(self, **filters: Any) -> list[Vendor]:
        return list(self.vendors)

    def list_bills(self, **filters: Any) -> list[Any]:
        return list(self.bills)


def _create(key: str) -> Change:
    return Change(
        address=f"vendor/{key}",
        kind="vendor",
        action=Action.CREATE,
        name="New",
        key=key,
        request={
            "name": "New",
            "country": "US",
            "vendor_owner_id": "usr_1",
            "business_vendor_contacts": {"email": "a@b.example"},
        },
    )


def test_an_uncertain_create_never_adopts_a_vendor_with_another_key() -> None:
    client: Any = FilterIgnoringClient([OTHER])
    with pytest.raises(OutcomeUncertainError):
        writes.perform(client, _create("new-key"))


def test_an_uncertain_create_adopts_the_vendor_with_its_key() -> None:
    mine = Vendor(id="ven_mine", name="New", external_vendor_id="new-key")
    client: Any = FilterIgnoringClient([OTHER, mine])
    assert writes.perform(client, _create("new-key")).vendor == mine


def test_vendor_bills_keeps_only_that_vendors_bills() -> None:
    class _Ref:
        def __init__(self, vendor_id: str) -> None:
            self.id = vendor_id

    class _Bill:
        def __init__(self, vendor_id: str) -> None:
            self.vendor = _Ref(vendor_id)

    client: Any = FilterIgnoringClient([], [_Bill("ven_a"), _Bill("ven_b")])
    assert [b.vendor.id for b in vendor_bills(client, "ven_a")] == ["ven_a", "ven_a"]


def test_uncertain_patch_is_done_only_when_every_field_holds() -> None:
    address = {"address_line_1": "1 Old St", "city": "SF", "postal_code": "94105"}
    live = vendor("v1", "Acme", address=address, description=None)
    assert not writes.vendor_has(live, {"address": {**address, "address_line_1": "2 New St"}})
    assert writes.vendor_has(live, {"address": address})
    assert writes.vendor_has(live, {"description": ""})  # an empty description clears it
    assert not writes.vendor_has(live, {"description": "Hosting"})


class NoContactEndpoint:
    """A Ramp whose vendors exist but which has no contact-creation endpoint (404)."""

    def __init__(self, *, vendor_gone: bool = False) -> None:
        self.vendor_gone = vendor_gone

    def get_vendor(self, vendor_id: str) -> Vendor:
        return vendor(vendor_id, "Acme")

    def create_vendor_contact(self, vendor_id: str, body: Any) -> Any:
        raise RampNotFoundError("not found", method="POST", path="/contacts", status=404)

    def list_vendor_contacts(self, vendor_id: str) -> list[Any]:
        if self.vendor_gone:
            raise RampNotFoundError("not found", method="GET", path="/contacts", status=404)
        return []


def _with_contacts() -> Change:
    return Change(
        address="vendor/acme",
        kind="vendor",
        action=Action.UPDATE,
        name="Acme",
        ramp_id="ven_1",
        contacts=({"email": "ops@acme.example", "is_default": False},),
    )


def test_a_missing_contact_endpoint_leaves_the_contacts_manual_not_failed() -> None:
    client: Any = NoContactEndpoint()
    result = writes.perform(client, _with_contacts())
    assert result.contacts_unsupported == ("ops@acme.example",)
    assert result.vendor is not None and result.contacts_pending == ()


def test_a_contact_post_not_found_because_the_vendor_is_gone_fails() -> None:
    client: Any = NoContactEndpoint(vendor_gone=True)
    with pytest.raises(RampNotFoundError):
        writes.perform(client, _with_contacts())


class DeactivatingClient(FilterIgnoringClient):
    """Lists ignore their filters; deactivations are recorded."""

    deactivated: list[str]

    def deactivate_user(self, user_id: str) -> None:
        self.deactivated = [*getattr(self, "deactivated", []), user_id]


def _deactivate(user_id: str) -> Change:
    return Change(
        address="user/dana", kind="user", action=Action.DEACTIVATE, name="Dana", ramp_id=user_id
    )


def test_a_user_still_owning_an_active_vendor_is_not_deactivated() -> None:
    owned = vendor("v1", "Blue Sun Corp", vendor_owner_id="usr_dana")
    client: Any = DeactivatingClient([owned, vendor("v2", "Not Hers")])
    with pytest.raises(PlanError, match=r"still owns 1 active vendor in Ramp \(Blue Sun Corp\)"):
        writes.perform(client, _deactivate("usr_dana"))
    assert not hasattr(client, "deactivated")


def test_a_user_owning_only_inactive_or_others_vendors_is_deactivated() -> None:
    old = vendor("v1", "Old", vendor_owner_id="usr_dana", is_active=False)
    client: Any = DeactivatingClient([old, vendor("v2", "Not Hers")])
    assert writes.perform(client, _deactivate("usr_dana")).removed
    assert client.deactivated == ["usr_dana"]
