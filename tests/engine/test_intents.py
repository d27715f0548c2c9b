"""Vendor writes an earlier run left unrecorded, recognised from their journaled intent."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from rampctl.engine.changes import Action, Change, FieldChange
from rampctl.engine.intents import Intent, intent_record, is_intended, journaled_intents, settle
from rampctl.engine.view import vendor_view
from rampctl.ramp.models import VendorContact
from rampctl.state.journal import Journal
from rampctl.state.model import ResourceState, State
from tests.engine.conftest import BUSINESS, snapshot, vendor

RENAMED = vendor("v1", "Cyberdyne Systems")
INTENT = Intent(address="vendor/cyberdyne", ramp_id="v1", fields={"name": "Cyberdyne Systems"})


def _state(name: str = "Cyberdyne Security", **extra: Any) -> State:
    view = vendor_view(vendor("v1", name), snapshot().users)
    entry = ResourceState(
        kind="vendor", ramp_id="v1", fingerprint="f", attributes={**view, **extra}
    )
    return State(
        format_version=1,
        serial=3,
        lineage="l",
        environment="sandbox",
        business_id=BUSINESS,
        resources={"vendor/cyberdyne": entry},
    )


def test_a_write_ramp_carried_out_is_recorded() -> None:
    [(address, entry)] = settle(_state(), [INTENT], snapshot([RENAMED])).items()
    assert address == "vendor/cyberdyne"
    assert entry.attributes["name"] == "Cyberdyne Systems"
    assert entry.fingerprint != "f"


def test_a_write_ramp_did_not_carry_out_is_not_recorded() -> None:
    assert settle(_state(), [INTENT], snapshot([vendor("v1", "Cyberdyne Security")])) == {}


def test_another_value_in_ramp_is_not_taken_for_the_write() -> None:
    assert settle(_state(), [INTENT], snapshot([vendor("v1", "Someone Else")])) == {}


def test_an_intent_for_another_ramp_id_is_ignored() -> None:
    other = Intent(address="vendor/cyberdyne", ramp_id="v2", fields={"name": "Cyberdyne Systems"})
    assert settle(_state(), [other], snapshot([RENAMED])) == {}


def test_contacts_made_are_recorded_once_all_are_listed() -> None:
    live = vendor("v1", "Cyberdyne Security", contacts=["c1", "c2"])
    made = Intent(address="vendor/cyberdyne", ramp_id="v1", fields={}, contacts=("ops@x.example",))
    found = snapshot([live])
    assert settle(_state(), [made], found) == {}  # contacts not read: not recognised
    found.contacts["v1"] = [VendorContact(id="c2", email="Ops@X.example")]
    [entry] = settle(_state(), [made], found).values()
    assert entry.attributes["contact_ids"] == ["c1", "c2"]


def test_a_contact_ramp_holds_is_recorded_waiting_since_the_intent() -> None:
    live = vendor("v1", "Cyberdyne Security", contacts=["c1"])
    made = Intent(
        address="vendor/cyberdyne",
        ramp_id="v1",
        fields={},
        contacts=("ops@x.example",),
        sent="2026-12-01T05:00:00+00:00",
    )
    found = snapshot([live])
    held = VendorContact(id="c2", email="ops@x.example", approval_status="pending_approval")
    found.contacts["v1"] = [VendorContact(id="c1", email="a@x.example"), held]
    [entry] = settle(_state(), [made], found).values()
    assert entry.attributes["contacts_pending"] == {"ops@x.example": "2026-12-01T05:00:00+00:00"}
    assert entry.attributes["contact_ids"] == ["c1"]  # Ramp's list leaves the waiting one out


def test_a_contact_recorded_waiting_keeps_the_time_it_was_first_sent() -> None:
    made = Intent(
        address="vendor/cyberdyne", ramp_id="v1", fields={}, contacts=("ops@x.example",), sent="t2"
    )
    found = snapshot([vendor("v1", "Cyberdyne Security")])
    found.contacts["v1"] = [
        VendorContact(id="c2", email="ops@x.example", approval_status="pending_approval")
    ]
    assert settle(_state(contacts_pending={"ops@x.example": "t1"}), [made], found) == {}


def test_the_journal_time_of_an_intent_is_its_sending_time(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal")
    journal.intend(op_id="op1", address="vendor/cyberdyne", action="update", key="k")
    journal.append(intent_record("op1", contact_update()))
    [intent] = journaled_intents(journal)
    assert intent.contacts == ("ops@x.example",)
    assert dt.datetime.fromisoformat(intent.sent).microsecond == 0  # to the second, as apply


def contact_update() -> Change:
    """An update of vendor/cyberdyne that adds one contact (shared by the settling tests)."""
    return Change(
        address="vendor/cyberdyne",
        kind="vendor",
        action=Action.UPDATE,
        name="Cyberdyne Security",
        ramp_id="v1",
        contacts=({"email": "ops@x.example", "is_default": False},),
    )


def test_only_updates_of_existing_objects_carry_an_intent() -> None:
    update = Change(
        address="vendor/cyberdyne",
        kind="vendor",
        action=Action.UPDATE,
        name="Cyberdyne Security",
        ramp_id="v1",
        fields=(
            FieldChange(path="name", before="Cyberdyne Security", after="Cyberdyne Systems"),
            FieldChange(path="contacts[ops@x.example]", before=None, after={"email": "o"}),
        ),
        request={"name": "Cyberdyne Systems"},
        contacts=({"email": "ops@x.example", "is_default": False},),
    )
    assert is_intended(update)
    record = intent_record("op1", update)
    assert record["fields"] == {"name": "Cyberdyne Systems"}
    assert record["contacts"] == ["ops@x.example"]
    create = Change(address="vendor/n", kind="vendor", action=Action.CREATE, name="N", request={})
    assert not is_intended(create)
