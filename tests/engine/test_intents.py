"""Vendor writes an earlier run left unrecorded, recognised from their journaled intent."""

from __future__ import annotations

from typing import Any

from rampctl.engine.changes import Action, Change, FieldChange
from rampctl.engine.intents import Intent, intent_record, is_intended, settle
from rampctl.engine.view import vendor_view
from rampctl.ramp.models import VendorContact
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
