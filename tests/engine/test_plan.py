"""The plan file: JSON through pydantic, versioning, checksum, masking."""

from __future__ import annotations

import json

import pytest

from rampctl.engine.changes import Action, Change, Drift, FieldChange, Level, Unmanaged
from rampctl.engine.plan import Plan
from rampctl.errors import PlanError


def _plan() -> Plan:
    change = Change(
        address="vendor/a",
        kind="vendor",
        action=Action.UPDATE,
        name="A",
        ramp_id="r1",
        key="a",
        fields=(FieldChange(path="description", before="x", after="y"),),
        request={"description": "y"},
        level=Level.VENDORS,
    )
    return Plan(
        changes=[change],
        drift=[
            Drift(
                address="vendor/a",
                kind="vendor",
                name="A",
                fields=(FieldChange(path="state", before="CA", after="NY"),),
            )
        ],
        unmanaged=[Unmanaged(kind="vendor", ramp_id="r9", name="Other")],
        environment="sandbox",
        business_id="b1",
        lineage="L",
        serial=4,
        manifest_digest="d",
        fingerprints={"vendor/a": "f"},
        created_at="2026-01-01T00:00:00+00:00",
    )


def test_plan_file_round_trips() -> None:
    plan = _plan()
    again = Plan.loads(plan.dumps())
    assert again.to_json() == plan.to_json()
    assert again.changes == plan.changes


def test_edited_plan_file_is_refused() -> None:
    data = json.loads(_plan().dumps())
    data["changes"][0]["request"]["description"] = "something else"
    with pytest.raises(PlanError, match="checksum mismatch"):
        Plan.loads(json.dumps(data))


def test_newer_major_format_is_refused_and_minor_accepted() -> None:
    data = json.loads(_plan().dumps())
    data["format_version"] = "2.0"
    with pytest.raises(PlanError, match="not supported"):
        Plan.loads(json.dumps(data))


def test_not_json_is_a_plan_error() -> None:
    with pytest.raises(PlanError, match="not a plan file"):
        Plan.loads("{nope")


def test_plan_json_follows_its_documented_schema() -> None:
    import jsonschema

    from rampctl.render.schema import plan_schema

    jsonschema.validate(json.loads(_plan().dumps()), plan_schema())


def _resealed(data: dict[str, object]) -> str:
    """A plan document with a checksum that matches it (a file written wrong, not edited)."""
    from rampctl.engine.plan import checksum

    data.pop("checksum", None)
    return json.dumps({**data, "checksum": checksum(data)})


def test_a_plan_file_of_the_wrong_shape_is_a_plan_error_naming_the_field() -> None:
    data = json.loads(_plan().dumps())
    del data["changes"][0]["action"]
    with pytest.raises(PlanError, match=r"not a plan file: changes\.0\.action"):
        Plan.loads(_resealed(data))
    data = json.loads(_plan().dumps())
    data["changes"][0]["action"] = "explode"
    with pytest.raises(PlanError, match=r"changes\.0\.action"):
        Plan.loads(_resealed(data))


def test_a_format_1_0_plan_file_without_money_or_replacements_loads() -> None:
    data = json.loads(_plan().dumps())
    data["format_version"] = "1.0"
    del data["money"]
    del data["safety"]["replacements"]
    plan = Plan.loads(_resealed(data))
    assert plan.money == _plan().money and plan.safety.replacements == ()
    assert plan.changes == _plan().changes


def test_sensitive_values_are_masked_in_the_plan_file() -> None:
    change = Change(
        address="vendor/a",
        kind="vendor",
        action=Action.UPDATE,
        name="A",
        ramp_id="v1",
        fields=(FieldChange(path="bank.account_number", before="111", after="222"),),
    )
    text = Plan(changes=[change]).dumps()
    assert "111" not in text and "222" not in text
    assert json.loads(text)["changes"][0]["fields"][0] == {
        "path": "bank.account_number",
        "before": "(sensitive)",
        "after": "(sensitive)",
    }
