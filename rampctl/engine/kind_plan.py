"""What planning one kind returns: a value, instead of writes into a shared context."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rampctl.engine.changes import Action, Change, FieldChange
from rampctl.engine.moves import Move
from rampctl.errors import Problem
from rampctl.model import address as addr
from rampctl.model.declared import Desired
from rampctl.model.kinds.spec import KindSpec, OnClear
from rampctl.state.model import ResourceState


@dataclass(frozen=True, kw_only=True)
class KindPlan:
    """The result of planning the manifests of one kind against the snapshot and the state.

    `fingerprints` are the live fingerprints of the objects its changes touch (apply checks
    them again), `claims` the live objects its manifests manage (Ramp id -> address), and
    `moves` the state entries that renamed manifests take over.
    """

    changes: tuple[Change, ...] = ()
    problems: tuple[Problem, ...] = ()
    fingerprints: Mapping[str, str] = field(default_factory=dict)
    claims: Mapping[str, str] = field(default_factory=dict)
    moves: Mapping[str, Move] = field(default_factory=dict)


def combine(plans: Iterable[KindPlan]) -> KindPlan:
    """Several results as one, in order (a later claim of the same Ramp id wins)."""
    changes: list[Change] = []
    problems: list[Problem] = []
    fingerprints: dict[str, str] = {}
    claims: dict[str, str] = {}
    moves: dict[str, Move] = {}
    for found in plans:
        changes += found.changes
        problems += found.problems
        fingerprints.update(found.fingerprints)
        claims.update(found.claims)
        moves.update(found.moves)
    return KindPlan(
        changes=tuple(changes),
        problems=tuple(problems),
        fingerprints=fingerprints,
        claims=claims,
        moves=moves,
    )


def problem_at(desired: Desired, field_path: str, message: str) -> Problem:
    """A problem at the manifest position of `field_path` of a desired object."""
    pos = desired.document.position_of(field_path)
    return Problem(
        file=pos.file,
        line=pos.line,
        col=pos.col,
        message=message,
        address=desired.address,
        field=field_path,
    )


def clear_problems(
    kind: KindSpec, desired: Desired, fields: Iterable[FieldChange]
) -> list[Problem]:
    """A positioned problem for each field the manifest clears where the kind declares that
    Ramp's update cannot clear it (`on_clear=PROBLEM`)."""
    return [
        problem_at(
            desired,
            f"spec.{f.path}",
            f"Ramp's API cannot clear {f.path}; give a value, or remove the field from the "
            "manifest to stop managing it",
        )
        for f in fields
        if cannot_clear(kind, f)
    ]


def cannot_clear(kind: KindSpec, change: FieldChange) -> bool:
    """Whether a change clears a field the kind declares Ramp's update cannot clear."""
    return change.after is None and kind.field(change.path).on_clear is OnClear.PROBLEM


def is_manual(kind: KindSpec, change: FieldChange) -> bool:
    """Whether the kind declares a field change Ramp's update cannot make (`update=False`, or
    a clear declared `on_clear=MANUAL`): shown as `! manual`, never sent."""
    spec = kind.field(change.path)
    return not spec.update or (change.after is None and spec.on_clear is OnClear.MANUAL)


def forget_change(address: str, entry: ResourceState, reason: str) -> Change:
    """A `forget` change for a state entry: the base of every removal."""
    return Change(
        address=address,
        kind=entry.kind,
        action=Action.FORGET,
        name=str(entry.attributes.get("name") or addr.name_of(address)),
        ramp_id=entry.ramp_id,
        key=entry.key,
        protect=entry.protect,
        depends_on=tuple(entry.depends_on),
        reason=reason,
    )
