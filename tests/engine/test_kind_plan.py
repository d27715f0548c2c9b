"""KindPlan values: combining the results of several planners, forget changes, and what
each kind's declaration says Ramp's update cannot do."""

from __future__ import annotations

from pathlib import Path

from rampctl.engine.changes import Action, Change, FieldChange
from rampctl.engine.kind_plan import KindPlan, clear_problems, combine, forget_change, is_manual
from rampctl.model.kinds import USER, VENDOR
from rampctl.state.model import ResourceState
from tests.engine.conftest import Manifests, vendor_doc


def _change(address: str) -> Change:
    return Change(address=address, kind="vendor", action=Action.CREATE, name=address)


def test_combine_keeps_order_and_a_later_claim_wins() -> None:
    first = KindPlan(
        changes=(_change("vendor/a"),), fingerprints={"vendor/a": "f1"}, claims={"id-1": "vendor/a"}
    )
    second = KindPlan(
        changes=(_change("vendor/b"),), fingerprints={"vendor/b": "f2"}, claims={"id-1": "vendor/b"}
    )
    found = combine([first, second])
    assert [c.address for c in found.changes] == ["vendor/a", "vendor/b"]
    assert dict(found.fingerprints) == {"vendor/a": "f1", "vendor/b": "f2"}
    assert dict(found.claims) == {"id-1": "vendor/b"}
    assert combine([]) == KindPlan()


def test_forget_change_names_the_recorded_object() -> None:
    entry = ResourceState(
        kind="vendor", ramp_id="id-1", fingerprint="f", key="k", attributes={"name": "Acme"}
    )
    change = forget_change("vendor/acme", entry, "gone")
    assert (change.action, change.name, change.ramp_id, change.key, change.reason) == (
        Action.FORGET,
        "Acme",
        "id-1",
        "k",
        "gone",
    )
    bare = ResourceState(kind="vendor", ramp_id="id-2", fingerprint="f")
    assert forget_change("vendor/bolt", bare, "gone").name == "bolt"


def test_clear_problems_follow_each_kinds_declaration(tmp_path: Path) -> None:
    manifests = Manifests(tmp_path / "m")
    manifests.write("acme.yaml", vendor_doc("acme", "Acme"))
    desired = manifests.graph().vendors["vendor/acme"]
    cleared = [
        FieldChange(path="country", before="US", after=None),  # declared PROBLEM
        FieldChange(path="description", before="d", after=None),  # cleared by sending null
        FieldChange(path="name", before="A", after="B"),  # not a clear
    ]
    [problem] = clear_problems(VENDOR, desired, cleared)
    assert (problem.field, problem.address) == ("spec.country", "vendor/acme")
    assert "cannot clear country" in problem.message
    user_clears = [FieldChange(path=p, before="x", after=None) for p in ("department", "role")]
    assert [p.field for p in clear_problems(USER, desired, user_clears)] == [
        "spec.department",
        "spec.role",
    ]


def test_is_manual_follows_the_declaration() -> None:
    assert is_manual(VENDOR, FieldChange(path="accounting_vendor", before="QB-1", after=None))
    assert not is_manual(VENDOR, FieldChange(path="accounting_vendor", before=None, after="Q"))
    assert is_manual(USER, FieldChange(path="email", before="a@x", after="b@x"))
    assert not is_manual(USER, FieldChange(path="role", before="AUDITOR", after="IT_ADMIN"))
