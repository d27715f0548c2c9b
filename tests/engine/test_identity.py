"""The verified match used where Ramp has no external_vendor_id, and the mode it is in."""

from __future__ import annotations

from rampctl.engine.changes import Action
from rampctl.engine.identity import (
    KEY_MODE,
    MATCH_MODE,
    cached_support,
    capability_record,
    match_name,
    mode_of,
)
from rampctl.engine.snapshot import Snapshot
from rampctl.ramp.capabilities import ExternalIdSupport
from rampctl.ramp.models import Vendor
from rampctl.state.model import State
from tests.engine.conftest import CAROL, Manifests, plan_for, snapshot, vendor, vendor_doc

WITHOUT_KEY = ExternalIdSupport(returned=False, filtered=False)


def _old(vendors: list[Vendor]) -> Snapshot:
    snap = snapshot(vendors)
    snap.external_ids = WITHOUT_KEY
    return snap


def test_mode_follows_whether_the_key_is_returned() -> None:
    assert mode_of(None) == KEY_MODE
    assert mode_of(ExternalIdSupport(returned=None, filtered=None)) == KEY_MODE
    assert mode_of(ExternalIdSupport(returned=True, filtered=False)) == KEY_MODE
    assert mode_of(WITHOUT_KEY) == MATCH_MODE


def test_only_known_answers_are_kept_in_the_state() -> None:
    assert capability_record(ExternalIdSupport(returned=None, filtered=None)) == {}
    kept = State.new().model_copy(update={"capabilities": capability_record(WITHOUT_KEY)})
    assert cached_support(kept) == WITHOUT_KEY
    assert cached_support(State.new()) is None


def test_names_compare_trimmed_case_folded_and_single_spaced() -> None:
    assert match_name("  Acme   Cloud INC ") == match_name("acme cloud inc")
    assert match_name("Acme Cloud") != match_name("Acme Clouds")


def test_exactly_one_agreeing_vendor_is_adopted(manifests: Manifests) -> None:
    manifests.write("v.yaml", vendor_doc("acme", "Acme Inc."))
    live = [vendor("v1", "ACME  inc."), vendor("v2", "Acme Inc.", vendor_owner_id=CAROL)]
    plan = plan_for(manifests.graph(), _old(live))
    changes = {c.action: c for c in plan.changes}
    adopt = changes[Action.ADOPT]
    assert adopt.ramp_id == "v1"
    assert "no external_vendor_id" in adopt.reason
    assert plan.identity == MATCH_MODE
    # the name matched case- and space-blind; the exact spelling needs a rename in Ramp
    assert "predates vendor renames" in changes[Action.MANUAL].reason


def test_several_agreeing_vendors_are_manual_and_listed(manifests: Manifests) -> None:
    manifests.write("v.yaml", vendor_doc("acme", "Acme Inc."))
    live = [vendor("v1", "Acme Inc."), vendor("v2", "acme inc.")]
    [change] = plan_for(manifests.graph(), _old(live)).changes
    assert change.action is Action.MANUAL
    assert "v1 (Acme Inc.)" in change.reason and "v2 (acme inc.)" in change.reason


def test_a_vendor_with_another_owner_or_link_is_no_candidate(manifests: Manifests) -> None:
    manifests.write("v.yaml", vendor_doc("acme", "Acme Inc."))
    live = [vendor("v1", "Acme Inc.", vendor_owner_id=CAROL)]
    [change] = plan_for(manifests.graph(), _old(live)).changes
    assert change.action is Action.CREATE


def test_without_the_key_no_update_asks_for_it(manifests: Manifests) -> None:
    manifests.write("v.yaml", vendor_doc("acme", "Acme Inc."))
    state = State.new()
    first = plan_for(manifests.graph(), _old([vendor("v1", "Acme Inc.")]), state)
    [adopt] = first.changes
    assert adopt.request is None  # no external_vendor_id to set on a Ramp without it
