"""Moves named on the changes of their new addresses, from values (nothing written)."""

from __future__ import annotations

from rampctl.engine.changes import Action, Change
from rampctl.engine.moves import Move, show_moves
from rampctl.state.model import ResourceState


def _adopt(address: str) -> Change:
    return Change(address=address, kind="vendor", action=Action.ADOPT, name=address)


def test_a_left_over_entry_claimed_by_a_new_address_is_shown_as_a_move() -> None:
    old = ResourceState(kind="vendor", ramp_id="v1", fingerprint="f")
    recorded = Move(old="vendor/was", entry=old, why="metadata.previously")
    left = {"vendor": {"vendor/old": old}}
    moves = {"vendor/named": recorded}
    changes = [_adopt("vendor/new"), _adopt("vendor/named"), _adopt("vendor/other")]
    shown = show_moves(changes, moves, lambda kind: left.get(kind, {}), {"v1": "vendor/new"})
    assert [c.reason for c in shown] == [
        "moved from vendor/old (same adoption key); Ramp keeps the same object",
        "moved from vendor/was (metadata.previously); Ramp keeps the same object",
        "",
    ]
    assert moves == {"vendor/named": recorded}  # the planners' moves are not written to
