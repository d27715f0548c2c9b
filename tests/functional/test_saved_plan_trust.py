"""A saved plan applies exactly what was reviewed: the file's choice of changes is checked
against a plan made now with the same --target/--exclude, so an edited file cannot add one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rampctl.engine.plan import checksum
from tests.functional.conftest import Project


def _edit_acme_and_drop_initech(project: Project) -> None:
    acme = project.root / "manifests/vendors/engineering/acme-cloud.yaml"
    acme.write_text(acme.read_text().replace("Cloud hosting", "Cloud hosting and CDN"))
    (project.root / "manifests/vendors/engineering/initech.yaml").unlink()


def _read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _write(path: Path, data: dict[str, Any]) -> None:
    """Write an edited plan with a valid checksum (it has no key: anyone can recompute it)."""
    data.pop("checksum", None)
    data["checksum"] = checksum(data)
    path.write_text(json.dumps(data, indent=2))


def _smuggle_delete(project: Project) -> Path:
    """A targeted plan with the full plan's delete of vendor/initech copied in."""
    assert project.rampctl("plan", "--target", "vendor/acme-cloud", "--out", "t.plan").code == 0
    assert project.rampctl("plan", "--out", "full.plan").code == 0
    targeted, full = _read(project.root / "t.plan"), _read(project.root / "full.plan")
    assert [c["action"] for c in targeted["changes"]] == ["update"]
    [delete] = [c for c in full["changes"] if c["address"] == "vendor/initech"]
    assert delete["action"] == "delete"
    targeted["changes"].append(delete)
    targeted["fingerprints"]["vendor/initech"] = full["fingerprints"]["vendor/initech"]
    targeted["summary"]["delete"] = targeted["summary"].get("delete", 0) + 1
    _write(project.root / "t.plan", targeted)
    return project.root / "t.plan"


def test_a_delete_copied_into_a_targeted_plan_is_refused(project: Project) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    _edit_acme_and_drop_initech(project)
    edited = _smuggle_delete(project)
    project.sandbox.clear_log()
    refused = project.rampctl("apply", "--allow-deletes", str(edited))
    assert refused.code == 4, refused.out + refused.err
    assert "vendor/initech (delete): not in a plan made now" in refused.err
    assert "--target vendor/acme-cloud" in refused.err
    assert project.writes() == []
    assert len(project.vendor_by_key("initech")) == 1


def test_a_targeted_plan_still_applies_what_it_chose(project: Project) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    _edit_acme_and_drop_initech(project)
    assert project.rampctl("plan", "--target", "vendor/acme-cloud", "--out", "t.plan").code == 0
    shown = project.rampctl("show", "t.plan")
    assert "Only the changes chosen by --target vendor/acme-cloud." in shown.out
    project.sandbox.clear_log()
    applied = project.rampctl("apply", "t.plan")
    assert applied.code == 0, applied.out + applied.err
    [acme] = project.vendor_by_key("acme-cloud")
    assert project.writes() == [f"PATCH /developer/v1/vendors/{acme['id']}"]
    assert len(project.vendor_by_key("initech")) == 1  # not targeted: left alone


def test_a_change_removed_from_the_file_is_refused(project: Project) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    _edit_acme_and_drop_initech(project)
    assert project.rampctl("plan", "--out", "full.plan").code == 0
    path = project.root / "full.plan"
    data = _read(path)
    data["changes"] = [c for c in data["changes"] if c["address"] != "vendor/acme-cloud"]
    data["summary"]["update"] -= 1
    _write(path, data)
    project.sandbox.clear_log()
    refused = project.rampctl("apply", "--allow-deletes", str(path))
    assert refused.code == 4, refused.out + refused.err
    assert "vendor/acme-cloud (update): missing from the plan file" in refused.err
    assert project.writes() == []


def test_a_widened_selection_in_the_file_is_refused(project: Project) -> None:
    """Apply plans again with the selection the file records: widened, it gives changes the
    file does not have."""
    assert project.rampctl("apply", "--auto-approve").code == 0
    _edit_acme_and_drop_initech(project)
    assert project.rampctl("plan", "--target", "vendor/acme-cloud", "--out", "t.plan").code == 0
    path = project.root / "t.plan"
    data = _read(path)
    data["selection"]["targets"] = []
    _write(path, data)
    refused = project.rampctl("apply", "--allow-deletes", str(path))
    assert refused.code == 4, refused.out + refused.err
    assert "vendor/initech (delete): missing from the plan file" in refused.err


def test_a_targeted_plan_of_an_older_format_is_read_as_untargeted(project: Project) -> None:
    """A plan file from before the selection was recorded is checked against a full plan."""
    assert project.rampctl("apply", "--auto-approve").code == 0
    _edit_acme_and_drop_initech(project)
    assert project.rampctl("plan", "--target", "vendor/acme-cloud", "--out", "t.plan").code == 0
    path = project.root / "t.plan"
    data = _read(path)
    data["format_version"] = "1.3"
    del data["selection"]
    _write(path, data)
    refused = project.rampctl("apply", "--allow-deletes", str(path))
    assert refused.code == 4, refused.out + refused.err
    assert "vendor/initech (delete): missing from the plan file" in refused.err
    assert "all changes (no --target or --exclude)" in refused.err


def test_the_deletion_gate_is_judged_on_the_changes_not_on_the_file(project: Project) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    _edit_acme_and_drop_initech(project)
    strict = ("--max-delete-fraction", "0.01", "--min-managed", "0")
    assert project.rampctl("plan", *strict, "--out", "full.plan").code == 0
    path = project.root / "full.plan"
    data = _read(path)
    assert data["safety"]["reasons"]  # the plan says it is unsafe
    data["safety"] = {"safe": True, "reasons": [], "replacements": []}
    _write(path, data)
    project.sandbox.clear_log()
    refused = project.rampctl("apply", *strict, str(path))
    assert refused.code == 3, refused.out + refused.err
    assert "refusing an unsafe plan (use --allow-deletes)" in refused.err
    assert project.writes() == []
    # narrowed by apply's own --target to the update, nothing is deleted: it is safe
    applied = project.rampctl("apply", *strict, "--target", "vendor/acme-cloud", str(path))
    assert applied.code == 0, applied.out + applied.err
    assert len(project.vendor_by_key("initech")) == 1
