"""Merging import's entries into the state, and the offline check of the first plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from rampctl.errors import StateError
from rampctl.importer.draft import Draft, ImportOptions, build_draft
from rampctl.importer.existing import Existing
from rampctl.importer.files import layout, render, write_files
from rampctl.importer.record import check_round_trip, merge_state
from rampctl.manifest import load_manifests
from rampctl.model.desired import build_graph
from rampctl.state.model import State
from tests.importer.conftest import BUSINESS, accounting, contact, snapshot, user, vendor

LIVE = [
    vendor(
        "v1",
        "Acme",
        external_vendor_id="acme",
        vendor_owner_id="u-alice",
        accounting_vendor_remote_id="QB-1",
        contacts=["c1"],
        description="Hosting",
    ),
    vendor("v2", "Keyless"),
]
SNAP = snapshot(
    LIVE,
    users=[user("alice")],
    accounting_vendors=[accounting("QB-1", "Acme Books")],
    contacts={"v1": [contact("c1", "ap@acme.example", first_name="Ada")]},
)


def _draft() -> Draft:
    return build_draft(SNAP, Existing(), ImportOptions())


def test_merge_binds_the_state_and_adds_every_document() -> None:
    merged = merge_state(State.new(), _draft(), environment="sandbox", business_id=BUSINESS)
    assert (merged.state.environment, merged.state.business_id) == ("sandbox", BUSINESS)
    assert merged.added == ["accounting_vendor/acme-books", "vendor/acme", "vendor/keyless"]
    assert merged.present == []


def test_merge_keeps_entries_already_present() -> None:
    first = merge_state(State.new(), _draft(), environment="sandbox", business_id=BUSINESS)
    again = merge_state(first.state, _draft(), environment="sandbox", business_id=BUSINESS)
    assert again.added == [] and len(again.present) == 3
    assert again.state.resources == first.state.resources


def test_merge_refuses_a_state_of_another_business() -> None:
    foreign = State.new().bind("sandbox", "b-other")
    with pytest.raises(StateError, match="b-other"):
        merge_state(foreign, _draft(), environment="sandbox", business_id=BUSINESS)


def _plan_check(tmp_path: Path, draft: Draft, edit: str = "") -> list[str]:
    write_files({f.path: render(f, tmp_path) for f in layout(draft, tmp_path, split=False)})
    if edit:
        path = tmp_path / "vendors.yaml"
        path.write_text(path.read_text().replace("Hosting", edit))
    graph = build_graph(load_manifests(tmp_path))
    state = merge_state(State.new(), draft, environment="sandbox", business_id=BUSINESS).state
    changes = check_round_trip(graph, state, SNAP, draft, environment="sandbox")
    return [f"{c.action.value} {c.address} {[f.path for f in c.fields]}" for c in changes]


def test_the_first_plan_only_sets_announced_adoption_keys(tmp_path: Path) -> None:
    draft = _draft()
    assert draft.adoptions == [("vendor/keyless", "keyless")]
    assert _plan_check(tmp_path, draft) == []


def test_a_manifest_that_differs_from_ramp_is_reported(tmp_path: Path) -> None:
    assert _plan_check(tmp_path, _draft(), edit="Cloud hosting") == [
        "update vendor/acme ['description']"
    ]
