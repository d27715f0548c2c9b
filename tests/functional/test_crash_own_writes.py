"""A write Ramp made whose outcome the state never heard of (kill -9 right after it was sent,
or its answer lost) is recognised by the next run from the apply journal: recorded, not drift."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

import httpx

from rampctl.sandbox.settings import FaultRule
from tests.functional.conftest import Project
from tests.functional.test_vendor_contacts import BLUE_SUN, LIST, ONE_CONTACT

CYBERDYNE = Path("manifests/vendors/engineering/cyberdyne-security.yaml")


def _edit(project: Project, old: str, new: str) -> None:
    path = project.root / CYBERDYNE
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _plan(project: Project) -> dict[str, Any]:
    result = project.rampctl("plan", "--json")
    assert result.code == 0, result.out + result.err
    data: dict[str, Any] = json.loads(result.out)
    return data


def _attributes(project: Project) -> dict[str, Any]:
    state = json.loads((project.root / "rampctl.state.json").read_text())
    attributes: dict[str, Any] = state["resources"]["vendor/cyberdyne-security"]["attributes"]
    return attributes


def _killed_after_send(project: Project) -> None:
    """Apply the demo, then the edit made by the caller in a run killed after its one write."""
    killed = project.apply_in_subprocess(RAMPCTL_CRASH_AT="after_send:1")
    assert killed.returncode == -signal.SIGKILL, killed.stderr


def _settled_by_the_next_runs(project: Project, *, plan_first: bool = True) -> None:
    if plan_first:
        plan = _plan(project)
        assert (plan["changes"], plan["drift"]) == ([], [])  # plan: its own write, not drift
    project.sandbox.clear_log()
    applied = project.rampctl("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    assert project.writes() == []
    assert "Changed in Ramp" not in applied.out
    after = _plan(project)
    assert (after["changes"], after["drift"]) == ([], [])


def test_a_rename_killed_after_its_patch_is_recognised_not_drift(project: Project) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    _edit(project, "name: Cyberdyne Security\n", "name: Cyberdyne Systems\n")
    _killed_after_send(project)
    [live] = project.vendor_by_key("cyberdyne-security")
    assert live["name"] == "Cyberdyne Systems"  # Ramp made it; the state did not hear of it
    assert _attributes(project)["name"] == "Cyberdyne Security"
    _settled_by_the_next_runs(project)
    assert _attributes(project)["name"] == "Cyberdyne Systems"  # recorded by that apply


def test_a_rename_survives_a_second_kill_before_the_next_run_records_it(
    project: Project,
) -> None:
    """The run after the kill settles its journal, then is killed too before its first write:
    the rename is still recognised as rampctl's own by the third run."""
    assert project.rampctl("apply", "--auto-approve").code == 0
    _edit(project, "name: Cyberdyne Security\n", "name: Cyberdyne Systems\n")
    _killed_after_send(project)
    initech = project.root / "manifests/vendors/engineering/initech.yaml"
    initech.write_text(initech.read_text().replace("Software licences", "Licences and support"))
    second = project.apply_in_subprocess(RAMPCTL_CRASH_AT="before_send:1")
    assert second.returncode == -signal.SIGKILL, second.stderr
    plan = _plan(project)
    assert plan["drift"] == []
    assert [c["address"] for c in plan["changes"]] == ["vendor/initech"]
    applied = project.rampctl("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    assert "Changed in Ramp" not in applied.out
    assert _attributes(project)["name"] == "Cyberdyne Systems"
    assert (_plan(project)["changes"], _plan(project)["drift"]) == ([], [])


def test_a_contact_created_before_a_kill_is_recognised_not_drift(project: Project) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    _edit(project, ONE_CONTACT, LIST)
    _killed_after_send(project)
    _settled_by_the_next_runs(project)
    assert len(_attributes(project)["contact_ids"]) == 2


def test_a_patch_ramp_commits_after_answering_504_is_recognised_not_drift(
    project: Project,
) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    _edit(project, "name: Cyberdyne Security\n", "name: Cyberdyne Systems\n")
    project.sandbox.settings.faults.append(
        FaultRule(kind="late_commit", method="PATCH", path="/developer/v1/vendors/*")
    )
    lost = project.rampctl("apply", "--auto-approve")
    assert lost.code != 0  # 504, and the read deciding it came before Ramp committed
    assert "uncertain" in lost.out
    # apply first: it waits out the unresolved write (Ramp may commit it meanwhile)
    _settled_by_the_next_runs(project, plan_first=False)
    assert _attributes(project)["name"] == "Cyberdyne Systems"


def test_a_rename_killed_before_its_patch_is_planned_again_not_recorded(
    project: Project,
) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    _edit(project, "name: Cyberdyne Security\n", "name: Cyberdyne Systems\n")
    killed = project.apply_in_subprocess(RAMPCTL_CRASH_AT="before_send:1")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    plan = _plan(project)  # journaled, never sent: still to do, and nothing to call drift
    assert plan["drift"] == []
    assert [c["request"] for c in plan["changes"]] == [{"name": "Cyberdyne Systems"}]
    project.sandbox.clear_log()
    applied = project.rampctl("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    assert len(project.writes()) == 1
    assert _attributes(project)["name"] == "Cyberdyne Systems"
    assert _plan(project)["changes"] == []


def _approve(project: Project) -> None:
    [live] = project.vendor_by_key("cyberdyne-security")
    url = f"{project.sandbox.base_url}/_sandbox/vendors/{live['id']}/approve"
    assert httpx.post(url).status_code == 200


def _converges(project: Project) -> None:
    """Apply sends nothing and says nothing changed outside rampctl; plan is then empty."""
    project.sandbox.clear_log()
    applied = project.rampctl("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    assert project.writes() == []
    assert "Changed in Ramp" not in applied.out
    after = _plan(project)
    assert (after["changes"], after["drift"]) == ([], [])


def _pending_only(plan: dict[str, Any]) -> dict[str, Any]:
    assert plan["drift"] == []
    [change] = plan["changes"]
    assert (change["action"], change["request"]) == ("pending_approval", None)
    return change


def test_a_contact_held_for_approval_before_a_kill_is_recorded_as_waiting(
    project: Project,
) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    project.sandbox.settings.contact_approval = "pending_approval"
    _edit(project, ONE_CONTACT, LIST)
    _killed_after_send(project)
    _pending_only(_plan(project))
    project.sandbox.clear_log()
    assert project.rampctl("apply", "--auto-approve").code == 0
    assert project.writes() == []  # not sent again
    waiting = _attributes(project)["contacts_pending"]
    assert list(waiting) == ["ops@cyberdyne.example"]  # recorded as a sent one is
    assert waiting["ops@cyberdyne.example"] in _pending_only(_plan(project))["reason"]
    _approve(project)
    _converges(project)
    assert len(_attributes(project)["contact_ids"]) == 2
    assert "contacts_pending" not in _attributes(project)
    _converges(project)


def test_a_contact_approved_before_the_next_run_after_a_kill_is_recorded(
    project: Project,
) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    project.sandbox.settings.contact_approval = "pending_approval"
    _edit(project, ONE_CONTACT, LIST)
    _killed_after_send(project)
    _approve(project)
    _converges(project)
    assert len(_attributes(project)["contact_ids"]) == 2
    assert "contacts_pending" not in _attributes(project)


def test_a_contact_ramp_holds_after_a_lost_answer_is_recorded_as_waiting(
    project: Project,
) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    project.sandbox.settings.contact_approval = "pending_approval"
    _edit(project, ONE_CONTACT, LIST)
    project.sandbox.settings.faults.append(
        FaultRule(kind="late_commit", method="POST", path="/developer/v1/vendors/*/contacts")
    )
    lost = project.rampctl("apply", "--auto-approve")
    assert lost.code != 0  # 504, and the look-up deciding it came before Ramp committed
    project.sandbox.settings.faults.clear()
    project.sandbox.clear_log()
    assert project.rampctl("apply", "--auto-approve").code == 0  # waits it out, sends nothing
    assert project.writes() == []
    assert list(_attributes(project)["contacts_pending"]) == ["ops@cyberdyne.example"]
    _approve(project)
    _converges(project)
    assert len(_attributes(project)["contact_ids"]) == 2


def test_a_rename_with_an_owner_change_held_for_approval_before_a_kill_is_recorded(
    project: Project,
) -> None:
    """One PATCH: Ramp renames at once and holds the owner change (a governed field)."""
    assert project.rampctl("apply", "--auto-approve").code == 0
    project.sandbox.settings.vendor_update_approval = "pending_approval"
    _edit(project, "name: Cyberdyne Security\n", "name: Cyberdyne Systems\n")
    _edit(project, "owner: frank.ito@", "owner: alice.chen@")
    _killed_after_send(project)
    _pending_only(_plan(project))
    project.sandbox.clear_log()
    assert project.rampctl("apply", "--auto-approve").code == 0
    assert project.writes() == []  # not sent again
    recorded = _attributes(project)
    assert recorded["name"] == "Cyberdyne Systems"
    assert recorded["pending"]["fields"] == {"owner": "alice.chen@northwind.example"}
    _approve(project)
    _converges(project)
    assert _attributes(project)["owner"] == "alice.chen@northwind.example"
    assert not _attributes(project).get("pending")


def test_an_owner_change_held_for_approval_before_a_kill_is_pending_then_recorded(
    project: Project,
) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    project.sandbox.settings.vendor_update_approval = "pending_approval"
    _edit(project, "owner: frank.ito@", "owner: alice.chen@")
    _killed_after_send(project)
    _pending_only(_plan(project))
    project.sandbox.clear_log()
    assert project.rampctl("apply", "--auto-approve").code == 0
    assert project.writes() == []
    _approve(project)
    _converges(project)
    assert _attributes(project)["owner"] == "alice.chen@northwind.example"


def test_an_accounting_vendor_edit_killed_after_its_write_is_not_drift(project: Project) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    path = project.root / "manifests" / "accounting" / "erp-vendors.yaml"
    text = path.read_text()
    assert "  code: ACME\n" in text
    path.write_text(text.replace("  code: ACME\n", "  code: ACME-CLOUD\n", 1))
    [change] = _plan(project)["changes"]
    assert (change["address"], change["action"]) == ("accounting_vendor/acme-cloud", "update")
    _killed_after_send(project)
    _settled_by_the_next_runs(project)


def test_a_new_vendors_contact_held_for_approval_before_a_kill_is_recorded_as_waiting(
    project: Project,
) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    project.sandbox.settings.contact_approval = "pending_approval"
    (project.root / "manifests" / "vendors" / "blue-sun.yaml").write_text(BLUE_SUN)
    _killed_after_send(project)  # the create and its second contact, held: sent, not recorded
    project.sandbox.clear_log()
    assert project.rampctl("apply", "--auto-approve").code == 0  # adopts it by key
    assert project.writes() == []
    state = json.loads((project.root / "rampctl.state.json").read_text())["resources"]
    assert list(state["vendor/blue-sun"]["attributes"]["contacts_pending"]) == [
        "billing@bluesun.example"
    ]
    [live] = project.vendor_by_key("blue-sun")
    url = f"{project.sandbox.base_url}/_sandbox/vendors/{live['id']}/approve"
    assert httpx.post(url).status_code == 200
    _converges(project)
