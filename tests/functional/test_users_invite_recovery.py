"""An invite interrupted by a crash is the same invite on the next run: never a second one,
also in a project's first apply and after the User manifest was edited meanwhile."""

from __future__ import annotations

import signal

from rampctl.engine.crashpoints import ENV
from tests.functional.conftest import Project
from tests.functional.test_users import DANA, _tasks, _users, _write


def _killed_after_invite(project: Project) -> None:
    killed = project.apply_in_subprocess(**{ENV: "after_invite:1"})
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    assert len(_tasks(project)) == 1


def test_an_invite_killed_in_the_first_apply_is_not_sent_twice(project: Project) -> None:
    _write(project, "users/dana.yaml", DANA)
    _killed_after_invite(project)
    again = project.apply_in_subprocess()
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(_tasks(project)) == 1
    assert len(_users(project)) == 1
    assert project.rampctl("plan", "--detailed-exitcode").code == 0


def test_an_invite_killed_then_edited_is_resumed_then_updated(project: Project) -> None:
    _write(project, "users/dana.yaml", DANA)
    _killed_after_invite(project)
    _write(project, "users/dana.yaml", DANA.replace("first_name: Dana", "first_name: Danielle"))
    again = project.apply_in_subprocess()
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(_tasks(project)) == 1
    [user] = _users(project)
    assert user["first_name"] == "Danielle"
    assert project.rampctl("plan", "--detailed-exitcode").code == 0
