"""A User's department and location by name (as people write them) or by Ramp id: names are
looked up in Ramp's listings, only when some manifest gives one; an unknown or ambiguous
name is a positioned plan error and nothing is sent."""

from __future__ import annotations

import json
from typing import Any

from rampctl.sandbox.seed import ident
from tests.functional.conftest import Project
from tests.functional.test_users_managers import user

EMAIL = "alex@northwind.example"


def _write(project: Project, extra: str) -> None:
    path = project.root / "manifests" / "users" / "alex.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(user("alex", EMAIL) + extra)


def _alex(project: Project) -> dict[str, Any]:
    [found] = [u for u in project.sandbox.store.find("user") if u["email"] == EMAIL]
    return found


def _reads(project: Project, path: str) -> int:
    return sum(1 for r in project.sandbox.request_log() if r.path.endswith(path))


def test_names_are_resolved_to_ramp_ids(project: Project) -> None:
    _write(project, "  department: engineering\n  location: London\n")
    [change] = [
        c
        for c in json.loads(project.rampctl("plan", "--json").out)["changes"]
        if c["kind"] == "user"
    ]
    assert change["request"]["department_id"] == ident("department:Engineering")
    assert change["request"]["location_id"] == ident("location:London")
    applied = project.rampctl("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    alex = _alex(project)
    assert alex["department_id"] == ident("department:Engineering")
    assert alex["entity_id"] == ident("entity:uk")  # the location sets the entity
    assert project.rampctl("plan", "--detailed-exitcode").code == 0
    _write(project, "  department: Finance\n  location: London\n")
    [change] = json.loads(project.rampctl("plan", "--json").out)["changes"]
    assert change["request"] == {"department_id": ident("department:Finance")}
    assert change["fields"] == [{"path": "department", "before": "Engineering", "after": "Finance"}]


def test_ids_are_taken_as_they_are_and_no_listing_is_read(project: Project) -> None:
    department = ident("department:Operations")
    _write(project, f"  department: {department}\n")
    project.sandbox.clear_log()
    applied = project.rampctl("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    assert _alex(project)["department_id"] == department
    assert _reads(project, "/departments") == 0 and _reads(project, "/locations") == 0


def test_an_unknown_name_is_a_positioned_error(project: Project) -> None:
    _write(project, "  department: Enginering\n")
    project.sandbox.clear_log()
    for command in ("plan", "apply"):
        result = project.rampctl(command, *(("--auto-approve",) if command == "apply" else ()))
        assert result.code == 1, result.out + result.err
        assert "alex.yaml:10:3" in result.err and "spec.department" in result.err
        assert "no Ramp department is named 'Enginering' (did you mean 'Engineering'?)" in (
            result.err
        )
    assert project.writes() == []


def test_an_ambiguous_name_asks_for_the_id(project: Project) -> None:
    twin = {"id": ident("department:twin"), "name": "ENGINEERING"}
    project.sandbox.store.insert("department", twin["id"], twin)
    _write(project, "  department: Engineering\n")
    result = project.rampctl("plan")
    assert result.code == 1
    assert "2 Ramp departments are named 'Engineering': give the id of one" in result.err
    assert twin["id"] in result.err
