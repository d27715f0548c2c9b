"""User invites (deferred tasks with idempotency keys), updates, deactivation, reactivation."""

from __future__ import annotations

from typing import Any

import httpx

from rampctl.sandbox.embedded import RunningSandbox
from rampctl.sandbox.seed import ident
from tests.sandbox.conftest import api_client, assert_conforms, error_code

BOB = ident("user:bob.martin@northwind.example")
OWNER = ident("user:alice.chen@northwind.example")


def _invite(**extra: Any) -> dict[str, Any]:
    body = {
        "email": "new.hire@northwind.example",
        "first_name": "New",
        "last_name": "Hire",
        "role": "BUSINESS_USER",
        "idempotency_key": "invite-new-hire",
    }
    return {**body, **extra}


def _users(api: httpx.Client, email: str) -> list[dict[str, Any]]:
    return list(api.get("/users", params={"email": email}).json()["data"])


def _status(api: httpx.Client, task_id: str) -> dict[str, Any]:
    response = api.get(f"/users/deferred/status/{task_id}")
    assert_conforms(response, "GET", "/users/deferred/status/{task_id}")
    return dict(response.json())


def test_invite_is_a_task_that_creates_one_pending_user(fresh: RunningSandbox) -> None:
    with api_client(fresh) as api:
        first = api.post("/users/deferred", json=_invite(direct_manager_id=BOB))
        assert first.status_code == 201
        assert_conforms(first, "POST", "/users/deferred")
        again = api.post("/users/deferred", json=_invite(direct_manager_id=BOB))
        assert again.json() == first.json()
        task_id = first.json()["id"]
        assert _users(api, "new.hire@northwind.example") == []
        assert _status(api, task_id)["status"] == "IN_PROGRESS"
        done = _status(api, task_id)
        assert done["status"] == "SUCCESS" and done["context"] == {"acting_user_id": OWNER}
        [user] = _users(api, "new.hire@northwind.example")
        assert (user["id"], user["status"]) == (done["data"]["user_id"], "INVITE_PENDING")
        assert (user["manager_id"], user["entity_id"]) == (BOB, ident("entity:us"))
        assert _status(api, task_id) == done
        resent = api.post("/users/deferred", json=_invite(direct_manager_id=BOB))
        assert resent.json()["id"] == task_id
        assert len(_users(api, "new.hire@northwind.example")) == 1


def test_invite_refusals(fresh: RunningSandbox) -> None:
    fresh.settings.invite_task_steps = 0
    with api_client(fresh) as api:
        owner = api.post("/users/deferred", json=_invite(role="BUSINESS_OWNER"))
        assert (owner.status_code, error_code(owner)) == (400, "DEVELOPER_7076")
        no_key = api.post("/users/deferred", json={**_invite(), "idempotency_key": None})
        assert no_key.status_code == 422
        api.post("/users/deferred", json=_invite())
        other = api.post("/users/deferred", json=_invite(first_name="Other"))
        assert other.json()["error_v2"]["additional_info"] == {
            "idempotency_key": ["This idempotency_key was already used for a different invite"]
        }
        manager = api.post(
            "/users/deferred", json=_invite(idempotency_key="k2", direct_manager_id=ident("x"))
        )
        assert manager.status_code == 400
        taken = api.post(
            "/users/deferred",
            json=_invite(email="bob.martin@northwind.example", idempotency_key="k3"),
        )
        failed = _status(api, taken.json()["id"])
        assert failed["status"] == "ERROR" and "already exists" in failed["data"]["error"]
        assert api.get(f"/users/deferred/status/{ident('nothing')}").status_code == 404


def test_update_user(fresh: RunningSandbox) -> None:
    carol = ident("user:carol.diaz@northwind.example")
    with api_client(fresh) as api:
        changed = api.patch(
            f"/users/{carol}",
            json={"role": "BUSINESS_ADMIN", "first_name": "Caro", "direct_manager_id": BOB},
        )
        assert (changed.status_code, changed.content) == (204, b"")
        user = api.get(f"/users/{carol}").json()
        assert (user["role"], user["first_name"], user["manager_id"]) == (
            "BUSINESS_ADMIN",
            "Caro",
            BOB,
        )
        assert api.patch(f"/users/{carol}", json={"role": "BUSINESS_OWNER"}).status_code == 400
        assert api.patch(f"/users/{carol}", json={"role": "UNBUNDLED_USER"}).status_code == 422
        assert api.patch(f"/users/{OWNER}", json={"role": "BUSINESS_USER"}).status_code == 400
        assert api.patch(f"/users/{carol}", json={"direct_manager_id": carol}).status_code == 400
        assert api.patch(f"/users/{ident('nobody')}", json={"first_name": "X"}).status_code == 404


def test_deactivate_and_reactivate(fresh: RunningSandbox) -> None:
    with api_client(fresh) as api:
        off = api.patch(f"/users/{BOB}/deactivate")
        assert (off.status_code, off.json()) == (200, {})
        assert_conforms(off, "PATCH", "/users/{user_id}/deactivate")
        assert api.get(f"/users/{BOB}").json()["status"] == "USER_INACTIVE"
        assert api.patch(f"/users/{BOB}/deactivate").status_code == 400
        on = api.patch(f"/users/{BOB}/reactivate")
        assert (on.status_code, on.json()) == (200, {})
        assert api.get(f"/users/{BOB}").json()["status"] == "USER_ACTIVE"
        assert api.patch(f"/users/{BOB}/reactivate").status_code == 400
        assert api.patch(f"/users/{OWNER}/deactivate").status_code == 400


def test_an_unbundled_owner_is_still_the_owner(fresh: RunningSandbox) -> None:
    owner = fresh.store.get("user", OWNER)
    assert owner is not None
    fresh.store.put("user", OWNER, {**owner, "role": "UNBUNDLED_OWNER"})
    with api_client(fresh) as api:
        assert api.patch(f"/users/{OWNER}", json={"role": "BUSINESS_USER"}).status_code == 400
        assert api.patch(f"/users/{OWNER}/deactivate").status_code == 400
        assert api.get(f"/users/{OWNER}").json()["status"] == "USER_ACTIVE"


def test_a_deactivated_invite_comes_back_pending(fresh: RunningSandbox) -> None:
    fresh.settings.invite_task_steps = 0
    with api_client(fresh) as api:
        task = api.post("/users/deferred", json=_invite()).json()["id"]
        user_id = _status(api, task)["data"]["user_id"]
        api.patch(f"/users/{user_id}/deactivate")
        api.patch(f"/users/{user_id}/reactivate")
        assert api.get(f"/users/{user_id}").json()["status"] == "INVITE_PENDING"


def test_users_write_scope_is_required(fresh: RunningSandbox) -> None:
    from tests.sandbox.conftest import get_token

    with api_client(fresh, get_token(fresh, ("users:read",))) as api:
        refused = api.post("/users/deferred", json=_invite())
        assert (refused.status_code, error_code(refused)) == (403, "DEVELOPER_7100")
