"""Guards around apply: secrets never shown, the state lock, every kind of stale plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rampctl.state.store import StateStore
from tests.functional.conftest import Project


def test_secret_and_token_never_appear_in_output_or_logs(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    canary = "canary-secret-4b1d7e"
    project.sandbox.add_client(
        "canary-client",
        canary,
        [
            "vendors:read",
            "vendors:write",
            "accounting:read",
            "accounting:write",
            "users:read",
            "entities:read",
            "business:read",
            "bills:read",
        ],
    )
    monkeypatch.setenv("RAMP_CLIENT_ID", "canary-client")
    monkeypatch.setenv("RAMP_CLIENT_SECRET", canary)
    log_file = project.root / "debug.log"
    results = [
        project.rampctl("-vv", "--log-file", str(log_file), "plan", "--out", "plan.json"),
        project.rampctl("-vv", "--log-file", str(log_file), "apply", "--auto-approve"),
    ]
    monkeypatch.setenv("RAMP_CLIENT_SECRET", "wrong-" + canary)
    results.append(project.rampctl("-vv", "--log-file", str(log_file), "plan"))
    assert results[0].code == 0 and results[1].code == 0 and results[2].code == 1
    files = [log_file, project.root / "plan.json", project.root / "rampctl.state.json"]
    texts = [r.out + r.err for r in results] + [f.read_text() for f in files]
    for text in texts:
        assert canary not in text
        assert "ramp_tok_" not in text


def test_apply_while_another_run_holds_the_lock_exits_5(project: Project) -> None:
    store = StateStore(project.root / "rampctl.state.json")
    with store.lock(command="apply (another run)"):
        project.sandbox.clear_log()
        result = project.rampctl("apply", "--auto-approve")
    assert result.code == 5, result.err
    assert "apply (another run)" in result.err
    assert project.sandbox.request_log() == []


def _saved_plan(project: Project) -> Path:
    assert project.rampctl("plan", "--out", "plan.json").code == 0
    return project.root / "plan.json"


def test_plan_is_stale_when_the_state_serial_moved(project: Project) -> None:
    plan = _saved_plan(project)
    assert project.rampctl("apply", "--auto-approve", "--target", "vendor/initech").code == 0
    result = project.rampctl("apply", str(plan))
    assert result.code == 4
    assert "the state changed since the plan" in result.err


def test_plan_is_stale_when_the_manifests_changed(project: Project) -> None:
    plan = _saved_plan(project)
    path = project.root / "manifests/vendors/engineering/initech.yaml"
    path.write_text(path.read_text().replace("Software licences", "Licences and support"))
    project.sandbox.clear_log()
    result = project.rampctl("apply", str(plan))
    assert result.code == 4
    assert "the manifests changed since the plan was made" in result.err
    assert project.writes() == []


def test_plan_is_stale_for_another_state_file(project: Project) -> None:
    assert project.rampctl("apply", "--auto-approve", "--target", "vendor/initech").code == 0
    plan = _saved_plan(project)
    state = project.root / "rampctl.state.json"
    data = json.loads(state.read_text())
    data["lineage"] = "another-lineage"
    state.write_text(json.dumps(data))
    result = project.rampctl("apply", str(plan))
    assert result.code == 4
    assert "lineage changed" in result.err


def test_plan_is_stale_when_a_create_now_exists_in_ramp(project: Project) -> None:
    plan = _saved_plan(project)
    assert project.rampctl("apply", "--auto-approve", "--target", "vendor/hooli-telecom").code == 0
    state = project.root / "rampctl.state.json"
    state.unlink()  # the same serial as the plan: only the key check can catch it
    result = project.rampctl("apply", str(plan))
    assert result.code == 4, result.out + result.err
    assert "a vendor with key 'hooli-telecom' now exists in Ramp" in result.err
    assert len(project.vendor_by_key("hooli-telecom")) == 1


def test_a_variables_symlink_outside_the_root_never_reaches_the_plan(
    project: Project, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.yaml"
    outside.write_text("leak: confidential-figure-4711\n")
    (project.root / "manifests" / "vars" / "leak.yaml").symlink_to(outside)
    result = project.rampctl("plan", "--markdown")
    assert result.code == 1
    assert "vars/leak.yaml:1:1: symlink leads outside the manifests root" in result.err
    assert "confidential-figure-4711" not in result.out + result.err


def test_control_and_bidi_characters_in_names_are_refused_with_positions(
    project: Project,
) -> None:
    path = project.root / "manifests" / "vendors" / "hostile.yaml"
    path.write_text(
        "apiVersion: rampctl/v1\nkind: Vendor\nmetadata:\n  name: hostile\nspec:\n"
        '  name: "Evil\\u202eCorp"\n  description: "zero\\u200bwidth"\n'
        "  accounting_vendor: QB-1001\n"
    )
    result = project.rampctl("plan")
    assert result.code == 1
    where = Path("manifests/vendors/hostile.yaml")
    assert f"{where}:6:9: vendor/hostile: spec.name: contains U+202E (RIGHT-TO-LEFT OVERRIDE)" in (
        result.err
    )
    assert f"{where}:7:16: vendor/hostile: spec.description: contains U+200B" in result.err
    assert "\u202e" not in result.err and project.writes() == []


def test_a_name_mixing_scripts_is_warned_about_in_the_plan(project: Project) -> None:
    path = project.root / "manifests" / "vendors" / "lookalike.yaml"
    path.write_text(
        "apiVersion: rampctl/v1\nkind: Vendor\nmetadata:\n  name: lookalike\nspec:\n"
        "  name: \u0410cme Cloud Services\n  country: US\n  state: CA\n"
        "  owner: bob.martin@northwind.example\n"
        "  contact:\n    email: ap@lookalike.example\n"
    )
    plan = project.rampctl("plan")
    assert plan.code == 0, plan.err
    assert (
        "warning: the name '\u0410cme Cloud Services' mixes Latin and Cyrillic letters "
        "(U+0410 CYRILLIC CAPITAL LETTER A at character 1)" in plan.out
    )


def test_a_manifest_moved_during_apply_refuses_before_any_write(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rampctl.cli import apply_cmd

    assert project.rampctl("apply", "--auto-approve").code == 0
    project.sandbox.clear_log()
    moved = project.root / "manifests" / "vendors" / "moved"
    planned = apply_cmd._plan

    def plan_then_move(*args: object, **kwargs: object) -> object:
        found = planned(*args, **kwargs)  # type: ignore[arg-type]
        moved.mkdir()
        for path in sorted((project.root / "manifests" / "vendors" / "operations").iterdir()):
            path.rename(moved / path.name)  # another process reorganising the folder
        return found

    monkeypatch.setattr(apply_cmd, "_plan", plan_then_move)
    path = next((project.root / "manifests" / "vendors" / "people").glob("*.yaml"))
    path.write_text(path.read_text().replace("description:", "description: Changed", 1))
    result = project.rampctl("apply", "--auto-approve", "--allow-deletes")
    assert result.code == 4, result.out + result.err
    assert "the manifests changed while apply was running" in result.err
    assert project.writes() == []


def test_refused_credentials_read_as_ramp_refusing_them(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAMP_CLIENT_SECRET", "wrong-secret-value")
    result = project.rampctl("plan")
    assert result.code == 1, result.out + result.err
    assert "POST /developer/v1/token: Ramp refused the client credentials (" in result.err
    assert "wrong-secret-value" not in result.out + result.err
