"""Planning for AccountingVendor manifests: match by state id or remote id, diff, decide.

A pure function of the desired graph, the snapshot and the state (`plan_accounting_vendors`).
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import replace

from pydantic import JsonValue

from rampctl.engine.changes import Action, Body, Change, FieldChange, Level
from rampctl.engine.diff import diff_fields
from rampctl.engine.kind_plan import KindPlan, cannot_clear, clear_problems, problem_at
from rampctl.engine.moves import Move, explicit_move, orphans
from rampctl.engine.snapshot import Snapshot
from rampctl.engine.vendors import ignored
from rampctl.engine.view import accounting_vendor_view, fingerprint
from rampctl.errors import Problem
from rampctl.model import address as addr
from rampctl.model.desired import DesiredAccountingVendor, DesiredGraph
from rampctl.model.kinds import ACCOUNTING_VENDOR
from rampctl.ramp.models import AccountingVendor
from rampctl.state.model import ResourceState, State

REMOTE_ID_REASON = (
    "an accounting vendor's remote id cannot change: add a new AccountingVendor manifest instead"
)


def plan_accounting_vendors(
    graph: DesiredGraph, snapshot: Snapshot, state: State, taken: Set[str] = frozenset()
) -> KindPlan:
    """The changes for every AccountingVendor manifest, and what planning them found.

    Pure: it reads the desired graph, the snapshot and the state and writes nothing;
    `taken` are Ramp ids already claimed, which a recorded move cannot take over.
    """
    left = orphans(state, graph.addresses(), addr.ACCOUNTING_VENDOR)
    changes: list[Change] = []
    problems: list[Problem] = []
    fingerprints: dict[str, str] = {}
    claims: dict[str, str] = {}
    moves: dict[str, Move] = {}
    for _, desired in sorted(graph.accounting_vendors.items()):
        live, move = _match(desired, snapshot, state, left, set(taken) | set(claims))
        if move is not None:
            moves[desired.address] = move
        if live is None:
            changes.append(_create(desired))
            problems += _create_problems(desired)
            continue
        claims[live.ramp_id] = desired.address
        view = accounting_vendor_view(live)
        fingerprints[desired.address] = fingerprint(view)
        fields = _fields(desired, view)
        problems += clear_problems(ACCOUNTING_VENDOR, desired, fields)
        sent = [f for f in fields if not cannot_clear(ACCOUNTING_VENDOR, f)]
        changes += _changes(desired, live, sent, state)
    return KindPlan(
        changes=tuple(changes),
        problems=tuple(problems),
        fingerprints=fingerprints,
        claims=claims,
        moves=moves,
    )


def _fields(desired: DesiredAccountingVendor, view: dict[str, JsonValue]) -> list[FieldChange]:
    wanted = {k: v for k, v in desired.wanted(desired.fields).items() if k not in desired.ignore}
    wanted["remote_id"] = desired.remote_id
    return [f for f in diff_fields(view, wanted) if not ignored(f.path, desired.ignore)]


def _match(
    desired: DesiredAccountingVendor,
    snapshot: Snapshot,
    state: State,
    left: dict[str, ResourceState],
    taken: Set[str],
) -> tuple[AccountingVendor | None, Move | None]:
    """The live accounting vendor: by state id, by a recorded move, else by remote id."""
    entry = state.resources.get(desired.address)
    if entry and entry.ramp_id in snapshot.accounting_vendors:
        return snapshot.accounting_vendors[entry.ramp_id], None
    move = explicit_move(desired, left, taken)
    if move is not None and move.entry.ramp_id in snapshot.accounting_vendors:
        return snapshot.accounting_vendors[move.entry.ramp_id], move
    return snapshot.accounting_by_remote.get(desired.remote_id), None


def _changes(
    desired: DesiredAccountingVendor,
    live: AccountingVendor,
    fields: list[FieldChange],
    state: State,
) -> list[Change]:
    base = Change(
        address=desired.address,
        kind=addr.ACCOUNTING_VENDOR,
        action=Action.UPDATE,
        name=live.name,
        ramp_id=live.ramp_id,
        key=desired.remote_id,
        fields=tuple(fields),
    )
    moved = tuple(f for f in fields if f.path == "remote_id")
    if moved:
        return [replace(base, action=Action.MANUAL, fields=moved, reason=REMOTE_ID_REASON)]
    adopting = desired.address not in state.resources
    off = [f for f in fields if f.path == "active" and f.after is False]
    rest = [f for f in fields if f not in off]
    changes: list[Change] = []
    if rest or adopting:
        request = _update_body(desired, rest) if rest else None
        action = Action.ADOPT if adopting else Action.UPDATE
        changes.append(
            replace(
                base,
                action=action,
                fields=tuple(rest),
                request=request,
                level=Level.ACCOUNTING_VENDORS,
            )
        )
    if off:  # Ramp deactivates an accounting vendor by deleting it
        changes.append(
            replace(
                base,
                action=Action.DEACTIVATE,
                fields=tuple(off),
                level=Level.ACCOUNTING_VENDOR_REMOVALS,
            )
        )
    return changes


def _update_body(desired: DesiredAccountingVendor, fields: list[FieldChange]) -> Body:
    body: Body = {}
    for f in fields:
        if f.path == "active":  # Ramp reactivates by `reactivate`, deactivates by a delete
            if f.after is True:
                body["reactivate"] = True
            continue
        spec = ACCOUNTING_VENDOR.field(f.path)
        value: JsonValue = desired.fields.get(f.path)
        clear: JsonValue = spec.clear_value
        body[spec.ramp] = clear if value is None else value
    return body


def _create_problems(desired: DesiredAccountingVendor) -> list[Problem]:
    if desired.fields.active is not False:
        return []
    message = (
        "an accounting vendor is created active in Ramp; "
        "leave `active` out until it exists, then set it to false"
    )
    return [problem_at(desired, "spec.active", message)]


def _create(desired: DesiredAccountingVendor) -> Change:
    f = desired.fields
    followup = {
        spec.ramp: f.get(spec.path)
        for spec in ACCOUNTING_VENDOR.fields
        if not spec.create and spec.path != "active" and f.get(spec.path)
    }
    managed = desired.wanted(f)
    shown = {"remote_id": desired.remote_id, **{k: v for k, v in managed.items() if v is not None}}
    return Change(
        address=desired.address,
        kind=addr.ACCOUNTING_VENDOR,
        action=Action.CREATE,
        name=f.name or "",
        key=desired.remote_id,
        fields=tuple(FieldChange(path=k, before=None, after=v) for k, v in sorted(shown.items())),
        request={"id": desired.remote_id, "name": f.name},
        followup=followup or None,
        level=Level.ACCOUNTING_VENDORS,
    )
