"""Deactivations checked against what they would leave behind: vendors still owned, and
User manifests whose manager this plan deactivates."""

from __future__ import annotations

import pytest

from rampctl.engine.changes import Action
from rampctl.engine.snapshot import Snapshot
from rampctl.engine.user_removals import SHOWN
from rampctl.errors import ManifestError
from rampctl.ramp.models import User
from rampctl.state.model import ResourceState, State
from tests.engine.conftest import BOB, CAROL, Manifests, plan_for, snapshot, vendor, vendor_doc

USER_DOC = """
apiVersion: rampctl/v1
kind: User
metadata: {{name: {name}}}
spec:
  email: {name}@example.com
  first_name: A
  last_name: B
  role: BUSINESS_USER
{extra}"""


def _managed_bob(snap: Snapshot) -> State:
    snap.users[BOB] = User(id=BOB, email="bob@example.com", role="BUSINESS_USER")
    snap.users_by_email["bob@example.com"] = snap.users[BOB]
    entry = ResourceState(kind="user", ramp_id=BOB, fingerprint="x", key="bob@example.com")
    return State.new().model_copy(update={"resources": {"user/bob": entry}, "serial": 1})


def test_a_user_owning_active_vendors_is_manual_and_the_list_is_cut(manifests: Manifests) -> None:
    manifests.write("keep.yaml", USER_DOC.format(name="keep", extra=""))
    vendors = [vendor(f"v{i}", f"Vendor {i}") for i in range(SHOWN + 2)]
    vendors.append(vendor("old", "Old Vendor", is_active=False))  # inactive: not counted
    snap = snapshot(vendors)
    changes = plan_for(manifests.graph(), snap, _managed_bob(snap)).changes
    [change] = [c for c in changes if c.address == "user/bob"]
    assert change.action is Action.MANUAL
    assert f"owns {SHOWN + 2} active vendors" in change.reason
    assert "Vendor 0, Vendor 1" in change.reason and "and 2 more" in change.reason
    assert "Old Vendor" not in change.reason


def test_a_user_owning_nothing_is_deactivated(manifests: Manifests) -> None:
    manifests.write("keep.yaml", USER_DOC.format(name="keep", extra=""))
    snap = snapshot([vendor("v1", "Carols", vendor_owner_id=CAROL)])
    changes = plan_for(manifests.graph(), snap, _managed_bob(snap)).changes
    [change] = [c for c in changes if c.address == "user/bob"]
    assert (change.action, change.depends_on) == (Action.DEACTIVATE, ())


def test_a_vendor_handed_over_in_the_same_plan_goes_first(manifests: Manifests) -> None:
    manifests.write("acme.yaml", vendor_doc("acme", "Acme").replace("bob@", "carol@"))
    snap = snapshot([vendor("v1", "Acme", external_vendor_id="acme")])
    changes = {c.address: c for c in plan_for(manifests.graph(), snap, _managed_bob(snap)).changes}
    assert changes["vendor/acme"].request == {"vendor_owner_id": CAROL}
    bob = changes["user/bob"]
    assert (bob.action, bob.depends_on) == (Action.DEACTIVATE, ("vendor/acme",))
    assert changes["vendor/acme"].level < bob.level


def test_a_new_vendor_owned_by_the_user_keeps_them(manifests: Manifests) -> None:
    manifests.write("acme.yaml", vendor_doc("acme", "Acme"))
    snap = snapshot()
    changes = {c.address: c for c in plan_for(manifests.graph(), snap, _managed_bob(snap)).changes}
    assert changes["user/bob"].action is Action.MANUAL
    assert "(Acme)" in changes["user/bob"].reason


def test_a_manager_being_deactivated_is_a_positioned_error(manifests: Manifests) -> None:
    extra = "  direct_manager: bob@example.com\n"
    manifests.write("amy.yaml", USER_DOC.format(name="amy", extra=extra))
    snap = snapshot()
    with pytest.raises(ManifestError) as raised:
        plan_for(manifests.graph(), snap, _managed_bob(snap))
    [problem] = raised.value.problems
    assert (problem.address, problem.field, problem.line) == ("user/amy", "spec.direct_manager", 9)
    assert "this plan deactivates" in problem.message
