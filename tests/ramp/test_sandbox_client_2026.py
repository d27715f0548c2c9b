"""RampClient against the sandbox: users, invites, contacts, renames, connections, approvals."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from rampctl.errors import OutcomeUncertainError, RampError, RampScopeError
from rampctl.ramp.client import RampClient
from rampctl.ramp.models import UserInvite, UserUpdate, VendorContactInput, VendorUpdate
from rampctl.ramp.scopes import READ_SCOPES
from rampctl.sandbox.settings import FaultRule
from tests.ramp.conftest import sandbox_config

API = "/developer/v1"
INVITES = API + "/users/deferred"
EMAIL = "new.hire@northwind.example"


def _posts(sandbox: Any, path: str) -> int:
    """How many POSTs to `path` the sandbox served, once its log has settled."""
    seen = -1
    while True:
        count = sum(1 for r in sandbox.request_log() if (r.method, r.path) == ("POST", path))
        if count == seen:
            return count
        seen = count
        time.sleep(0.03)


def _invite(key: str = "invite-1", **extra: Any) -> UserInvite:
    return UserInvite(
        email=EMAIL,
        first_name="New",
        last_name="Hire",
        role="BUSINESS_USER",
        idempotency_key=key,
        **extra,
    )


def _vendor(client: RampClient, name: str = "Acme Cloud Inc.") -> str:
    return client.list_vendors(name=name)[0].id


def test_invite_then_poll_makes_one_pending_user(client: RampClient) -> None:
    task_id = client.invite_user(_invite())
    assert client.invite_user(_invite()) == task_id
    first = client.get_user_task(task_id)
    assert (first.status, first.finished, first.user_id) == ("IN_PROGRESS", False, None)
    done = client.wait_for_user_task(task_id, timeout_s=10, interval_s=0.01)
    assert done.status == "SUCCESS" and done.user_id
    [user] = client.list_users(email=EMAIL)
    assert (user.id, user.status, user.role) == (done.user_id, "INVITE_PENDING", "BUSINESS_USER")
    assert client.get_user(user.id) == user
    assert client.invite_user(_invite()) == task_id
    assert len(client.list_users(email=EMAIL)) == 1


def test_waiting_gives_up_with_the_last_status(sandbox: Any, client: RampClient) -> None:
    sandbox.settings.invite_task_steps = 1_000
    task = client.wait_for_user_task(client.invite_user(_invite()), timeout_s=0.05, interval_s=0.01)
    assert (task.status, task.finished, task.user_id) == ("IN_PROGRESS", False, None)
    assert client.list_users(email=EMAIL) == []


def test_a_lost_invite_answer_is_uncertain_and_resending_it_is_the_same_invite(
    sandbox: Any, client: RampClient
) -> None:
    sandbox.settings.faults.append(FaultRule(kind="drop_after_commit", method="POST", path=INVITES))
    with pytest.raises(OutcomeUncertainError):
        client.invite_user(_invite("lost-1"))
    assert _posts(sandbox, INVITES) == 1
    task_id = client.invite_user(_invite("lost-1"))
    assert client.wait_for_user_task(task_id, timeout_s=10, interval_s=0.01).status == "SUCCESS"
    assert len(client.list_users(email=EMAIL)) == 1


def test_invite_errors(client: RampClient) -> None:
    with pytest.raises(ValidationError):
        UserInvite(
            email=EMAIL,
            first_name="A",
            last_name="B",
            role="BUSINESS_OWNER",  # type: ignore[arg-type]
            idempotency_key="k",
        )
    client.invite_user(_invite())
    with pytest.raises(RampError) as info:
        client.invite_user(_invite(is_manager=True))  # same key, another invite
    assert info.value.status == 400
    bob = UserInvite(
        email="bob.martin@northwind.example",
        first_name="Bob",
        last_name="M",
        role="BUSINESS_USER",
        idempotency_key="k2",
    )
    taken = client.invite_user(bob)
    failed = client.wait_for_user_task(taken, timeout_s=10, interval_s=0.01)
    assert (failed.status, failed.user_id) == ("ERROR", None)
    assert "already exists" in str(failed.data.error)


def test_update_deactivate_reactivate(client: RampClient) -> None:
    carol = client.list_users(email="carol.diaz@northwind.example")[0]
    bob = client.list_users(email="bob.martin@northwind.example")[0]
    client.update_user(carol.id, UserUpdate(role="BUSINESS_ADMIN", direct_manager_id=bob.id))
    changed = client.get_user(carol.id)
    assert (changed.role, changed.manager_id) == ("BUSINESS_ADMIN", bob.id)
    with pytest.raises(ValidationError):
        UserUpdate(role="UNBUNDLED_USER")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        UserUpdate(first_name=None)
    client.deactivate_user(carol.id)
    assert client.get_user(carol.id).status == "USER_INACTIVE"
    with pytest.raises(RampError) as info:
        client.deactivate_user(carol.id)
    assert info.value.status == 400
    client.reactivate_user(carol.id)
    assert client.get_user(carol.id).status == "USER_ACTIVE"


def test_create_contact_now_or_pending(sandbox: Any, client: RampClient) -> None:
    acme = _vendor(client)
    made = client.create_vendor_contact(
        acme, VendorContactInput(email="billing@acme.example", is_default=True)
    )
    assert (made.is_pending_approval, made.is_default) == (False, True)
    assert made.id in client.get_vendor(acme).contacts
    sandbox.settings.contact_approval = "pending_approval"
    held = client.create_vendor_contact(acme, VendorContactInput(email="ceo@acme.example"))
    assert held.is_pending_approval and held.id not in client.get_vendor(acme).contacts
    listed = {c.email: c for c in client.list_vendor_contacts(acme)}
    assert listed["ceo@acme.example"].is_pending_approval


def test_a_lost_contact_answer_is_not_resent(sandbox: Any, client: RampClient) -> None:
    acme = _vendor(client)
    path = f"{API}/vendors/{acme}/contacts"
    sandbox.settings.faults.append(FaultRule(kind="drop_after_commit", method="POST", path=path))
    with pytest.raises(OutcomeUncertainError):
        client.create_vendor_contact(acme, VendorContactInput(email="lost@acme.example"))
    assert _posts(sandbox, path) == 1
    assert "lost@acme.example" in {c.email for c in client.list_vendor_contacts(acme)}


def test_rename_and_pending_update(sandbox: Any, client: RampClient) -> None:
    acme = _vendor(client)
    assert client.update_vendor(acme, VendorUpdate(name="Acme Two")).name == "Acme Two"
    carol = client.list_users(email="carol.diaz@northwind.example")[0]
    sandbox.settings.vendor_update_approval = "pending_approval"
    before = client.get_vendor(acme)
    answer = client.update_vendor(acme, VendorUpdate(vendor_owner_id=carol.id))
    assert answer.is_pending_approval and answer.vendor_owner_id == before.vendor_owner_id
    pending = client.get_vendor_update_pending(acme)
    assert pending is not None and pending.fields == {"vendor_owner_id": carol.id}
    assert pending.requested_at
    httpx.post(f"{sandbox.base_url}/_sandbox/vendors/{acme}/approve").raise_for_status()
    assert client.get_vendor_update_pending(acme) is None
    assert client.get_vendor(acme).vendor_owner_id == carol.id


def test_accounting_connections_fall_back_to_the_deprecated_endpoint(
    sandbox: Any, client: RampClient
) -> None:
    [current] = client.list_accounting_connections()
    assert current.is_active
    sandbox.settings.absent_endpoints = ["GET /accounting/all-connections"]
    assert client.list_accounting_connections() == [current]
    sandbox.settings.absent_endpoints = []
    sandbox.store.put("connection", current.id, {**current.model_dump(), "is_active": False})
    [gone] = client.list_accounting_connections()
    assert (gone.id, gone.is_active) == (current.id, False)
    sandbox.settings.absent_endpoints = ["GET /accounting/all-connections"]
    assert client.list_accounting_connections() == []


def test_departments_and_locations_need_their_scopes_asked_for_later(sandbox: Any) -> None:
    with RampClient(sandbox_config(sandbox), scopes=READ_SCOPES) as reader:
        reader.list_users()  # a token with the read scopes alone
        with pytest.raises(RampScopeError, match="departments:read"):
            reader.list_departments()
        reader.request_scopes(["departments:read", "locations:read"])
        assert {d.name for d in reader.list_departments()} >= {"Engineering", "Finance"}
        assert "London" in {loc.name for loc in reader.list_locations()}
        assert reader.token_request_count == 2
