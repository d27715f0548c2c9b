"""Vendor updates of Ramp's 2026 API end to end: renames by PATCH, edits held for approval."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

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
    assert "~ vendor/cyberdyne-security" in text
    assert 'name: "Cyberdyne Security" -> "Cyberdyne Systems"' in text
    assert "!" not in text  # no manual item: Ramp renames by PATCH
    project.sandbox.clear_log()
    applied = project.rampctl("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    assert project.writes() == [f"PATCH /developer/v1/vendors/{before['id']}"]
    after = _live(project, "cyberdyne-security")
    assert (after["id"], after["name"]) == (before["id"], "Cyberdyne Systems")
    assert project.rampctl("plan", "--detailed-exitcode").code == 0


def _state(project: Project) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((project.root / "rampctl.state.json").read_text())
    return data["resources"]


def _decide(project: Project, vendor_id: str, decision: str) -> None:
    url = f"{project.sandbox.base_url}/_sandbox/vendors/{vendor_id}/{decision}"
    assert httpx.post(url).status_code == 200


def _hold_owner_change(project: Project) -> tuple[str, str]:
    """Apply the demo, then an owner change Ramp holds for approval: the vendor's and the
    new owner's ids."""
    assert project.rampctl("apply", "--auto-approve").code == 0
    vendor_id = str(_live(project, "cyberdyne-security")["id"])
    project.sandbox.settings.vendor_update_approval = "pending_approval"
    _edit(project, CYBERDYNE, "owner: frank.ito@", "owner: alice.chen@")
    project.sandbox.clear_log()
    applied = project.rampctl("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    assert project.writes() == [f"PATCH /developer/v1/vendors/{vendor_id}"]
    live = _live(project, "cyberdyne-security")
    assert live["vendor_owner_id"] != live["pending_update"]["fields"]["vendor_owner_id"]
    return vendor_id, str(live["pending_update"]["fields"]["vendor_owner_id"])


def test_an_update_held_for_approval_is_pending_not_resent_not_drift(project: Project) -> None:
    vendor_id, _ = _hold_owner_change(project)
    live = _live(project, "cyberdyne-security")
    recorded = _state(project)["vendor/cyberdyne-security"]["attributes"]["pending"]
    assert recorded["fields"] == {"owner": "alice.chen@northwind.example"}
    assert recorded["requested_at"] == live["pending_update"]["requested_at"]

    plan = _plan(project)
    [change] = plan["changes"]
    assert (change["action"], change["request"]) == ("pending_approval", None)
    assert change["fields"] == [
        {
            "path": "owner",
            "before": "frank.ito@northwind.example",
            "after": "alice.chen@northwind.example",
        }
    ]
    assert recorded["requested_at"] in change["reason"]
    assert plan["drift"] == []
    text = project.rampctl("plan").out
    assert "~ vendor/cyberdyne-security  Cyberdyne Security  pending approval" in text
    assert "Plan: 1 pending approval in Ramp." in text
    assert "Changed in Ramp" not in text
    markdown = project.rampctl("plan", "--markdown").out
    assert "Pending approval in Ramp" in markdown and "_pending approval_" in markdown
    assert project.rampctl("plan", "--detailed-exitcode").code == 0  # nothing rampctl can do

    project.sandbox.clear_log()
    again = project.rampctl("apply", "--auto-approve")
    assert again.code == 0, again.out + again.err
    assert project.writes() == []  # not sent again

    _decide(project, vendor_id, "approve")
    assert _live(project, "cyberdyne-security")["pending_update"] is None
    after = _plan(project)
    assert (after["changes"], after["drift"]) == ([], [])
    # Approved: the owner is what the manifest says; nothing to do, and no "drift" either.
    assert project.rampctl("plan", "--detailed-exitcode").code == 0


def test_a_rejected_update_is_planned_again_saying_so(project: Project) -> None:
    """Ramp keeps no record of a rejection: the plan cannot tell it from an approval undone
    since, so it reports the value not kept as drift and sends the update again."""
    vendor_id, alice = _hold_owner_change(project)
    _decide(project, vendor_id, "reject")
    plan = _plan(project)
    [drift] = plan["drift"]
    assert [f["path"] for f in drift["fields"]] == ["owner"]
    [change] = plan["changes"]
    assert change["action"] == "update"
    assert "rejected in Ramp, or approved and changed back since" in change["reason"]
    assert change["request"] == {"vendor_owner_id": alice}


def test_a_different_value_while_one_waits_is_manual(project: Project) -> None:
    _hold_owner_change(project)
    _edit(project, CYBERDYNE, "owner: alice.chen@", "owner: bob.martin@")
    [change] = _plan(project)["changes"]
    assert change["action"] == "manual"
    assert "refuses a new one until it is approved or rejected" in change["reason"]
    project.sandbox.clear_log()
    assert project.rampctl("apply", "--auto-approve").code == 0
    assert project.writes() == []


def _revert_owner(project: Project, vendor_id: str, owner_id: str) -> None:
    """A person in Ramp sets the owner back (no approval policy in the way)."""
    project.sandbox.settings.vendor_update_approval = "immediate"
    with project.api() as api:
        answer = api.patch(f"/vendors/{vendor_id}", json={"vendor_owner_id": owner_id})
        assert answer.status_code == 200, answer.text


def test_an_approved_update_reverted_after_a_run_saw_it_is_drift(project: Project) -> None:
    vendor_id, _ = _hold_owner_change(project)
    frank = _live(project, "cyberdyne-security")["vendor_owner_id"]
    _decide(project, vendor_id, "approve")
    seen = project.rampctl("apply", "--auto-approve")  # nothing to send: records the approval
    assert seen.code == 0, seen.out + seen.err
    entry = _state(project)["vendor/cyberdyne-security"]["attributes"]
    assert entry["pending"] is None
    assert entry["owner"] == "alice.chen@northwind.example"

    _revert_owner(project, vendor_id, frank)
    plan = _plan(project)
    assert plan["drift"] == [
        {
            "address": "vendor/cyberdyne-security",
            "kind": "vendor",
            "name": "Cyberdyne Security",
            "deleted": False,
            "fields": [
                {
                    "path": "owner",
                    "before": "alice.chen@northwind.example",
                    "after": "frank.ito@northwind.example",
                }
            ],
        }
    ]
    [change] = plan["changes"]
    assert change["action"] == "update"
    assert "rejected" not in change["reason"]
    text = project.rampctl("plan").out
    assert "Changed in Ramp" in text and "rejected" not in text


def test_an_update_no_run_saw_approved_is_drift_either_way(project: Project) -> None:
    """Ramp shows a rejected edit and one approved then undone alike (the pending update is
    gone, the old value is live): rampctl reports it as drift, saying it cannot tell which."""
    vendor_id, alice = _hold_owner_change(project)
    frank = _live(project, "cyberdyne-security")["vendor_owner_id"]
    _decide(project, vendor_id, "approve")
    _revert_owner(project, vendor_id, frank)
    plan = _plan(project)
    [drift] = plan["drift"]
    assert drift["fields"] == [
        {
            "path": "owner",
            "before": "alice.chen@northwind.example",
            "after": "frank.ito@northwind.example",
        }
    ]
    [change] = plan["changes"]
    assert change["request"] == {"vendor_owner_id": alice}
    assert "rejected in Ramp, or approved and changed back since" in change["reason"]
    project.sandbox.settings.vendor_update_approval = "pending_approval"
    assert project.rampctl("apply", "--auto-approve").code == 0
    after = _plan(project)  # sent again and held again: pending, no drift
    assert after["drift"] == []
    assert [c["action"] for c in after["changes"]] == ["pending_approval"]


def test_an_update_held_for_approval_on_the_2025_api_is_pending(project: Project) -> None:
    project.sandbox.settings.api_version = "2025"
    assert project.rampctl("apply", "--auto-approve").code == 0
    vendor_id = _state(project)["vendor/cyberdyne-security"]["ramp_id"]
    project.sandbox.settings.vendor_update_approval = "pending_approval"
    _edit(project, CYBERDYNE, "owner: frank.ito@", "owner: alice.chen@")
    project.sandbox.clear_log()
    held = project.rampctl("apply", "--auto-approve")
    assert held.code == 0, held.out + held.err
    assert project.writes() == [f"PATCH /developer/v1/vendors/{vendor_id}"]
    [change] = _plan(project)["changes"]
    assert change["action"] == "pending_approval"
    project.sandbox.clear_log()
    again = project.rampctl("apply", "--auto-approve")
    assert again.code == 0, again.out + again.err
    assert project.writes() == []
    _decide(project, vendor_id, "approve")
    assert project.rampctl("plan", "--detailed-exitcode").code == 0
