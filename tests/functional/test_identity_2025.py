"""On a Ramp without external_vendor_id (the sandbox's `api_version=2025`): vendors are found
by a verified match (name, owner, accounting link); nothing is duplicated or adopted wrongly."""

from __future__ import annotations

import json
from typing import Any

import httpx

from rampctl.sandbox.settings import FaultRule
from tests.functional.conftest import Project
from tests.functional.vendor_texts import blue_sun

BLUE_SUN = blue_sun("alice.chen@northwind.example", "  contact:\n    email: ap@bluesun.example\n")
MATCH_HEADER = "Vendors matched by name, owner and accounting link"


def _old_api(project: Project) -> None:
    project.sandbox.settings.api_version = "2025"


def _named(project: Project, name: str) -> list[dict[str, Any]]:
    with project.api() as api:
        data: list[dict[str, Any]] = api.get("/vendors", params={"name": name}).json()["data"]
    return data


def _state(project: Project) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((project.root / "rampctl.state.json").read_text())
    return data


def _apply(project: Project) -> None:
    applied = project.rampctl("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err


def _converged(project: Project) -> None:
    plan = project.rampctl("plan", "--detailed-exitcode")
    assert plan.code == 0, plan.out + plan.err


def test_the_demo_converges_on_a_ramp_without_the_key(project: Project) -> None:
    _old_api(project)
    before = {v["id"] for v in project.vendor_by_key("ignored: every vendor matches")}
    plan = project.rampctl("plan", "--json")
    assert plan.code == 0, plan.err
    data = json.loads(plan.out)
    assert data["identity"] == "verified_match"
    adopted = {c["address"]: c for c in data["changes"] if c["action"] == "adopt"}
    assert "vendor/acme-cloud" in adopted  # already in Ramp: found by name, owner and link
    assert "no external_vendor_id" in adopted["vendor/acme-cloud"]["reason"]
    assert MATCH_HEADER in project.rampctl("plan").out
    assert MATCH_HEADER in project.rampctl("plan", "--markdown").out
    _apply(project)
    _converged(project)
    state = _state(project)
    assert state["capabilities"]["external_vendor_id"] == {"returned": False, "filtered": False}
    after = project.vendor_by_key("ignored: every vendor matches")
    names = [v["name"] for v in after]
    assert len(names) == len(set(names))  # no vendor twice
    assert before <= {v["id"] for v in after}
    ids = [r["ramp_id"] for r in state["resources"].values()]
    assert len(ids) == len(set(ids))


def test_an_uncertain_create_is_found_again_not_sent_twice(project: Project) -> None:
    _old_api(project)
    _apply(project)
    (project.root / "manifests" / "vendors" / "blue-sun.yaml").write_text(BLUE_SUN)
    project.sandbox.settings.faults.append(
        FaultRule(kind="drop_after_commit", method="POST", path="/developer/v1/vendors", count=1)
    )
    first = project.rampctl("apply", "--auto-approve")
    assert first.code != 0  # the answer was lost: the outcome is uncertain
    assert len(_named(project, "Blue Sun Corp")) == 1
    project.sandbox.clear_log()
    _apply(project)
    assert not [w for w in project.writes() if w == "POST /developer/v1/vendors"]
    [live] = _named(project, "Blue Sun Corp")
    assert _state(project)["resources"]["vendor/blue-sun"]["ramp_id"] == live["id"]
    _converged(project)


def test_a_lookalike_with_another_owner_is_never_adopted(project: Project) -> None:
    _old_api(project)
    _apply(project)
    with project.api() as api:
        created = api.post(
            "/vendors",
            json={
                "name": "Blue Sun Corp",
                "country": "US",
                "vendor_owner_id": _user_id(project, "bob.martin@northwind.example"),
                "business_vendor_contacts": {"email": "other@bluesun.example"},
            },
        )
        assert created.status_code == 200, created.text
    (project.root / "manifests" / "vendors" / "blue-sun.yaml").write_text(BLUE_SUN)
    [change] = json.loads(project.rampctl("plan", "--json").out)["changes"]
    assert (change["address"], change["action"]) == ("vendor/blue-sun", "create")
    _apply(project)
    owners = {v["vendor_owner_id"] for v in _named(project, "Blue Sun Corp")}
    assert len(owners) == 2  # the lookalike kept; ours created beside it


def test_several_candidates_are_listed_and_nothing_is_created(project: Project) -> None:
    _old_api(project)
    _apply(project)
    alice = _user_id(project, "alice.chen@northwind.example")
    with project.api() as api:
        for email in ("a@bluesun.example", "b@bluesun.example"):
            body = {
                "name": "Blue Sun Corp",
                "country": "US",
                "vendor_owner_id": alice,
                "business_vendor_contacts": {"email": email},
            }
            assert api.post("/vendors", json=body).status_code == 200
    (project.root / "manifests" / "vendors" / "blue-sun.yaml").write_text(BLUE_SUN)
    [change] = json.loads(project.rampctl("plan", "--json").out)["changes"]
    assert change["action"] == "manual"
    for vendor in _named(project, "Blue Sun Corp"):
        assert vendor["id"] in change["reason"]
    project.sandbox.clear_log()
    _apply(project)
    assert project.writes() == []


def test_state_rebuild_finds_vendors_by_verified_match(project: Project) -> None:
    _old_api(project)
    _apply(project)
    before = {a: r["ramp_id"] for a, r in _state(project)["resources"].items()}
    (project.root / "rampctl.state.json").unlink()
    rebuilt = project.rampctl("state", "rebuild")
    assert rebuilt.code == 0, rebuilt.err
    assert MATCH_HEADER in rebuilt.err
    after = {a: r["ramp_id"] for a, r in _state(project)["resources"].items()}
    assert after == before
    project.sandbox.clear_log()
    _converged(project)


def test_state_rebuild_says_what_it_could_not_rebuild(project: Project) -> None:
    _old_api(project)
    _apply(project)
    (project.root / "manifests" / "vendors" / "blue-sun.yaml").write_text(BLUE_SUN)
    (project.root / "rampctl.state.json").unlink()
    rebuilt = project.rampctl("state", "rebuild")
    assert rebuilt.code == 0, rebuilt.err
    assert (
        "vendor/blue-sun not rebuilt: no unclaimed vendor agrees on name, owner and "
        "accounting link" in rebuilt.err
    )


def _user_id(project: Project, email: str) -> str:
    token = httpx.post(
        f"{project.sandbox.base_url}/developer/v1/token",
        auth=(project.sandbox.client_id, project.sandbox.client_secret),
        data={"grant_type": "client_credentials", "scope": "users:read"},
    ).json()["access_token"]
    users = httpx.get(
        f"{project.sandbox.base_url}/developer/v1/users",
        params={"email": email},
        headers={"Authorization": f"Bearer {token}"},
    ).json()["data"]
    return str(users[0]["id"])


def test_the_accounting_connection_falls_back_to_the_deprecated_endpoint(
    project: Project,
) -> None:
    project.sandbox.settings.absent_endpoints = ["GET /accounting/all-connections"]
    project.sandbox.clear_log()
    _apply(project)
    reads = [r.path for r in project.sandbox.request_log() if r.method == "GET"]
    assert "/developer/v1/accounting/all-connections" in reads
    assert "/developer/v1/accounting/connection" in reads
    linked = project.vendor_by_key("cyberdyne-security")[0]["accounting_vendor_remote_id"]
    assert linked == "QB-1011"  # accounting vendors were read: the link was found
    _converged(project)


def test_all_connections_is_read_first(project: Project) -> None:
    project.sandbox.clear_log()
    assert project.rampctl("plan").code == 0
    reads = [r.path for r in project.sandbox.request_log() if r.method == "GET"]
    assert "/developer/v1/accounting/all-connections" in reads
    assert "/developer/v1/accounting/connection" not in reads


def test_a_rename_on_a_ramp_without_renames_is_manual(project: Project) -> None:
    _old_api(project)
    _apply(project)
    path = project.root / "manifests" / "vendors" / "engineering" / "cyberdyne-security.yaml"
    path.write_text(path.read_text().replace("name: Cyberdyne Security", "name: Cyberdyne Inc"))
    [change] = json.loads(project.rampctl("plan", "--json").out)["changes"]
    assert change["action"] == "manual" and "predates vendor renames" in change["reason"]
    project.sandbox.clear_log()
    _apply(project)
    assert project.writes() == []
