"""What planning one kind returns: a value, instead of writes into a shared context."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rampctl.engine.changes import Change
from rampctl.engine.moves import Move
from rampctl.errors import Problem


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


def problem_at(desired: Any, field_path: str, message: str) -> Problem:
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
