"""What Ramp would refuse, or leave broken, is never planned as a write: the business owner's
role and deactivation are `! manual`; a user who still owns vendors is not deactivated (the
owner change of a managed vendor in the same plan goes first); a user's manager is not a
user this plan deactivates."""

from __future__ import annotations

import json
from typing import Any

from tests.functional.conftest import Project
from tests.functional.test_users_managers import user
from tests.functional.vendor_texts import blue_sun

ALICE = """\
apiVersion: rampctl/v1
kind: User
metadata:
  name: alice
spec:
  email: alice.chen@northwind.example
  first_name: Alice
  last_name: Chen
  role: BUSINESS_ADMIN
  employee_id: E-0001
"""
DANA = "dana.lee@northwind.example"
CONTACT = "  contact:\n    email: ap@bluesun.example\n"


def _write(project: Project, rel: str, text: str) -> None:
    path = project.root / "manifests" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _remove(project: Project, rel: str) -> None:
    (project.root / "manifests" / rel).unlink()


def _apply(project: Project) -> str:
    applied = project.rampctl("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    return applied.out


def _plan(project: Project) -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = json.loads(project.rampctl("plan", "--json").out)["changes"]
    return changes


def _user(project: Project, email: str) -> dict[str, Any]:
    [found] = [u for u in project.sandbox.store.find("user") if u["email"] == email]
    return found


def _state(project: Project) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((project.root / "rampctl.state.json").read_text())
    return data["resources"]


def test_the_business_owners_role_is_manual_and_the_rest_is_applied(project: Project) -> None:
    _apply(project)
    _write(project, "users/alice.yaml", ALICE)
    changes = {c["action"]: c for c in _plan(project)}
    assert set(changes) == {"adopt", "manual"}
    assert changes["adopt"]["request"] == {"employee_id": "E-0001"}
    manual = changes["manual"]
    assert [f["path"] for f in manual["fields"]] == ["role"]
    assert "business owner" in manual["reason"] and "ignore_changes" in manual["reason"]
    text = project.rampctl("plan").out
    assert "! user/alice" in text
    project.sandbox.clear_log()
    _apply(project)
    alice = _user(project, "alice.chen@northwind.example")
    assert project.writes() == [f"PATCH /developer/v1/users/{alice['id']}"]
    assert (alice["role"], alice["employee_id"]) == ("BUSINESS_OWNER", "E-0001")
    assert [c["action"] for c in _plan(project)] == ["manual"]
    _write(project, "users/alice.yaml", ALICE + "  ignore_changes: [role]\n")
    assert project.rampctl("plan", "--detailed-exitcode").code == 0


def test_removing_the_business_owner_is_manual_never_sent(project: Project) -> None:
    _apply(project)
    _write(project, "users/alice.yaml", ALICE + "  ignore_changes: [role]\n")
    _apply(project)
    _remove(project, "users/alice.yaml")
    [change] = _plan(project)
    assert change["action"] == "manual" and change["address"] == "user/alice"
    assert "business owner cannot be deactivated" in change["reason"]
    project.sandbox.clear_log()
    _apply(project)
    assert project.writes() == []
    assert _user(project, "alice.chen@northwind.example")["status"] == "USER_ACTIVE"
    assert "user/alice" in _state(project)


def test_a_user_who_still_owns_vendors_is_not_deactivated(project: Project) -> None:
    _apply(project)
    _write(project, "users/frank.yaml", user("frank", "frank.ito@northwind.example"))
    _apply(project)
    _remove(project, "users/frank.yaml")
    [change] = _plan(project)
    assert change["action"] == "manual"
    reason = change["reason"]
    assert "owns 3 active vendors" in reason
    for name in ("Cyberdyne Security", "Hooli Telecom", "Umbrella Insurance"):  # managed or not
        assert name in reason
    assert "another owner" in reason
    project.sandbox.clear_log()
    _apply(project)
    assert project.writes() == []
    assert _user(project, "frank.ito@northwind.example")["status"] == "USER_ACTIVE"


def test_an_owner_change_in_the_same_plan_goes_before_the_deactivation(project: Project) -> None:
    _apply(project)
    _write(project, "users/dana.yaml", user("dana", DANA))
    _write(project, "vendors/blue-sun.yaml", blue_sun(DANA, CONTACT))
    _apply(project)
    _remove(project, "users/dana.yaml")
    assert [c["action"] for c in _plan(project)] == ["manual"]
    _write(project, "vendors/blue-sun.yaml", blue_sun("grace.kim@northwind.example", CONTACT))
    changes = {c["address"]: c for c in _plan(project)}
    assert changes["user/dana"]["action"] == "deactivate"
    assert changes["user/dana"]["depends_on"] == ["vendor/blue-sun"]
    project.sandbox.clear_log()
    _apply(project)
    dana = _user(project, DANA)
    [vendor] = project.vendor_by_key("blue-sun")
    assert project.writes() == [
        f"PATCH /developer/v1/vendors/{vendor['id']}",
        f"PATCH /developer/v1/users/{dana['id']}/deactivate",
    ]
    assert dana["status"] == "USER_INACTIVE"
    assert vendor["vendor_owner_id"] == _user(project, "grace.kim@northwind.example")["id"]


def test_a_vendor_manifest_cannot_hand_a_vendor_to_a_user_being_deactivated(
    project: Project,
) -> None:
    _apply(project)
    _write(project, "users/dana.yaml", user("dana", DANA))
    _apply(project)
    _remove(project, "users/dana.yaml")
    _write(project, "vendors/blue-sun.yaml", blue_sun(DANA, CONTACT))
    changes = {c["address"]: c for c in _plan(project)}
    assert changes["vendor/blue-sun"]["action"] == "create"
    assert changes["user/dana"]["action"] == "manual"
    assert "Blue Sun Corp" in changes["user/dana"]["reason"]


def test_a_manager_this_plan_deactivates_is_a_positioned_error(project: Project) -> None:
    _apply(project)
    _write(project, "users/alex.yaml", user("alex", "alex@northwind.example", DANA))
    _write(project, "users/dana.yaml", user("dana", DANA))
    _apply(project)
    _remove(project, "users/dana.yaml")
    result = project.rampctl("plan")
    assert result.code == 1, result.out + result.err
    assert "alex.yaml:10:" in result.err and "spec.direct_manager" in result.err
    assert "deactivates" in result.err


def test_an_owner_change_held_for_approval_keeps_the_user_active(project: Project) -> None:
    _apply(project)
    _write(project, "users/dana.yaml", user("dana", DANA))
    _write(project, "vendors/blue-sun.yaml", blue_sun(DANA, CONTACT))
    _apply(project)
    project.sandbox.settings.vendor_update_approval = "pending_approval"
    _remove(project, "users/dana.yaml")
    _write(project, "vendors/blue-sun.yaml", blue_sun("grace.kim@northwind.example", CONTACT))
    applied = project.rampctl("apply", "--auto-approve")
    assert applied.code != 0
    assert "still owns 1 active vendor in Ramp (Blue Sun Corp)" in applied.out + applied.err
    assert _user(project, DANA)["status"] == "INVITE_PENDING"  # not deactivated
    assert "user/dana" in _state(project)
    after = {c["address"]: c["action"] for c in _plan(project)}
    assert after == {"vendor/blue-sun": "pending_approval", "user/dana": "manual"}
