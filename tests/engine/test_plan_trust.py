"""A saved plan's changes must be exactly the ones a plan made now gives, and its money
section exactly the one its changes imply."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from rampctl.engine.bill_money import MoneyBill, MoneyLine, MoneySection, summarise
from rampctl.engine.changes import Action, Change, FieldChange, Level
from rampctl.engine.plan import Plan, PlanSelection, checksum
from rampctl.engine.plan_trust import check_consistent, check_money, check_requests
from rampctl.errors import ExitCode, PlanError, StalePlanError


def _change(address: str, action: Action, description: str = "y") -> Change:
    return Change(
        address=address,
        kind="vendor",
        action=action,
        name=address,
        ramp_id="r-" + address,
        key=address,
        fields=(FieldChange(path="description", before="x", after=description),),
        request={"description": description},
        level=Level.VENDORS,
    )


def _plan(*changes: Change, targets: tuple[str, ...] = ()) -> Plan:
    return Plan(
        changes=list(changes),
        fingerprints={c.address: "f" for c in changes},
        selection=PlanSelection(targets=targets),
    )


UPDATE = _change("vendor/a", Action.UPDATE)
DELETE = _change("vendor/b", Action.DELETE)


def test_the_same_changes_in_another_order_are_accepted() -> None:
    check_requests(_plan(UPDATE, DELETE), _plan(DELETE, UPDATE))


def test_an_added_change_is_refused_naming_it_and_the_selection() -> None:
    with pytest.raises(StalePlanError) as refused:
        check_requests(_plan(UPDATE, DELETE, targets=("vendor/a",)), _plan(UPDATE))
    assert refused.value.exit_code == ExitCode.STALE
    assert "vendor/b (delete): not in a plan made now" in str(refused.value)
    assert "--target vendor/a" in str(refused.value)


def test_a_missing_change_is_refused() -> None:
    with pytest.raises(StalePlanError, match=r"vendor/b \(delete\): missing from the plan file"):
        check_requests(_plan(UPDATE), _plan(UPDATE, DELETE))


def test_a_changed_request_is_refused() -> None:
    edited = _change("vendor/a", Action.UPDATE, description="z")
    with pytest.raises(StalePlanError, match=r"vendor/a \(update\): its request is not"):
        check_requests(_plan(edited), _plan(UPDATE))


def test_a_duplicated_change_is_refused() -> None:
    with pytest.raises(StalePlanError, match=r"the file has 2, a plan made now 1"):
        check_requests(_plan(UPDATE, UPDATE), _plan(UPDATE))


def test_a_dropped_fingerprint_is_refused() -> None:
    saved = dataclasses.replace(_plan(UPDATE), fingerprints={})
    with pytest.raises(StalePlanError, match="live objects it checks"):
        check_requests(saved, _plan(UPDATE))


def test_the_selection_round_trips_and_an_older_file_reads_as_untargeted() -> None:
    plan = _plan(UPDATE, targets=("vendor/*",))
    plan.selection = PlanSelection(targets=("vendor/*",), excludes=("bill/*",), refresh_deep=True)
    assert Plan.loads(plan.dumps()).selection == plan.selection
    data = json.loads(plan.dumps())
    data["format_version"] = "1.3"
    del data["selection"], data["checksum"]
    old = Plan.loads(json.dumps({**data, "checksum": checksum(data)}))
    assert old.selection == PlanSelection()
    assert old.selection.describe() == "all changes (no --target or --exclude)"


def _bill_update(address: str = "bill/a", number: str = "INV-1") -> Change:
    """A bill update raising its one line from 100.00 to 150.00."""
    return Change(
        address=address,
        kind="bill",
        action=Action.UPDATE,
        name=f"Acme {number}",
        ramp_id="r-" + address,
        key=f"v-1:{number}",
        fields=(
            FieldChange(path="line_items", before=[], after=[]),
            FieldChange(path="total", before="100.00", after="150.00"),
        ),
        request={"line_items": [{"amount": "150.00", "memo": "Hosting"}]},
        level=Level.BILLS,
    )


def _bill_entry(change: Change) -> MoneyBill:
    number = (change.key or "").partition(":")[2]
    return MoneyBill(
        address=change.address,
        action="update",
        section="update",
        name=change.name,
        invoice_number=number,
        currency="USD",
        total="150.00",
        before_total="100.00",
        payment_method="ACH",
        pays_on="2026-01-01",
        new_payment="50.00",
        lines=(MoneyLine(memo="Hosting", amount="150.00"),),
    )


def _bill_plan(changes: list[Change], entries: list[MoneyBill]) -> Plan:
    return Plan(changes=changes, money=summarise(entries))


BILL_A, BILL_B = _bill_update("bill/a", "INV-1"), _bill_update("bill/b", "INV-2")


def test_money_entries_as_their_changes_imply_them_are_accepted() -> None:
    check_consistent(_bill_plan([BILL_A, BILL_B], [_bill_entry(BILL_A), _bill_entry(BILL_B)]))


@pytest.mark.parametrize(
    "edit",
    [
        {"before_total": "150.00", "new_payment": None},  # hides the raise
        {"name": "Other INV-9"},
        {"invoice_number": "INV-9"},
        {"action": "adopt"},
        {"section": "archive"},
    ],
)
def test_an_edited_money_entry_is_refused(edit: dict[str, Any]) -> None:
    entry = dataclasses.replace(_bill_entry(BILL_A), **edit)
    with pytest.raises(PlanError, match="bill/a: the money shown is not what its request"):
        check_consistent(_bill_plan([BILL_A], [entry]))


def test_reordered_money_entries_are_refused() -> None:
    entries = [_bill_entry(BILL_B), _bill_entry(BILL_A)]
    with pytest.raises(PlanError, match="was the file edited"):
        check_consistent(_bill_plan([BILL_A, BILL_B], entries))


def test_a_money_entry_with_no_change_is_refused() -> None:
    archive = dataclasses.replace(
        _bill_entry(BILL_B), action="archive", section="archive", new_payment=None
    )
    with pytest.raises(PlanError, match="bill/b: money shown with no change"):
        check_consistent(_bill_plan([BILL_A], [_bill_entry(BILL_A), archive]))


def test_a_change_with_no_money_entry_is_refused() -> None:
    with pytest.raises(PlanError, match="bill/b: no money shown for it"):
        check_consistent(_bill_plan([BILL_A, BILL_B], [_bill_entry(BILL_A)]))


def test_an_archive_entry_changes_no_total() -> None:
    archive = dataclasses.replace(BILL_A, action=Action.ARCHIVE, fields=(), request=None)
    kept = dataclasses.replace(
        _bill_entry(BILL_A),
        action="archive",
        section="archive",
        total="100.00",
        new_payment=None,
        lines=(MoneyLine(memo="Hosting", amount="100.00"),),
    )
    check_consistent(_bill_plan([archive], [kept]))
    lowered = dataclasses.replace(kept, before_total="90.00")
    with pytest.raises(PlanError, match="bill/a: the money shown is not"):
        check_consistent(_bill_plan([archive], [lowered]))


def test_a_summary_that_is_not_the_sum_of_the_entries_is_refused() -> None:
    plan = _bill_plan([BILL_A], [_bill_entry(BILL_A)])
    plan.money = dataclasses.replace(plan.money, payments=MoneySection())
    with pytest.raises(PlanError, match="money totals are not the sum"):
        check_consistent(plan)


def test_money_that_ramp_does_not_give_now_is_refused_as_edited() -> None:
    saved = _bill_plan([BILL_A], [_bill_entry(BILL_A)])
    check_money(saved, saved.money)
    now = summarise([dataclasses.replace(_bill_entry(BILL_A), pays_on="2026-02-01")])
    with pytest.raises(StalePlanError) as refused:
        check_money(saved, now)
    assert refused.value.exit_code == ExitCode.STALE
    assert "bill/a: its money entry is not what Ramp gives now" in str(refused.value)
