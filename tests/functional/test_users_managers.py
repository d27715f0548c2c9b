"""Direct managers end to end: a new manager is invited before the users who report to it;
a user who is their own manager, or a cycle of managers, is a positioned error before any
write; a manager this plan deactivates is refused."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.functional.conftest import Project


def user(name: str, email: str, manager: str | None = None) -> str:
    """A User manifest; `manager` is the direct manager's email."""
    text = (
        "apiVersion: rampctl/v1\nkind: User\n"
        f"metadata:\n  name: {name}\n"
        f"spec:\n  email: {email}\n  first_name: {name.capitalize()}\n  last_name: Test\n"
        "  role: BUSINESS_USER\n"
    )
    return text + (f"  direct_manager: {manager}\n" if manager else "")


ALEX = "alex@northwind.example"
ZOE = "zoe@northwind.example"


def _write(project: Project, rel: str, text: str) -> None:
    path = project.root / "manifests" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _by_email(project: Project, email: str) -> dict[str, Any]:
    [found] = [u for u in project.sandbox.store.find("user") if u.get("email") == email]
    return found


def _apply(project: Project, *extra: str) -> None:
    applied = project.rampctl("apply", "--auto-approve", *extra)
    assert applied.code == 0, applied.out + applied.err


@pytest.mark.parametrize("parallelism", ["1", "4"])
def test_a_new_manager_is_invited_before_the_user_who_reports_to_it(
    project: Project, parallelism: str
) -> None:
    _apply(project)
    # alex sorts before zoe: without the dependency alex's invite would go first.
    _write(project, "users/alex.yaml", user("alex", ALEX, manager=ZOE))
    _write(project, "users/zoe.yaml", user("zoe", ZOE))
    plan = json.loads(project.rampctl("plan", "--json").out)
    alex = next(c for c in plan["changes"] if c["address"] == "user/alex")
    assert alex["depends_on"] == ["user/zoe"]
    assert alex["request"]["direct_manager_id"] == "ref:user/zoe"
    project.sandbox.clear_log()
    _apply(project, "--parallelism", parallelism)
    zoe = _by_email(project, ZOE)
    assert _by_email(project, ALEX)["manager_id"] == zoe["id"]
    invited = [t["_request"]["email"] for t in project.sandbox.store.find("user_task")]
    assert invited == [ZOE, ALEX]
    assert project.rampctl("plan", "--detailed-exitcode").code == 0


def test_a_chain_of_new_managers_is_invited_top_down(project: Project) -> None:
    _apply(project)
    _write(project, "users/a.yaml", user("amy", "amy@northwind.example", "ben@northwind.example"))
    _write(project, "users/b.yaml", user("ben", "ben@northwind.example", "cal@northwind.example"))
    _write(project, "users/c.yaml", user("cal", "cal@northwind.example"))
    _apply(project)
    cal, ben = (
        _by_email(project, "cal@northwind.example"),
        _by_email(project, "ben@northwind.example"),
    )
    assert ben["manager_id"] == cal["id"]
    assert _by_email(project, "amy@northwind.example")["manager_id"] == ben["id"]


def test_a_user_who_is_their_own_manager_is_a_positioned_error(project: Project) -> None:
    _write(project, "users/alex.yaml", user("alex", ALEX, manager=ALEX.upper()))
    for command in ("validate", "plan"):
        result = project.rampctl(command)
        assert result.code == 1, result.out + result.err
        assert "alex.yaml:10:" in result.err and "user/alex" in result.err
        assert "spec.direct_manager" in result.err and "their own direct manager" in result.err
    assert project.writes() == []


def test_a_cycle_of_managers_is_a_positioned_error(project: Project) -> None:
    _write(project, "users/alex.yaml", user("alex", ALEX, manager=ZOE))
    _write(project, "users/zoe.yaml", user("zoe", ZOE, manager=ALEX))
    result = project.rampctl("validate")
    assert result.code == 1
    assert f"direct managers form a cycle: {ALEX} -> {ZOE} -> {ALEX}" in result.err
    assert "alex.yaml:10:" in result.err and "zoe.yaml:10:" in result.err
    assert project.rampctl("apply", "--auto-approve").code == 1
    assert project.writes() == []


def _deactivate_in_ramp(project: Project, email: str) -> dict[str, Any]:
    found = _by_email(project, email)
    project.sandbox.store.put("user", found["id"], {**found, "status": "USER_INACTIVE"})
    return found


def test_a_manager_deactivated_in_ramp_is_refused_unless_declared(project: Project) -> None:
    _apply(project)
    erin = _deactivate_in_ramp(project, "erin.walsh@northwind.example")
    _write(project, "users/alex.yaml", user("alex", ALEX, manager="erin.walsh@northwind.example"))
    result = project.rampctl("plan")
    assert result.code == 1, result.out + result.err
    assert "alex.yaml:10:" in result.err and "is deactivated in Ramp" in result.err
    # Declared, the manager is reactivated first, then the report is invited.
    _write(project, "users/erin.yaml", user("erin", "erin.walsh@northwind.example"))
    project.sandbox.clear_log()
    _apply(project)
    writes = project.writes()
    assert writes.index(f"PATCH /developer/v1/users/{erin['id']}/reactivate") < writes.index(
        "POST /developer/v1/users/deferred"
    )
    assert _by_email(project, ALEX)["manager_id"] == erin["id"]
    assert _by_email(project, "erin.walsh@northwind.example")["status"] == "USER_ACTIVE"
