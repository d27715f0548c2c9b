"""Planning User manifests: invites with a stable key, present invites, deactivations."""

from __future__ import annotations

import pytest

from rampctl.engine.changes import Action, Level
from rampctl.engine.snapshot import Snapshot
from rampctl.engine.users import invite_key
from rampctl.errors import ManifestError
from rampctl.model.kinds.user import INACTIVE
from rampctl.ramp.models import User
from rampctl.state.model import ResourceState, State
from tests.engine.conftest import BUSINESS, Manifests, plan_for, snapshot, vendor_doc

USER_DOC = """
apiVersion: rampctl/v1
kind: User
metadata: {{name: {name}}}
spec:
  email: {name}@example.com
  first_name: {title}
  last_name: Lee
  role: BUSINESS_USER
"""


def _user_doc(name: str) -> str:
    return USER_DOC.format(name=name, title=name.title())


def _with_users(*users: User) -> Snapshot:
    snap = snapshot()
    for user in users:
        snap.users[user.id] = user
        snap.users_by_email[str(user.email)] = user
    return snap


def _state(entries: dict[str, str]) -> State:
    resources = {
        address: ResourceState(kind="user", ramp_id=ramp_id, fingerprint="x", key=address)
        for address, ramp_id in entries.items()
    }
    return State.new().model_copy(update={"resources": resources, "serial": 3})


def test_the_invite_key_is_stable_per_business_address_and_email() -> None:
    dana = invite_key(BUSINESS, "user/dana", "dana@example.com")
    assert dana == invite_key(BUSINESS, "user/dana", "dana@example.com")
    assert dana != invite_key(BUSINESS, "user/erin", "dana@example.com")
    assert dana != invite_key(BUSINESS, "user/dana", "dana.lee@example.com")
    assert dana != invite_key("another-business", "user/dana", "dana@example.com")


def test_the_invite_key_does_not_change_when_the_state_is_first_written(
    manifests: Manifests,
) -> None:
    manifests.write("u.yaml", _user_doc("dana"))
    never_written = State.new()
    written = never_written.model_copy(update={"serial": 1})
    keys = [
        plan_for(manifests.graph(), snapshot(), state).changes[0].request
        for state in (never_written, written)
    ]
    assert keys[0] is not None and keys[1] is not None
    assert keys[0]["idempotency_key"] == keys[1]["idempotency_key"]


def test_a_missing_user_is_invited_first(manifests: Manifests) -> None:
    manifests.write("u.yaml", _user_doc("dana"))
    [invite] = plan_for(manifests.graph(), snapshot()).changes
    assert (invite.action, invite.level) == (Action.CREATE, Level.USERS)
    assert invite.request is not None
    assert invite.request["email"] == "dana@example.com"
    assert invite.request["idempotency_key"]
    assert Level.USERS < Level.VENDORS < Level.USER_REMOVALS


def test_an_invite_pending_user_is_present_not_invited_again(manifests: Manifests) -> None:
    manifests.write("u.yaml", _user_doc("dana"))
    pending = User(
        id="u-d",
        email="dana@example.com",
        first_name="Dana",
        last_name="Lee",
        role="BUSINESS_USER",
        status="INVITE_PENDING",
    )
    plan = plan_for(manifests.graph(), _with_users(pending), _state({"user/dana": "u-d"}))
    assert plan.changes == []


def test_a_vendor_owned_by_a_declared_user_waits_for_its_invite(manifests: Manifests) -> None:
    manifests.write("u.yaml", _user_doc("dana"))
    manifests.write("v.yaml", vendor_doc("acme", "Acme").replace("bob@", "dana@"))
    changes = {c.address: c for c in plan_for(manifests.graph(), snapshot()).changes}
    vendor = changes["vendor/acme"]
    assert vendor.depends_on == ("user/dana",)
    assert vendor.request is not None and vendor.request["vendor_owner_id"] == "ref:user/dana"


def test_removed_users_are_deactivated_under_the_safety_threshold(manifests: Manifests) -> None:
    manifests.write("u.yaml", _user_doc("keep"))
    users = [
        User(
            id=f"u{i}",
            email=f"p{i}@example.com",
            first_name="P",
            last_name="Q",
            role="BUSINESS_USER",
            status="USER_ACTIVE",
        )
        for i in range(12)
    ]
    gone = User(id="u-x", email="x@example.com", status=INACTIVE)
    state = _state({f"user/p{i}": f"u{i}" for i in range(12)} | {"user/x": "u-x"})
    plan = plan_for(manifests.graph(), _with_users(*users, gone), state)
    actions = {c.address: c.action for c in plan.changes}
    assert actions["user/p0"] is Action.DEACTIVATE
    assert actions["user/x"] is Action.FORGET  # already deactivated in Ramp
    assert not any(c.action is Action.DELETE for c in plan.changes)
    assert plan.safety.reasons  # 12 of 13 managed objects: apply needs --allow-deletes


def test_the_business_owners_role_is_manual_other_fields_are_updated(
    manifests: Manifests,
) -> None:
    manifests.write("u.yaml", _user_doc("dana").replace("Lee", "Leigh"))
    owner = User(
        id="u-d",
        email="dana@example.com",
        first_name="Dana",
        last_name="Lee",
        role="BUSINESS_OWNER",
        status="USER_ACTIVE",
    )
    plan = plan_for(manifests.graph(), _with_users(owner), _state({"user/dana": "u-d"}))
    manual, update = sorted(plan.changes, key=lambda c: c.action != Action.MANUAL)
    assert manual.action is Action.MANUAL and [f.path for f in manual.fields] == ["role"]
    assert "business owner" in manual.reason
    assert (update.action, update.request) == (Action.UPDATE, {"last_name": "Leigh"})


def test_removing_the_business_owner_is_manual(manifests: Manifests) -> None:
    manifests.write("u.yaml", _user_doc("keep"))
    owner = User(id="u-o", email="o@example.com", role="UNBUNDLED_OWNER", status="USER_ACTIVE")
    changes = plan_for(manifests.graph(), _with_users(owner), _state({"user/o": "u-o"})).changes
    [change] = [c for c in changes if c.address == "user/o"]
    assert change.action is Action.MANUAL and "cannot be deactivated" in change.reason


def test_a_deactivated_manager_is_refused_only_when_plan_would_send_it(
    manifests: Manifests,
) -> None:
    manifests.write("u.yaml", _user_doc("dana") + "  direct_manager: gone@example.com\n")
    gone = User(id="u-g", email="gone@example.com", status=INACTIVE)
    with pytest.raises(ManifestError, match="is deactivated in Ramp"):
        plan_for(manifests.graph(), _with_users(gone))
    dana = User(
        id="u-d",
        email="dana@example.com",
        first_name="Dana",
        last_name="Lee",
        role="BUSINESS_USER",
        status="USER_ACTIVE",
        manager_id="u-g",
    )
    state = _state({"user/dana": "u-d"})
    assert plan_for(manifests.graph(), _with_users(gone, dana), state).changes == []


def _dana_live(**fields: str) -> User:
    base = {"first_name": "Dana", "last_name": "Lee", "role": "BUSINESS_USER"}
    return User(id="u-d", email="dana@example.com", status="USER_ACTIVE", **{**base, **fields})


@pytest.mark.parametrize(
    ("field", "live"), [("department", {"department_id": "d-1"}), ("direct_manager", {})]
)
def test_clearing_a_field_ramp_cannot_clear_is_a_positioned_problem(
    manifests: Manifests, field: str, live: dict[str, str]
) -> None:
    manifests.write("u.yaml", _user_doc("dana") + f"  {field}: ~\n")
    boss = User(id="u-b", email="boss@example.com", status="USER_ACTIVE")
    dana = _dana_live(manager_id="u-b", **live)
    with pytest.raises(ManifestError) as raised:
        plan_for(manifests.graph(), _with_users(boss, dana), _state({"user/dana": "u-d"}))
    [problem] = raised.value.problems
    assert (problem.field, problem.line) == (f"spec.{field}", 9)
    assert f"Ramp's API cannot clear {field}" in problem.message


def test_a_changed_email_is_manual_and_holds_the_other_changes(manifests: Manifests) -> None:
    manifests.write("u.yaml", _user_doc("dana").replace("dana@", "dana.lee@").replace("Lee", "X"))
    plan = plan_for(manifests.graph(), _with_users(_dana_live()), _state({"user/dana": "u-d"}))
    [change] = plan.changes
    assert (change.action, change.request, change.ramp_id) == (Action.MANUAL, None, "u-d")
    assert [(f.path, f.before, f.after) for f in change.fields] == [
        ("email", "dana@example.com", "dana.lee@example.com"),
        ("last_name", "Lee", "X"),
    ]
    assert "cannot change a user's email" in change.reason


def test_an_email_differing_only_in_case_is_the_same_user(manifests: Manifests) -> None:
    manifests.write("u.yaml", _user_doc("dana"))
    live = _dana_live().model_copy(update={"email": "Dana@Example.com"})
    state = _state({"user/dana": "u-d"})
    assert plan_for(manifests.graph(), _with_users(live), state).changes == []


def test_a_changed_email_another_user_has_says_so(manifests: Manifests) -> None:
    manifests.write("u.yaml", _user_doc("dana").replace("dana@", "erin@"))
    erin = User(id="u-e", email="erin@example.com", status="USER_ACTIVE")
    snap = _with_users(_dana_live(), erin)
    [change] = plan_for(manifests.graph(), snap, _state({"user/dana": "u-d"})).changes
    assert change.action is Action.MANUAL and change.ramp_id == "u-d"
    assert "erin@example.com is already the email of another Ramp user (u-e)" in change.reason
