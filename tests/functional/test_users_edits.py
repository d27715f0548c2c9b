"""Edits of a managed user Ramp's API cannot make: clearing a field is a positioned plan
error, and a changed email (the key) is `! manual`, never silently ignored."""

from __future__ import annotations

import json
from typing import Any

from rampctl.sandbox.seed import ident
from tests.functional.conftest import Project
from tests.functional.test_users_managers import user

DANA = "dana.lee@northwind.example"
ERIN = "erin.walsh@northwind.example"


def _write(project: Project, text: str) -> None:
    path = project.root / "manifests/users/dana.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _apply(project: Project) -> None:
    applied = project.rampctl("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err


def _dana(project: Project) -> str:
    """Dana invited with a department and a manager; the manifest text applied."""
    text = user("dana", DANA, manager=ERIN) + "  department: Engineering\n"
    _apply(project)
    _write(project, text)
    _apply(project)
    return text


def _changes(project: Project) -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = json.loads(project.rampctl("plan", "--json").out)["changes"]
    return changes


def test_clearing_a_users_field_is_a_positioned_error(project: Project) -> None:
    text = _dana(project)
    _write(project, text.replace("department: Engineering", "department: ~"))
    result = project.rampctl("plan")
    assert result.code == 1, result.out + result.err
    assert "unexpected" not in result.err and "Traceback" not in result.err
    assert "dana.yaml:11:3: user/dana: spec.department: Ramp's API cannot clear" in result.err
    _write(project, text.replace(f"direct_manager: {ERIN}", "direct_manager: ~"))
    result = project.rampctl("plan")
    assert result.code == 1, result.out + result.err
    assert "dana.yaml:10:3: user/dana: spec.direct_manager: Ramp's API cannot clear" in result.err
    project.sandbox.clear_log()
    assert project.rampctl("apply", "--auto-approve").code == 1
    assert project.writes() == []


def test_a_changed_email_is_manual_and_nothing_is_sent(project: Project) -> None:
    text = _dana(project)
    moved = "dana.park@northwind.example"
    _write(project, text.replace(DANA, moved).replace("Dana", "Danielle"))
    [change] = _changes(project)
    assert change["action"] == "manual"
    paths = [(f["path"], f["before"], f["after"]) for f in change["fields"]]
    assert paths[0] == ("email", DANA, moved)
    assert ("first_name", "Dana", "Danielle") in paths
    assert "cannot change a user's email" in change["reason"]
    assert "! user/dana" in project.rampctl("plan").out
    project.sandbox.clear_log()
    _apply(project)
    assert project.writes() == []
    # Changed in Ramp by a person, the manifest agrees again: nothing left to do.
    [dana] = [u for u in project.sandbox.store.find("user") if u["email"] == DANA]
    project.sandbox.store.put("user", dana["id"], {**dana, "email": moved})
    _write(project, text.replace(DANA, moved))
    assert project.rampctl("plan", "--detailed-exitcode").code == 0


def test_a_department_changed_in_ramp_is_shown_by_name_in_every_format(
    project: Project,
) -> None:
    _apply(project)
    _write(project, user("dana", DANA) + "  department: engineering\n")
    _apply(project)
    [dana] = [u for u in project.sandbox.store.find("user") if u["email"] == DANA]
    finance = ident("department:Finance")
    project.sandbox.store.put("user", dana["id"], {**dana, "department_id": finance})
    plan = json.loads(project.rampctl("plan", "--json").out)
    assert [f for d in plan["drift"] for f in d["fields"]] == [
        {"path": "department", "before": "Engineering", "after": "Finance"}
    ]
    assert [f for c in plan["changes"] for f in c["fields"]] == [
        {"path": "department", "before": "Finance", "after": "Engineering"}
    ]
    assert plan["changes"][0]["request"] == {"department_id": ident("department:Engineering")}
    for fmt in ((), ("--markdown",)):
        out = project.rampctl("plan", *fmt).out
        assert out.count("Engineering") == 2 and out.count("Finance") == 2, out
        assert finance not in out and dana["department_id"] not in out, out
