"""Apply's rules before writing: scopes, safety and payment refusals, manual contacts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rampctl.engine.bill_money import Money
from rampctl.engine.changes import Action, Change, FieldChange
from rampctl.engine.plan import Plan
from rampctl.engine.policy import (
    manual_contacts,
    refuse_payments,
    refuse_unsafe,
    write_scopes,
)
from rampctl.engine.safety import SafetyReport
from rampctl.errors import UnsafePlanError
from rampctl.model.desired import DesiredGraph
from rampctl.state.model import ResourceState, State


def _graph(**kinds: dict[str, object]) -> DesiredGraph:
    return DesiredGraph(vendors={}, accounting_vendors={}, digest="d", **kinds)  # type: ignore[arg-type]


def test_write_scopes_leave_bills_out_of_a_vendors_only_project() -> None:
    scopes = write_scopes(_graph(), State.new())
    assert "vendors:write" in scopes
    assert "accounting:write" in scopes
    assert "bills:write" not in scopes
    assert "vendors:read" in scopes


def test_write_scopes_include_bills_when_the_state_has_one() -> None:
    entry = ResourceState(kind="bill", ramp_id="b1", fingerprint="f")
    state = State.new().with_resource("bill/rent", entry)
    assert "bills:write" in write_scopes(_graph(), state)


def test_write_scopes_include_bills_when_manifests_declare_one() -> None:
    assert "bills:write" in write_scopes(_graph(bills={"bill/rent": object()}), State.new())


def test_unsafe_plan_needs_allow_deletes_and_replacement_allow_replace() -> None:
    plan = Plan(changes=[], safety=SafetyReport(reasons=("deletes 5 of 10",)))
    with pytest.raises(UnsafePlanError, match="--allow-deletes"):
        refuse_unsafe(plan, allow_deletes=False, allow_replace=False)
    refuse_unsafe(plan, allow_deletes=True, allow_replace=False)
    replacing = Plan(changes=[], safety=SafetyReport(replacements=("vendor/a",)))
    with pytest.raises(UnsafePlanError, match="--allow-replace"):
        refuse_unsafe(replacing, allow_deletes=True, allow_replace=False)
    refuse_unsafe(replacing, allow_deletes=False, allow_replace=True)


def test_payments_over_the_limit_are_refused_unless_allowed() -> None:
    money = Money.from_json({"payments": {"totals": {"USD": "1200.00"}}})
    with pytest.raises(UnsafePlanError, match=r"refusing to move money: .*USD 1200\.00"):
        refuse_payments(money, allow_payments=False, limit=Decimal(1000), interactive=False)
    refuse_payments(money, allow_payments=True, limit=Decimal(1000), interactive=False)
    refuse_payments(money, allow_payments=False, limit=Decimal(5000), interactive=False)
    refuse_payments(money, allow_payments=False, limit=None, interactive=True)
    with pytest.raises(UnsafePlanError):
        refuse_payments(money, allow_payments=False, limit=None, interactive=False)


def test_manual_contacts_are_the_manual_changes_to_a_contact() -> None:
    contact = FieldChange(path="contact.email", before="a@x.example", after="b@x.example")
    other = FieldChange(path="name", before="A", after="B")
    changes = [
        Change(
            address="vendor/a", kind="vendor", action=Action.MANUAL, name="A", fields=(contact,)
        ),
        Change(address="vendor/b", kind="vendor", action=Action.MANUAL, name="B", fields=(other,)),
        Change(
            address="vendor/c", kind="vendor", action=Action.UPDATE, name="C", fields=(contact,)
        ),
    ]
    assert manual_contacts(changes) == {"vendor/a"}
