"""Vendor updates of Ramp's 2026 API end to end: renames by PATCH, edits held for approval."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.functional.conftest import Project

CYBERDYNE = Path("manifests/vendors/engineering/cyberdyne-security.yaml")


def _edit(project: Project, rel: Path, old: str, new: str) -> None:
    path = project.root / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _plan(project: Project) -> dict[str, Any]:
    result = project.rampctl("plan", "--json")
    assert result.code == 0, result.err
    data: dict[str, Any] = json.loads(result.out)
    return data


def _live(project: Project, key: str) -> dict[str, Any]:
    [vendor] = project.vendor_by_key(key)
    return vendor


def _patches(project: Project) -> list[str]:
    return [w for w in project.writes() if w.startswith("PATCH")]


def test_a_vendor_is_renamed_by_patch_keeping_its_ramp_id(project: Project) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    before = _live(project, "cyberdyne-security")
    _edit(project, CYBERDYNE, "name: Cyberdyne Security\n", "name: Cyberdyne Systems\n")
    [change] = _plan(project)["changes"]
    assert (change["address"], change["action"]) == ("vendor/cyberdyne-security", "update")
    assert change["request"] == {"name": "Cyberdyne Systems"}
    text = project.rampctl("plan").out
    assert '~ vendor/cyberdyne-security' in text
    assert 'name: "Cyberdyne Security" -> "Cyberdyne Systems"' in text
    assert "!" not in text  # no manual item: Ramp renames by PATCH
    project.sandbox.clear_log()
    applied = project.rampctl("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    assert project.writes() == [f"PATCH /developer/v1/vendors/{before['id']}"]
    after = _live(project, "cyberdyne-security")
    assert (after["id"], after["name"]) == (before["id"], "Cyberdyne Systems")
    assert project.rampctl("plan", "--detailed-exitcode").code == 0
