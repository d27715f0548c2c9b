"""Identity end to end: renames are moves, replacements are refused, lookalikes are warned."""

from __future__ import annotations

import json
from typing import Any

from tests.functional.conftest import Project
from tests.functional.test_bills import _apply, _bill_writes, _bills, _write_bill

BLUE_SUN = """\
apiVersion: rampctl/v1
kind: Vendor
metadata:
  name: {name}
spec:
  name: {title}
  country: US
  owner: alice.chen@northwind.example
  contact:
    email: ap@bluesun.example
"""


def _write_blue_sun(project: Project, name: str = "blue-sun", title: str = "Blue Sun Corp") -> None:
    path = project.root / "manifests" / "vendors" / "blue-sun.yaml"
    path.write_text(BLUE_SUN.format(name=name, title=title))


def _rename(project: Project, rel: str, old: str, new: str) -> None:
    path = project.root / "manifests" / rel
    text = path.read_text()
    assert f"  name: {old}\n" in text
    path.write_text(text.replace(f"  name: {old}\n", f"  name: {new}\n", 1))


def _vendor_writes(project: Project) -> list[str]:
    return [w for w in project.writes() if w.startswith(("POST", "DELETE"))]


def _state(project: Project) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((project.root / "rampctl.state.json").read_text())
    return data["resources"]


def _moved(project: Project, old: str, new: str) -> None:
    """Plan shows a move, apply keeps the Ramp id, and the next plan is empty."""
    before = _state(project)[old]["ramp_id"]
    plan = project.rampctl("plan", "--json")
    assert plan.code == 0, plan.err
    changes = {c["address"]: c for c in json.loads(plan.out)["changes"]}
    assert changes[old]["action"] == "forget", changes
    assert changes[new]["action"] == "adopt"
    assert changes[new]["ramp_id"] == before
    assert f"moved from {old}" in changes[new]["reason"]
    project.sandbox.clear_log()
    applied = project.rampctl("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    assert _vendor_writes(project) == []
    state = _state(project)
    assert old not in state
    assert state[new]["ramp_id"] == before
    assert project.rampctl("plan", "--detailed-exitcode").code == 0


def test_renamed_vendor_without_a_link_keeps_its_ramp_id(project: Project) -> None:
    _write_blue_sun(project)
    assert project.rampctl("apply", "--auto-approve").code == 0
    _write_blue_sun(project, name="blue-sun-corp")
    _moved(project, "vendor/blue-sun", "vendor/blue-sun-corp")
    [live] = project.vendor_by_key("blue-sun-corp")  # the adoption key followed the move
    assert live["id"] == _state(project)["vendor/blue-sun-corp"]["ramp_id"]
    assert project.vendor_by_key("blue-sun") == []


def test_renamed_vendor_with_an_accounting_link_keeps_its_ramp_id(project: Project) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    _rename(project, "vendors/engineering/hooli-telecom.yaml", "hooli-telecom", "hooli")
    _moved(project, "vendor/hooli-telecom", "vendor/hooli")


def test_renamed_accounting_vendor_keeps_its_ramp_id(project: Project) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    _rename(project, "accounting/erp-vendors.yaml", "soylent-catering", "soylent")
    linking = project.root / "manifests" / "vendors" / "operations" / "facilities.yaml"
    linking.write_text(
        linking.read_text().replace(
            "accounting_vendor: soylent-catering", "accounting_vendor: soylent"
        )
    )
    before = _state(project)["accounting_vendor/soylent-catering"]["ramp_id"]
    project.sandbox.clear_log()
    applied = project.rampctl("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    assert "moved from accounting_vendor/soylent-catering" in applied.out
    assert _vendor_writes(project) == []
    assert _state(project)["accounting_vendor/soylent"]["ramp_id"] == before
    assert project.rampctl("plan", "--detailed-exitcode").code == 0


def test_renamed_bill_keeps_its_ramp_id(project: Project) -> None:
    _write_bill(project)
    assert _apply(project).code == 0
    [bill] = _bills(project, "INV-2001")
    _rename(project, "bills/acme.yaml", "acme-inv-2001", "acme-march")
    project.sandbox.clear_log()
    assert _apply(project).code == 0
    assert _bill_writes(project) == []
    assert _state(project)["bill/acme-march"]["ramp_id"] == bill["id"]


def test_explicit_previously_moves_what_detection_cannot_see(project: Project) -> None:
    _write_blue_sun(project)
    assert project.rampctl("apply", "--auto-approve").code == 0
    path = project.root / "manifests" / "vendors" / "blue-sun.yaml"
    # A new address and a new name: nothing ties the two together but the explicit record.
    text = BLUE_SUN.format(name="sun-corp", title="Sun Corporation")
    path.write_text(
        text.replace("  name: sun-corp\n", "  name: sun-corp\n  previously: [blue-sun]\n")
    )
    before = _state(project)["vendor/blue-sun"]["ramp_id"]
    plan = json.loads(project.rampctl("plan", "--json").out)
    actions = {(c["address"], c["action"]) for c in plan["changes"]}
    assert ("vendor/sun-corp", "adopt") in actions  # with the new name, by PATCH
    [adopt] = [c for c in plan["changes"] if c["address"] == "vendor/sun-corp"]
    assert adopt["request"]["name"] == "Sun Corporation"
    assert ("vendor/blue-sun", "forget") in actions
    assert not any(a == "create" for _, a in actions)
    project.sandbox.clear_log()
    assert project.rampctl("apply", "--auto-approve").code == 0
    assert _vendor_writes(project) == []
    assert _state(project)["vendor/sun-corp"]["ramp_id"] == before
    [live] = project.vendor_by_key("sun-corp")
    assert (live["id"], live["name"]) == (before, "Sun Corporation")


def test_previously_naming_a_declared_address_is_an_error(project: Project) -> None:
    path = project.root / "manifests" / "vendors" / "blue-sun.yaml"
    text = BLUE_SUN.format(name="sun-corp", title="Sun Corporation")
    path.write_text(
        text.replace("  name: sun-corp\n", "  name: sun-corp\n  previously: [initech]\n")
    )
    result = project.rampctl("plan")
    assert result.code == 1
    assert "blue-sun.yaml" in result.err and "metadata.previously" in result.err
    assert "vendor/initech is still declared" in result.err


def test_delete_and_create_of_the_same_name_is_refused_without_allow_replace(
    project: Project,
) -> None:
    _write_blue_sun(project, title="Blue Sun Corp.")
    assert project.rampctl("apply", "--auto-approve").code == 0
    # Another address, and a name that differs only in punctuation and legal suffix:
    # not detected as a move, so it would delete the live vendor and create an equal one.
    _write_blue_sun(project, name="bluesun", title="Blue Sun")
    plan = project.rampctl("plan")
    assert "apply needs --allow-replace" in plan.out
    project.sandbox.clear_log()
    refused = project.rampctl("apply", "--auto-approve")
    assert refused.code == 3, refused.out + refused.err
    assert "--allow-replace" in refused.err and "Blue Sun" in refused.err
    assert project.writes() == []
    allowed = project.rampctl("apply", "--auto-approve", "--allow-replace")
    assert allowed.code == 0, allowed.out + allowed.err


def test_creating_a_lookalike_of_an_unmanaged_vendor_warns_with_the_adopt_hint(
    project: Project,
) -> None:
    path = project.root / "manifests" / "vendors" / "umbrella.yaml"
    path.write_text(
        BLUE_SUN.format(name="umbrella-corp", title="UMBRELLA  insurance, Inc.").replace(
            "bluesun", "umbrella"
        )
    )
    plan = project.rampctl("plan")
    assert plan.code == 0, plan.err
    assert "Umbrella Insurance" in plan.out and "is not managed" in plan.out
    assert "external_id" in plan.out and "rampctl import" in plan.out


def test_state_ids_swapped_between_two_vendors_are_refused(project: Project) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    path = project.root / "rampctl.state.json"
    data = json.loads(path.read_text())
    res = data["resources"]
    res["vendor/initech"]["ramp_id"], res["vendor/globex-logistics"]["ramp_id"] = (
        res["vendor/globex-logistics"]["ramp_id"],
        res["vendor/initech"]["ramp_id"],
    )
    path.write_text(json.dumps(data))
    project.sandbox.clear_log()
    result = project.rampctl("apply", "--auto-approve")
    assert result.code == 1, result.out + result.err
    assert "the state maps vendor/initech to vendor" in result.err
    assert "carries the key 'globex-logistics', not 'initech'" in result.err
    assert "rampctl state rebuild" in result.err
    assert project.writes() == []


def test_a_list_that_ignores_its_filter_never_adopts_the_wrong_object(project: Project) -> None:
    project.sandbox.settings.update({"ignore_list_filters": True})
    assert project.rampctl("apply", "--auto-approve").code == 0
    with project.api() as api:
        live = {a["id"]: a["ramp_id"] for a in api.get("/accounting/vendors").json()["data"]}
    for address, entry in _state(project).items():
        if address.startswith("accounting_vendor/"):
            assert live[entry["key"]] == entry["ramp_id"], address
    project.sandbox.settings.update({"ignore_list_filters": False})
    assert project.rampctl("plan", "--detailed-exitcode").code == 0


def test_state_rm_then_plan_re_adopts_by_key_never_a_second_vendor(project: Project) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    [before] = project.vendor_by_key("hooli-telecom")
    removed = project.rampctl("state", "rm", "vendor/hooli-telecom")
    assert removed.code == 0, removed.err
    plan = json.loads(project.rampctl("plan", "--json").out)
    [change] = [c for c in plan["changes"] if c["address"] == "vendor/hooli-telecom"]
    assert (change["action"], change["ramp_id"]) == ("adopt", before["id"])
    project.sandbox.clear_log()
    assert project.rampctl("apply", "--auto-approve").code == 0
    assert _vendor_writes(project) == []
    assert [v["id"] for v in project.vendor_by_key("hooli-telecom")] == [before["id"]]


def test_state_rm_of_an_undeclared_vendor_leaves_it_unmanaged(project: Project) -> None:
    _write_blue_sun(project)
    assert project.rampctl("apply", "--auto-approve").code == 0
    (project.root / "manifests" / "vendors" / "blue-sun.yaml").unlink()
    assert project.rampctl("state", "rm", "vendor/blue-sun").code == 0
    plan = json.loads(project.rampctl("plan", "--json").out)
    assert [c for c in plan["changes"] if "blue-sun" in c["address"]] == []
    assert "Blue Sun Corp" in [u["name"] for u in plan["unmanaged"]["items"]]
    assert len(project.vendor_by_key("blue-sun")) == 1
