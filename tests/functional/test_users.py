"""The User kind end to end: invited once (also under kill -9), owning a vendor of the same
apply, updated, deactivated when removed (never deleted)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rampctl.engine.crashpoints import ENV, POINTS
from tests.functional.conftest import Project
from tests.functional.vendor_texts import blue_sun

DANA = """\
apiVersion: rampctl/v1
kind: User
metadata:
  name: dana
spec:
  email: dana.lee@northwind.example
  first_name: Dana
  last_name: Lee
  role: BUSINESS_USER
  employee_id: E-1042
"""
BLUE_SUN = blue_sun("dana.lee@northwind.example", "  contact:\n    email: ap@bluesun.example\n")
EMAIL = "dana.lee@northwind.example"


def _write(project: Project, rel: str, text: str) -> None:
    path = project.root / "manifests" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _users(project: Project, email: str = EMAIL) -> list[dict[str, Any]]:
    return [u for u in project.sandbox.store.find("user") if u.get("email") == email]


def _tasks(project: Project) -> list[dict[str, Any]]:
    return list(project.sandbox.store.find("user_task"))


def _state(project: Project) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((project.root / "rampctl.state.json").read_text())
    return data["resources"]


def _apply(project: Project) -> None:
    applied = project.rampctl("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err


def test_a_user_is_invited_before_the_vendor_it_owns(project: Project) -> None:
    _apply(project)
    _write(project, "users/dana.yaml", DANA)
    _write(project, "vendors/blue-sun.yaml", BLUE_SUN)
    plan = json.loads(project.rampctl("plan", "--json").out)
    creates = {c["address"]: c for c in plan["changes"]}
    assert creates["user/dana"]["action"] == "create"
    assert creates["user/dana"]["request"]["idempotency_key"]
    assert creates["vendor/blue-sun"]["depends_on"] == ["user/dana"]
    assert creates["vendor/blue-sun"]["request"]["vendor_owner_id"] == "ref:user/dana"
    project.sandbox.clear_log()
    _apply(project)
    writes = [w for w in project.writes() if w.startswith("POST")]
    assert writes == ["POST /developer/v1/users/deferred", "POST /developer/v1/vendors"]
    [user] = _users(project)
    assert user["status"] == "INVITE_PENDING" and user["employee_id"] == "E-1042"
    [vendor] = project.vendor_by_key("blue-sun")
    assert vendor["vendor_owner_id"] == user["id"]
    assert _state(project)["user/dana"]["ramp_id"] == user["id"]
    assert project.rampctl("plan", "--detailed-exitcode").code == 0  # invite pending = present


def test_a_user_is_updated_and_a_removed_user_deactivated_never_deleted(
    project: Project,
) -> None:
    _apply(project)
    _write(project, "users/dana.yaml", DANA)
    _apply(project)
    _write(project, "users/dana.yaml", DANA.replace("E-1042", "E-2001"))
    [change] = json.loads(project.rampctl("plan", "--json").out)["changes"]
    assert (change["action"], change["request"]) == ("update", {"employee_id": "E-2001"})
    _apply(project)
    assert _users(project)[0]["employee_id"] == "E-2001"
    (project.root / "manifests" / "users" / "dana.yaml").unlink()
    text = project.rampctl("plan").out
    assert "- user/dana" in text and "deactivated, never deleted" in text
    project.sandbox.clear_log()
    _apply(project)
    [user] = _users(project)
    assert project.writes() == [f"PATCH /developer/v1/users/{user['id']}/deactivate"]
    assert user["status"] == "USER_INACTIVE"
    assert "user/dana" not in _state(project)
    assert project.rampctl("plan", "--detailed-exitcode").code == 0


def test_a_deactivated_user_with_a_manifest_is_reactivated(project: Project) -> None:
    _apply(project)
    _write(project, "users/dana.yaml", DANA)
    _apply(project)
    user = _users(project)[0]
    user["status"] = "USER_INACTIVE"
    project.sandbox.store.put("user", user["id"], user)
    [change] = json.loads(project.rampctl("plan", "--json").out)["changes"]
    assert change["action"] == "update" and "reactivated" in change["reason"]
    _apply(project)
    assert _users(project)[0]["status"] != "USER_INACTIVE"


@pytest.mark.parametrize("point", POINTS)
def test_an_invite_killed_at_any_boundary_makes_one_user_and_one_task(
    project: Project, point: str
) -> None:
    _apply(project)
    _write(project, "users/dana.yaml", DANA)
    killed = project.apply_in_subprocess(**{ENV: f"{point}:1"})
    assert killed.returncode != 0 or point == "after_fold", killed.stderr
    again = project.apply_in_subprocess()
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(_users(project)) == 1
    assert len(_tasks(project)) == 1
    assert project.rampctl("plan", "--detailed-exitcode").code == 0


def test_owner_and_role_mistakes_are_positioned(project: Project) -> None:
    _write(project, "users/dana.yaml", DANA.replace("BUSINESS_USER", "BUSINESS_OWNER"))
    result = project.rampctl("validate")
    assert result.code != 0 and "dana.yaml:9" in result.err and "spec.role" in result.err
    _write(project, "users/dana.yaml", DANA)
    _write(project, "vendors/blue-sun.yaml", BLUE_SUN.replace("dana.lee@", "nobody@"))
    result = project.rampctl("plan")
    assert "no Ramp user and no User manifest has the email" in result.err


def test_import_writes_user_manifests_that_plan_takes_as_they_are(project: Project) -> None:
    _apply(project)
    result = project.rampctl("import", "--kind", "User")
    assert result.code == 0, result.out + result.err
    assert "and 7 users" in result.out  # all but the business owner (not a managed role)
    assert "its role BUSINESS_OWNER is not managed" in result.err
    text = (project.root / "manifests" / "users.yaml").read_text()
    assert "kind: User" in text and "email: bob.martin@northwind.example" in text
    assert project.rampctl("plan", "--detailed-exitcode").code == 0


def test_state_rebuild_finds_users_by_email(project: Project) -> None:
    _apply(project)
    _write(project, "users/dana.yaml", DANA)
    _apply(project)
    before = _state(project)["user/dana"]["ramp_id"]
    (project.root / "rampctl.state.json").unlink()
    rebuilt = project.rampctl("state", "rebuild")
    assert rebuilt.code == 0, rebuilt.err
    assert _state(project)["user/dana"]["ramp_id"] == before
    project.sandbox.clear_log()
    assert project.rampctl("plan", "--detailed-exitcode").code == 0
