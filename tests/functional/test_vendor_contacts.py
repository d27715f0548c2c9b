"""Vendor contact lists end to end (`spec.contacts`): created, held for approval, manual edits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from tests.functional.conftest import Project
from tests.functional.vendor_texts import blue_sun

CYBERDYNE = Path("manifests/vendors/engineering/cyberdyne-security.yaml")
ONE_CONTACT = """\
  contact:
    email: accounts@cyberdyne.example
    first_name: Miles
    last_name: Dyson
    phone: "+13105550199"
"""
LIST = """\
  contacts:
    - email: accounts@cyberdyne.example
      first_name: Miles
      last_name: Dyson
      phone: "+13105550199"
      default: true
    - email: ops@cyberdyne.example
      first_name: Ops
"""
BLUE_SUN = blue_sun(
    "alice.chen@northwind.example",
    """\
  contacts:
    - email: billing@bluesun.example
    - email: ap@bluesun.example
      first_name: River
      default: true
""",
)


def _contacts_list(project: Project, extra: str = "") -> None:
    path = project.root / CYBERDYNE
    text = path.read_text()
    assert ONE_CONTACT in text
    path.write_text(text.replace(ONE_CONTACT, LIST + extra))


def _plan(project: Project) -> dict[str, Any]:
    result = project.rampctl("plan", "--json")
    assert result.code == 0, result.out + result.err
    data: dict[str, Any] = json.loads(result.out)
    return data


def _vendor(project: Project, key: str) -> dict[str, Any]:
    [vendor] = project.vendor_by_key(key)
    return vendor


def _contacts(project: Project, vendor_id: str) -> dict[str, dict[str, Any]]:
    with project.api() as api:
        data = api.get(f"/vendors/{vendor_id}/contacts").json()["data"]
    return {c["email"]: c for c in data}


def _apply(project: Project) -> None:
    applied = project.rampctl("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err


def test_a_missing_contact_is_created_once(project: Project) -> None:
    _apply(project)
    vendor_id = _vendor(project, "cyberdyne-security")["id"]
    _contacts_list(project)
    [change] = _plan(project)["changes"]
    assert (change["action"], change["request"]) == ("update", None)
    assert change["contacts"] == [
        {"email": "ops@cyberdyne.example", "first_name": "Ops", "is_default": False}
    ]
    assert "contacts[ops@cyberdyne.example]" in project.rampctl("plan").out
    project.sandbox.clear_log()
    _apply(project)
    assert project.writes() == [f"POST /developer/v1/vendors/{vendor_id}/contacts"]
    live = _contacts(project, vendor_id)
    assert live["ops@cyberdyne.example"]["first_name"] == "Ops"
    assert live["accounts@cyberdyne.example"]["is_default"] is True
    assert project.rampctl("plan", "--detailed-exitcode").code == 0


def test_a_contact_held_for_approval_is_pending_and_not_resent(project: Project) -> None:
    _apply(project)
    vendor_id = _vendor(project, "cyberdyne-security")["id"]
    project.sandbox.settings.contact_approval = "pending_approval"
    _contacts_list(project)
    project.sandbox.clear_log()
    _apply(project)
    assert project.writes() == [f"POST /developer/v1/vendors/{vendor_id}/contacts"]
    state = json.loads((project.root / "rampctl.state.json").read_text())["resources"]
    sent = state["vendor/cyberdyne-security"]["attributes"]["contacts_pending"]
    assert list(sent) == ["ops@cyberdyne.example"]

    plan = _plan(project)
    [change] = plan["changes"]
    assert change["action"] == "pending_approval"
    assert change["fields"][0]["path"] == "contacts[ops@cyberdyne.example]"
    assert sent["ops@cyberdyne.example"] in change["reason"]
    assert plan["drift"] == []
    text = project.rampctl("plan").out
    assert "~ vendor/cyberdyne-security  Cyberdyne Security  pending approval" in text
    project.sandbox.clear_log()
    _apply(project)
    assert project.writes() == []  # not sent again

    url = f"{project.sandbox.base_url}/_sandbox/vendors/{vendor_id}/approve"
    assert httpx.post(url).status_code == 200
    after = _plan(project)
    assert (after["changes"], after["drift"]) == ([], [])


def test_edits_removals_and_a_new_default_stay_manual(project: Project) -> None:
    _apply(project)
    _contacts_list(project)
    _apply(project)
    path = project.root / CYBERDYNE
    text = path.read_text()
    text = text.replace("      first_name: Ops\n", "      first_name: Operations\n")
    text = text.replace("      default: true\n", "")
    text = text.replace(
        "    - email: ops@cyberdyne.example\n",
        "    - email: ops@cyberdyne.example\n      default: true\n",
    )
    text = text.replace(
        "    - email: accounts@cyberdyne.example\n      first_name: Miles\n"
        '      last_name: Dyson\n      phone: "+13105550199"\n',
        "",
    )
    path.write_text(text)
    changes = _plan(project)["changes"]
    assert {c["action"] for c in changes} == {"manual"}
    reasons = " | ".join(c["reason"] for c in changes)
    assert "cannot edit an existing vendor contact" in reasons
    assert "cannot delete a vendor contact" in reasons
    assert "make ops@cyberdyne.example the default contact in Ramp" in reasons
    project.sandbox.clear_log()
    _apply(project)
    assert project.writes() == []


def test_a_new_vendor_gets_its_default_then_its_other_contacts(project: Project) -> None:
    _apply(project)
    (project.root / "manifests" / "vendors" / "blue-sun.yaml").write_text(BLUE_SUN)
    project.sandbox.clear_log()
    _apply(project)
    vendor = _vendor(project, "blue-sun")
    assert project.writes() == [
        "POST /developer/v1/vendors",
        f"POST /developer/v1/vendors/{vendor['id']}/contacts",
    ]
    live = _contacts(project, vendor["id"])
    assert set(live) == {"ap@bluesun.example", "billing@bluesun.example"}
    assert live["ap@bluesun.example"]["is_default"] is True
    assert project.rampctl("plan", "--detailed-exitcode").code == 0


def test_contact_lists_are_checked_with_positions(project: Project) -> None:
    path = project.root / "manifests" / "vendors" / "blue-sun.yaml"
    path.write_text(
        BLUE_SUN.replace(
            "    - email: billing@bluesun.example\n",
            "    - email: billing@bluesun.example\n      default: true\n",
        )
    )
    result = project.rampctl("validate")
    assert result.code != 0
    assert (
        "blue-sun.yaml:14" in result.err
        and "exactly one contact needs `default: true`" in result.err
    )
    path.write_text(BLUE_SUN.replace("billing@", "AP@"))
    result = project.rampctl("validate")
    assert "blue-sun.yaml:11" in result.err and "is also contact 0" in result.err
    path.write_text(
        BLUE_SUN.replace("  contacts:\n", "  contact: {email: x@bluesun.example}\n  contacts:\n")
    )
    result = project.rampctl("validate")
    assert "give spec.contact or spec.contacts, not both" in result.err


def _manual_contacts(change: dict[str, Any]) -> list[str]:
    return [f["path"] for f in change["fields"]]


def test_a_new_contact_on_a_ramp_without_contact_creation_is_manual(project: Project) -> None:
    project.sandbox.settings.api_version = "2025"
    _apply(project)
    _contacts_list(project)
    [change] = _plan(project)["changes"]
    assert change["action"] == "manual"
    assert _manual_contacts(change) == ["contacts[ops@cyberdyne.example]"]
    assert "cannot create vendor contacts" in change["reason"]
    assert "! vendor/cyberdyne-security" in project.rampctl("plan").out
    project.sandbox.clear_log()
    applied = project.rampctl("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    assert project.writes() == []
    assert "! vendor/cyberdyne-security" in applied.out


def test_a_new_vendor_on_a_ramp_without_contact_creation_gets_its_default(
    project: Project,
) -> None:
    project.sandbox.settings.api_version = "2025"
    _apply(project)
    (project.root / "manifests" / "vendors" / "blue-sun.yaml").write_text(BLUE_SUN)
    plan = _plan(project)
    create, manual = sorted(plan["changes"], key=lambda c: c["action"])
    assert (create["action"], create["contacts"]) == ("create", [])
    assert manual["action"] == "manual"
    assert _manual_contacts(manual) == ["contacts[billing@bluesun.example]"]
    project.sandbox.clear_log()
    _apply(project)
    assert project.writes() == ["POST /developer/v1/vendors"]
    [vendor] = [v for v in project.vendor_by_key("any") if v["name"] == "Blue Sun Corp"]
    assert set(_contacts(project, vendor["id"])) == {"ap@bluesun.example"}
    [again] = _plan(project)["changes"]  # the vendor is there: only the contact stays manual
    assert again["action"] == "manual"
    assert _manual_contacts(again) == ["contacts[billing@bluesun.example]"]


def test_contact_creation_missing_from_a_newer_ramp_is_learnt_and_then_manual(
    project: Project,
) -> None:
    _apply(project)
    project.sandbox.settings.absent_endpoints = ["POST /vendors/{vendor_id}/contacts"]
    _contacts_list(project)
    project.sandbox.clear_log()
    first = project.rampctl("apply", "--auto-approve")
    assert first.code == 0, first.out + first.err
    assert "manual change needed: vendor/cyberdyne-security" in first.out
    state = json.loads((project.root / "rampctl.state.json").read_text())
    assert state["capabilities"]["vendor_contact_create"] is False
    [change] = _plan(project)["changes"]
    assert change["action"] == "manual"
    assert "cannot create vendor contacts" in change["reason"]
    project.sandbox.clear_log()
    _apply(project)
    assert project.writes() == []


def _hold_new_contact(project: Project) -> str:
    """Apply the demo, then a new contact Ramp holds for approval; the vendor's id."""
    _apply(project)
    vendor_id = str(_vendor(project, "cyberdyne-security")["id"])
    project.sandbox.settings.contact_approval = "pending_approval"
    _contacts_list(project)
    _apply(project)
    return vendor_id


def _recorded(project: Project) -> dict[str, Any]:
    state = json.loads((project.root / "rampctl.state.json").read_text())["resources"]
    attributes: dict[str, Any] = state["vendor/cyberdyne-security"]["attributes"]
    return attributes


def test_an_approved_contact_is_recorded_and_later_contacts_are_drift(project: Project) -> None:
    vendor_id = _hold_new_contact(project)
    assert httpx.post(f"{project.sandbox.base_url}/_sandbox/vendors/{vendor_id}/approve")
    project.sandbox.settings.contact_approval = "immediate"
    _apply(project)  # nothing to send: records the approval
    assert "contacts_pending" not in _recorded(project)
    assert len(_recorded(project)["contact_ids"]) == 2
    with project.api() as api:
        added = api.post(f"/vendors/{vendor_id}/contacts", json={"email": "x@cyberdyne.example"})
        assert added.status_code == 201, added.text
    [drift] = _plan(project)["drift"]
    assert [f["path"] for f in drift["fields"]] == ["contact_ids"]


def test_a_waiting_contact_stays_recorded_through_another_update(project: Project) -> None:
    _hold_new_contact(project)
    sent = _recorded(project)["contacts_pending"]
    path = project.root / CYBERDYNE
    path.write_text(path.read_text().replace("description: ", "description: New. ", 1))
    _apply(project)
    assert _recorded(project)["contacts_pending"] == sent
    [change] = _plan(project)["changes"]
    assert change["action"] == "pending_approval"
    assert sent["ops@cyberdyne.example"] in change["reason"]
