"""The state entries of an import, merged into the existing state, and a check of the result.

`check_round_trip` plans the manifest tree against the snapshot import read, offline, to
confirm the promise of import: the first plan changes nothing but the adoption keys it
announced.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rampctl.engine.changes import Action, Change
from rampctl.engine.context import PlanContext
from rampctl.engine.planner import PlanSettings, build_plan
from rampctl.engine.snapshot import Snapshot
from rampctl.importer.draft import Draft
from rampctl.model.desired import DesiredGraph
from rampctl.state.model import ResourceState, State


@dataclass(kw_only=True)
class Merged:
    """The state with the import's entries, and the addresses already present (skipped)."""

    state: State
    added: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)


def merge_state(state: State, draft: Draft, *, environment: str, business_id: str) -> Merged:
    """`state` bound to the business, with an entry per imported document not already there."""
    merged = Merged(state=state.bind(environment, business_id))
    entries: dict[str, ResourceState] = {}
    for doc in draft.documents:
        if doc.address in merged.state.resources or doc.address in entries:
            merged.present.append(doc.address)
            continue
        entries[doc.address] = doc.entry
        merged.added.append(doc.address)
    merged.state = merged.state.with_resources(entries)  # one copy, not one per document
    return merged


def check_round_trip(
    graph: DesiredGraph, state: State, snapshot: Snapshot, draft: Draft, *, environment: str
) -> list[Change]:
    """Changes the next plan would make to imported objects beyond the announced adoptions."""
    ctx = PlanContext(graph=graph, state=state, snapshot=snapshot)
    plan = build_plan(ctx, environment=environment, settings=PlanSettings())
    imported = {d.address for d in draft.documents}
    announced = dict(draft.adoptions)
    return [
        c
        for c in plan.changes
        if c.address in imported and not _announced(c, announced.get(c.address))
    ]


def _announced(change: Change, key: str | None) -> bool:
    if key is None or change.action not in (Action.UPDATE, Action.ADOPT):
        return False
    return [(f.path, f.after) for f in change.fields] == [("external_id", key)]
