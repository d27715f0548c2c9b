"""A vendor is never created with, or handed to, a user deactivated in Ramp: the plan names
`spec.owner` with its position, unless a User manifest of the same plan reactivates the
user, in which case the vendor waits for the reactivation."""

from __future__ import annotations

import json
from typing import Any

from tests.functional.conftest import Project
from tests.functional.test_users_managers import user
from tests.functional.vendor_texts import blue_sun

ZOE = "zoe.park@northwind.example"
BOB = "bob.martin@northwind.example"
CONTACT = "  contact:\n    email: ap@bluesun.example\n"


def _write(project: Project, rel: str, text: str) -> None:
    path = project.root / "manifests" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _apply(project: Project) -> None:
    applied = project.rampctl("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err


def _user(project: Project, email: str) -> dict[str, Any]:
    [found] = [u for u in project.sandbox.store.find("user") if u["email"] == email]
    return found


def _zoe_deactivated(project: Project) -> None:
    """Bob and Zoe (invited) declared and applied, then Zoe's manifest removed and applied."""
    _apply(project)
    _write(project, "users/bob.yaml", user("bob", BOB))
    _write(project, "users/zoe.yaml", user("zoe", ZOE))
    _apply(project)
    (project.root / "manifests/users/zoe.yaml").unlink()
    _apply(project)
    assert _user(project, ZOE)["status"] == "USER_INACTIVE"


def _refused(project: Project) -> str:
    result = project.rampctl("plan")
    assert result.code == 1, result.out + result.err
    assert "blue-sun.yaml:8:3" in result.err and "spec.owner" in result.err
    assert f"the owner {ZOE} is deactivated in Ramp" in result.err
    project.sandbox.clear_log()
    assert project.rampctl("apply", "--auto-approve").code == 1
    assert project.writes() == []
    return result.err


def test_a_vendor_is_not_created_with_a_deactivated_owner(project: Project) -> None:
    _zoe_deactivated(project)
    _write(project, "vendors/blue-sun.yaml", blue_sun(ZOE, CONTACT))
    assert "vendor/blue-sun" in _refused(project)
    assert project.vendor_by_key("blue-sun") == []


def test_a_vendor_is_not_handed_to_a_deactivated_owner(project: Project) -> None:
    _zoe_deactivated(project)
    _write(project, "vendors/blue-sun.yaml", blue_sun(BOB, CONTACT))
    _apply(project)
    _write(project, "vendors/blue-sun.yaml", blue_sun(ZOE, CONTACT))
    _refused(project)
    [vendor] = project.vendor_by_key("blue-sun")
    assert vendor["vendor_owner_id"] == _user(project, BOB)["id"]


def test_a_user_manifest_reactivates_the_owner_before_the_vendor(project: Project) -> None:
    _zoe_deactivated(project)
    _write(project, "vendors/blue-sun.yaml", blue_sun(ZOE, CONTACT))
    _write(project, "users/zoe.yaml", user("zoe", ZOE))
    plan = json.loads(project.rampctl("plan", "--json").out)
    vendor = next(c for c in plan["changes"] if c["address"] == "vendor/blue-sun")
    assert vendor["depends_on"] == ["user/zoe"]
    project.sandbox.clear_log()
    _apply(project)
    zoe = _user(project, ZOE)
    writes = project.writes()
    assert writes.index(f"PATCH /developer/v1/users/{zoe['id']}/reactivate") < writes.index(
        "POST /developer/v1/vendors"
    )
    [created] = project.vendor_by_key("blue-sun")
    assert (zoe["status"], created["vendor_owner_id"]) == ("INVITE_PENDING", zoe["id"])
    assert project.rampctl("plan", "--detailed-exitcode").code == 0
