"""--target / --exclude: a saved plan applies only what was targeted; a typo is an error."""

from __future__ import annotations

import json
from typing import Any

from tests.functional.conftest import Project


def _state(project: Project) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((project.root / "rampctl.state.json").read_text())
    return data["resources"]


def test_target_with_a_saved_plan_applies_only_the_targeted_change(project: Project) -> None:
    assert project.rampctl("plan", "--out", "plan.json").code == 0
    project.sandbox.clear_log()
    result = project.rampctl("apply", "plan.json", "--target", "vendor/initech")
    assert result.code == 0, result.out + result.err
    [initech] = project.vendor_by_key("initech")
    assert project.writes() == [f"PATCH /developer/v1/vendors/{initech['id']}"]
    # its accounting vendor is a dependency: adopted (no write), nothing else
    assert set(_state(project)) == {"vendor/initech", "accounting_vendor/initech"}
    assert project.vendor_by_key("hooli-telecom") == []


def test_target_with_a_saved_plan_brings_its_dependencies(project: Project) -> None:
    assert project.rampctl("plan", "--out", "plan.json").code == 0
    result = project.rampctl("apply", "plan.json", "--target", "vendor/hooli-telecom")
    assert result.code == 0, result.out + result.err
    assert set(_state(project)) == {"vendor/hooli-telecom", "accounting_vendor/hooli-telecom"}


def test_exclude_with_a_saved_plan_refuses_when_a_kept_change_needs_it(project: Project) -> None:
    assert project.rampctl("plan", "--out", "plan.json").code == 0
    project.sandbox.clear_log()
    result = project.rampctl("apply", "plan.json", "--exclude", "accounting_vendor/hooli-telecom")
    assert result.code == 1
    assert "vendor/hooli-telecom needs accounting_vendor/hooli-telecom" in result.err
    assert project.writes() == []
    assert not (project.root / "rampctl.state.json").exists()


def test_a_pattern_that_matches_nothing_is_an_error_with_the_closest_addresses(
    project: Project,
) -> None:
    assert project.rampctl("plan", "--out", "plan.json").code == 0
    project.sandbox.clear_log()
    for args in (
        ("plan", "--target", "vendor/initek"),
        ("apply", "--auto-approve", "--target", "vendor/initek"),
        ("apply", "plan.json", "--target", "vendor/initek"),
    ):
        result = project.rampctl(*args)
        assert result.code == 1, (args, result.err)
        assert "--target 'vendor/initek' matches no address (closest: vendor/initech" in (
            result.err
        )
    excluded = project.rampctl("plan", "--exclude", "vendors")
    assert excluded.code == 1
    assert "--exclude 'vendors' matches no address" in excluded.err
    assert project.writes() == []


def _rename_in_ramp(project: Project, key: str, name: str) -> None:
    """A person renames a managed vendor in Ramp (drift)."""
    [live] = project.vendor_by_key(key)
    with project.api() as api:
        assert api.patch(f"/vendors/{live['id']}", json={"name": name}).status_code == 200


def _drifted(project: Project, *args: str) -> list[str]:
    result = project.rampctl("plan", "--json", *args)
    assert result.code == 0, result.out + result.err
    return [d["address"] for d in json.loads(result.out)["drift"]]


def test_drift_follows_target_and_exclude_and_a_targeted_apply_keeps_the_rest(
    project: Project,
) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    _rename_in_ramp(project, "initech", "Initech Global")
    _rename_in_ramp(project, "hooli-telecom", "Hooli Mobile")
    both = ["vendor/hooli-telecom", "vendor/initech"]
    assert _drifted(project) == both
    assert _drifted(project, "--target", "vendor/initech") == ["vendor/initech"]
    assert _drifted(project, "--target", "accounting_vendor/initech") == []
    assert _drifted(project, "--exclude", "vendor/initech") == ["vendor/hooli-telecom"]
    text = project.rampctl("plan", "--target", "vendor/initech").out
    assert "vendor/initech" in text and "Hooli Mobile" not in text
    # a targeted apply accepts the drift it showed, and only that
    applied = project.rampctl("apply", "--auto-approve", "--target", "vendor/initech")
    assert applied.code == 0, applied.out + applied.err
    assert "Hooli Mobile" not in applied.out
    assert _drifted(project) == ["vendor/hooli-telecom"]
    assert _state(project)["vendor/hooli-telecom"]["attributes"]["name"] != "Hooli Mobile"


def test_a_saved_plan_applied_with_a_target_keeps_the_drift_it_did_not_target(
    project: Project,
) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    _rename_in_ramp(project, "initech", "Initech Global")
    _rename_in_ramp(project, "hooli-telecom", "Hooli Mobile")
    assert project.rampctl("plan", "--out", "plan.json").code == 0
    applied = project.rampctl("apply", "plan.json", "--target", "vendor/hooli-telecom")
    assert applied.code == 0, applied.out + applied.err
    assert _drifted(project) == ["vendor/initech"]
