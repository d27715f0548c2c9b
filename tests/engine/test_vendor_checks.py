"""Vendor manifest checks: an owner must be a user who can own the vendor."""

from __future__ import annotations

from dataclasses import replace

from rampctl.engine.context import PlanContext
from rampctl.engine.snapshot import Snapshot
from rampctl.engine.vendor_checks import check_owner
from rampctl.ramp.models import User
from rampctl.state.model import State
from tests.engine.conftest import CAROL, Manifests, snapshot, vendor, vendor_doc

CAROL_DOC = """
apiVersion: rampctl/v1
kind: User
metadata: {name: carol}
spec:
  email: carol@example.com
  first_name: Carol
  last_name: Diaz
  role: BUSINESS_USER
"""


def _carol_inactive() -> Snapshot:
    snap = snapshot()
    users = {**snap.users, CAROL: User(id=CAROL, email="carol@example.com", status="USER_INACTIVE")}
    return replace(snap, users=users)


def _problems(manifests: Manifests, live_owner: str | None, extra: str = "") -> list[str]:
    manifests.write("acme.yaml", vendor_doc("acme", "Acme", extra).replace("bob@", "carol@"))
    graph = manifests.graph()
    ctx = PlanContext(graph=graph, state=State.new(), snapshot=_carol_inactive())
    live = vendor("id-acme", "Acme", vendor_owner_id=live_owner) if live_owner else None
    found = check_owner(ctx, graph.vendors["vendor/acme"], live)
    assert [(p.field, p.line) for p in found] == [("spec.owner", 7)] * len(found)
    return [p.message for p in found]


def test_a_deactivated_owner_is_refused_on_create(manifests: Manifests) -> None:
    [message] = _problems(manifests, live_owner=None)
    assert "the owner carol@example.com is deactivated in Ramp" in message
    assert "declare them with a User manifest" in message


def test_a_vendor_is_not_handed_to_a_deactivated_owner(manifests: Manifests) -> None:
    [message] = _problems(manifests, live_owner="someone-else")
    assert "is deactivated in Ramp" in message


def test_an_owner_already_in_place_or_ignored_is_not_a_write(manifests: Manifests) -> None:
    assert _problems(manifests, live_owner=CAROL) == []
    assert _problems(manifests, live_owner="someone-else", extra="ignore_changes: [owner]") == []


def test_a_user_manifest_that_reactivates_the_owner_is_enough(manifests: Manifests) -> None:
    manifests.write("carol.yaml", CAROL_DOC)
    assert _problems(manifests, live_owner=None) == []


def test_an_unknown_owner_is_refused(manifests: Manifests) -> None:
    manifests.write("acme.yaml", vendor_doc("acme", "Acme").replace("bob@", "nobody@"))
    graph = manifests.graph()
    ctx = PlanContext(graph=graph, state=State.new(), snapshot=snapshot())
    [problem] = check_owner(ctx, graph.vendors["vendor/acme"], None)
    assert "no Ramp user and no User manifest" in problem.message
