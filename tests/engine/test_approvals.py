"""What became of a vendor edit recorded as waiting for approval (engine.approvals)."""

from __future__ import annotations

from typing import Any

from rampctl.engine.approvals import contacts_settled, decided, settled, unkept
from rampctl.engine.changes import FieldChange
from rampctl.ramp.models import VendorContact

SENT = {"requested_at": "2026-11-01T10:00:00+00:00", "fields": {"owner": "alice@x.example"}}
RECORDED: dict[str, Any] = {"owner": "frank@x.example", "pending": SENT}


def test_still_waiting_is_not_decided() -> None:
    live = {"owner": "frank@x.example", "pending": dict(SENT)}
    assert not decided(RECORDED, live)
    assert unkept(RECORDED, live) == []
    assert settled(RECORDED, live) is None


def test_an_approved_edit_settles_to_its_values_and_no_pending_record() -> None:
    live = {"owner": "alice@x.example", "pending": None}
    assert unkept(RECORDED, live) == []
    assert settled(RECORDED, live) == {"owner": "alice@x.example", "pending": None}


def test_a_value_not_in_force_is_unkept_and_not_settled() -> None:
    live = {"owner": "frank@x.example", "pending": None}
    assert unkept(RECORDED, live) == [
        FieldChange(path="owner", before="alice@x.example", after="frank@x.example")
    ]
    assert settled(RECORDED, live) is None


def test_another_edit_waiting_means_the_recorded_one_was_decided() -> None:
    other = {"requested_at": "2026-11-02T10:00:00+00:00", "fields": {"owner": "bob@x.example"}}
    live = {"owner": "frank@x.example", "pending": other}
    assert [f.path for f in unkept(RECORDED, live)] == ["owner"]


def test_an_address_is_compared_part_by_part() -> None:
    sent = {"requested_at": "t", "fields": {"address": {"city": "Oslo", "line1": "1 A St"}}}
    recorded = {"address": {"city": "Bergen", "line1": "1 A St"}, "pending": sent}
    live = {"address": {"city": "Bergen", "line1": "1 A St"}, "pending": None}
    assert unkept(recorded, live) == [
        FieldChange(path="address.city", before="Oslo", after="Bergen")
    ]


def test_nothing_recorded_is_nothing_to_decide() -> None:
    assert not decided({"owner": "a", "pending": None}, {"owner": "b", "pending": None})


def test_contacts_still_waiting_stay_recorded_decided_ones_go() -> None:
    recorded = {
        "contact_ids": ["c1"],
        "contacts_pending": {"a@x.example": "t1", "b@x.example": "t2"},
    }
    live = {"contact_ids": ["c1", "c2"]}
    listed = [
        VendorContact(id="c2", email="a@x.example"),
        VendorContact(id="c3", email="B@x.example", approval_status="pending_approval"),
    ]
    assert contacts_settled(recorded, live, listed) == {
        "contact_ids": ["c1", "c2"],
        "contacts_pending": {"b@x.example": "t2"},
    }
    assert contacts_settled(recorded, live, None) is None  # not read: nothing decided
    assert contacts_settled({"contact_ids": []}, live, listed) is None
