"""End to end through the CLI against the sandbox: plan, apply, drift, safety, staleness."""

from __future__ import annotations

import json
import shutil

import jsonschema
import pytest

from rampctl.render.schema import plan_schema
from tests.functional.conftest import Project

NEW_VENDORS = {
    "vendor/cyberdyne-security",
    "vendor/hooli-telecom",
    "vendor/tyrell-recruiting",
}


def _plan_json(project: Project, *args: str) -> dict[str, object]:
    result = project.rampctl("plan", "--json", *args)
    assert result.code == 0, result.err
    data: dict[str, object] = json.loads(result.out)
    return data


def _by_action(plan: dict[str, object]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for change in plan["changes"]:  # type: ignore[attr-defined]
        out.setdefault(change["action"], set()).add(change["address"])
    return out


def test_first_plan_shows_creates_adoptions_and_the_update(project: Project) -> None:
    plan = _plan_json(project)
    jsonschema.validate(plan, plan_schema())
    actions = _by_action(plan)
    assert {"vendor/acme-cloud", "vendor/globex-logistics", "vendor/initech"} <= actions["adopt"]
    assert actions["create"] >= NEW_VENDORS
    initech = next(c for c in plan["changes"] if c["address"] == "vendor/initech")  # type: ignore[attr-defined]
    assert [f["path"] for f in initech["fields"]] == ["description"]
    assert "manual" not in actions
    assert plan["unmanaged"]["count"] >= 2  # type: ignore[index]
    assert project.writes() == []


def test_plan_only_reads_even_with_a_read_only_client(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.sandbox.add_client(
        "reader",
        "reader-secret-123",
        [
            "business:read",
            "users:read",
            "entities:read",
            "vendors:read",
            "accounting:read",
            "bills:read",
        ],
    )
    monkeypatch.setenv("RAMP_CLIENT_ID", "reader")
    monkeypatch.setenv("RAMP_CLIENT_SECRET", "reader-secret-123")
    result = project.rampctl("plan", "--detailed-exitcode")
    assert result.code == 2, result.err
    assert "Plan:" in result.out
    methods = {r.method for r in project.sandbox.request_log() if not r.path.endswith("/token")}
    assert methods == {"GET"}


def test_apply_then_plan_shows_no_changes_and_a_second_apply_writes_nothing(
    project: Project,
) -> None:
    applied = project.rampctl("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    assert "0 failed" in applied.out
    assert len(project.vendor_by_key("cyberdyne-security")) == 1
    again = project.rampctl("plan", "--detailed-exitcode")
    assert again.code == 0, again.out + again.err
    assert "No changes." in again.out
    project.sandbox.clear_log()
    second = project.rampctl("apply", "--auto-approve")
    assert second.code == 0
    assert project.writes() == []


def test_change_in_ramp_shows_as_drift_and_a_planned_update(project: Project) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    [acme] = project.vendor_by_key("acme-cloud")
    with project.api() as api:
        assert (
            api.patch(f"/vendors/{acme['id']}", json={"description": "Edited in Ramp"}).status_code
            == 200
        )
    result = project.rampctl("plan")
    assert result.code == 0, result.err
    drift, planned = result.out.split("1 to update:")
    assert drift.startswith("Changed in Ramp outside rampctl since the last apply:\n")
    assert (
        "~ vendor/acme-cloud (Acme Cloud Inc.)\n"
        '      description: "Cloud hosting" -> "Edited in Ramp"' in drift
    )
    assert '      description: "Edited in Ramp" -> "Cloud hosting"' in planned
    assert planned.rstrip().endswith("Plan: 1 to update. 6 unmanaged objects in Ramp.")


def test_removed_manifest_plans_delete_or_deactivate(project: Project) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    (project.root / "manifests/vendors/engineering/initech.yaml").unlink()
    (project.root / "manifests/vendors/operations/globex-logistics.yaml").unlink()
    actions = _by_action(_plan_json(project))
    assert actions["delete"] == {"vendor/initech"}  # no bills: deletable
    assert actions["deactivate"] == {"vendor/globex-logistics"}  # has a bill
    applied = project.rampctl("apply", "--auto-approve", "--allow-deletes")
    assert applied.code == 0, applied.out + applied.err
    assert project.vendor_by_key("initech") == []
    [globex] = project.vendor_by_key("globex-logistics")
    assert globex["is_active"] is False
    again = project.rampctl("plan", "--detailed-exitcode")
    assert again.code == 0, again.out  # one apply is enough: the deactivated vendor is let go


def test_empty_manifests_are_refused_as_unsafe(project: Project) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    shutil.rmtree(project.root / "manifests")
    (project.root / "manifests").mkdir()
    project.sandbox.clear_log()
    result = project.rampctl("apply", "--auto-approve")
    assert result.code == 3, result.out + result.err
    assert "no manifests, but the state manages" in result.err
    assert project.writes() == []


def test_saved_plan_applies_and_a_stale_one_is_refused(project: Project) -> None:
    assert project.rampctl("plan", "--out", "plan.json").code == 0
    assert project.rampctl("show", str(project.root / "plan.json")).code == 0
    [initech] = project.vendor_by_key("initech")
    with project.api() as api:
        api.patch(f"/vendors/{initech['id']}", json={"state": "NY"})
    project.sandbox.clear_log()
    stale = project.rampctl("apply", str(project.root / "plan.json"))
    assert stale.code == 4, stale.out + stale.err
    assert "vendor/initech changed in Ramp since the plan" in stale.err
    assert project.writes() == []
    assert project.rampctl("plan", "--out", "plan.json").code == 0
    fresh = project.rampctl("apply", str(project.root / "plan.json"))
    assert fresh.code == 0, fresh.out + fresh.err
    assert project.rampctl("plan", "--detailed-exitcode").code == 0


def test_lost_state_is_rebuilt_without_creates(project: Project) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    (project.root / "rampctl.state.json").unlink()
    rebuilt = project.rampctl("state", "rebuild")
    assert rebuilt.code == 0, rebuilt.err
    actions = _by_action(_plan_json(project))
    assert "create" not in actions


def test_markdown_plan_for_pull_requests(project: Project) -> None:
    result = project.rampctl("plan", "--markdown")
    assert result.code == 0
    assert result.out.startswith("### rampctl plan\n\n**Plan: ")
    assert "<summary>:heavy_plus_sign: Create" in result.out
