"""KindPlan values: combining the results of several planners, and forget changes."""

from __future__ import annotations

from rampctl.engine.changes import Action, Change
from rampctl.engine.kind_plan import KindPlan, combine, forget_change
from rampctl.state.model import ResourceState


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
