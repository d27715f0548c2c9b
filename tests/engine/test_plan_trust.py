"""The saved plan's choice of changes must be exactly the one a plan made now gives."""

from __future__ import annotations

import dataclasses
import json

import pytest

from rampctl.engine.changes import Action, Change, FieldChange, Level
from rampctl.engine.plan import Plan, PlanSelection, checksum
from rampctl.engine.plan_trust import check_requests
from rampctl.errors import ExitCode, StalePlanError


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
