"""Renames are moves: a manifest whose address changed keeps managing the same live object.

A move is recorded explicitly (`metadata.previously: [old-name]`) or detected: an address
that left the manifests (still in the state) and a new address found nothing in Ramp by
state id or key, and the old address's live object has the new manifest's name or
accounting link. A detected move must be unambiguous; otherwise the plan asks for
an explicit record. The state entry moves to the new address and the adoption key is
updated; nothing is deleted or created in Ramp.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass, replace

from rampctl.engine.changes import Action, Change, Unmanaged
from rampctl.model import address as addr
from rampctl.model.declared import Desired
from rampctl.model.kinds import VendorValues
from rampctl.ramp.models import Vendor
from rampctl.state.model import ResourceState, State

#: Words that do not tell two company names apart ("Blue Sun Corp." and "Blue Sun").
LEGAL_SUFFIXES = frozenset(
    {
        "inc",
        "incorporated",
        "llc",
        "llp",
        "ltd",
        "limited",
        "corp",
        "corporation",
        "co",
        "company",
        "gmbh",
        "plc",
        "sa",
        "sas",
        "bv",
        "ag",
        "pty",
        "the",
    }
)
_WORD = re.compile(r"[^\W_]+")


def same_name(name: str | None) -> str:
    """A name as detection compares it: trimmed, case-folded, inner spaces collapsed."""
    return " ".join((name or "").split()).casefold()


def loose_name(name: str | None) -> str:
    """A name as the replacement and look-alike checks compare it: letters and digits only,
    case-folded, legal suffixes dropped (falls back to all words when only suffixes remain)."""
    words = _WORD.findall((name or "").casefold())
    kept = [w for w in words if w not in LEGAL_SUFFIXES]
    return " ".join(kept or words)


@dataclass(frozen=True, kw_only=True)
class Move:
    """The state entry a declared address takes over, and why."""

    old: str
    entry: ResourceState
    why: str

    @property
    def reason(self) -> str:
        """What the plan shows on the moved object's change."""
        return f"moved from {self.old} ({self.why}); Ramp keeps the same object"


def orphans(state: State, declared: set[str], kind: str) -> dict[str, ResourceState]:
    """State entries of `kind` that no manifest declares any more."""
    return {a: e for a, e in state.resources.items() if e.kind == kind and a not in declared}


def explicit_move(
    desired: Desired, left: Mapping[str, ResourceState], taken: Container[str]
) -> Move | None:
    """The move a manifest records in `metadata.previously`, when its old entry is in the state."""
    kind = addr.kind_of(desired.address)
    for old in desired.document.previously:
        address = addr.make(kind, old)
        entry = left.get(address)
        if entry is not None and entry.ramp_id not in taken:
            return Move(old=address, entry=entry, why="metadata.previously")
    return None


def vendor_signals(fields: VendorValues, live: Vendor) -> list[str]:
    """What ties a Vendor manifest to a live vendor: the same name or accounting link."""
    signals = []
    name = fields.name
    if name and same_name(name) == same_name(live.name):
        signals.append(f"same name {live.name!r}")
    link = fields.accounting_vendor
    if link and link == live.accounting_vendor_remote_id:
        signals.append(f"same accounting link {link}")
    return signals


def detect_vendor_moves(
    wanted: dict[str, VendorValues],
    left: dict[str, ResourceState],
    vendors: dict[str, Vendor],
) -> tuple[dict[str, Move], dict[str, list[str]]]:
    """Moves from unmatched Vendor manifests (`wanted`: address -> fields) to left-over
    state entries; and, per address, the old addresses when more than one could fit."""
    candidates: dict[str, list[Move]] = {}
    for address, fields in sorted(wanted.items()):
        for old, entry in sorted(left.items()):
            live = vendors.get(entry.ramp_id)
            signals = vendor_signals(fields, live) if live is not None else []
            if signals:
                move = Move(old=old, entry=entry, why=", ".join(signals))
                candidates.setdefault(address, []).append(move)
    per_old: dict[str, list[str]] = {}
    for address, moves in candidates.items():
        for move in moves:
            per_old.setdefault(move.old, []).append(address)
    found: dict[str, Move] = {}
    ambiguous: dict[str, list[str]] = {}
    for address, moves in candidates.items():
        if len(moves) == 1 and len(per_old[moves[0].old]) == 1:
            found[address] = moves[0]
        else:
            ambiguous[address] = sorted({m.old for m in moves} | set(_rivals(moves, per_old)))
    return found, ambiguous


def _rivals(moves: list[Move], per_old: dict[str, list[str]]) -> list[str]:
    return [a for m in moves for a in per_old[m.old]]


_SAME_KEY = {
    addr.VENDOR: "same adoption key",
    addr.ACCOUNTING_VENDOR: "same remote id",
    addr.BILL: "same vendor and invoice number",
}


def show_moves(
    changes: list[Change],
    moves: Mapping[str, Move],
    left_over: Callable[[str], Mapping[str, ResourceState]],
    claims: Mapping[str, str],
) -> list[Change]:
    """Name each move on its new address's change: recorded, detected, or found by key.

    `moves` are those the planners found, `left_over(kind)` the state entries no manifest
    declares, `claims` Ramp id -> the address that manages it now.
    """
    found = dict(moves)
    for kind, why in _SAME_KEY.items():
        for old, entry in left_over(kind).items():
            new = claims.get(entry.ramp_id)
            if new is not None and new not in found:
                found[new] = Move(old=old, entry=entry, why=why)
    return [
        replace(c, reason=found[c.address].reason)
        if c.address in found and c.action is Action.ADOPT
        else c
        for c in changes
    ]


def warn_lookalikes(changes: list[Change], unmanaged: list[Unmanaged]) -> list[Change]:
    """Mark vendor creates whose name (loosely) equals an unmanaged live vendor's: most likely
    the same vendor, which should be adopted rather than created a second time."""
    live: dict[str, Unmanaged] = {}
    for item in unmanaged:
        if item.kind == addr.VENDOR:
            live.setdefault(loose_name(item.name), item)
    return [_lookalike(c, live.get(loose_name(c.name))) for c in changes]


def _lookalike(change: Change, twin: Unmanaged | None) -> Change:
    if twin is None or change.kind != addr.VENDOR or change.action is not Action.CREATE:
        return change
    key = f"set spec.external_id to its key {twin.key!r}" if twin.key else "`rampctl import` it"
    return replace(
        change,
        reason=f"warning: Ramp already has a vendor named {twin.name!r} ({twin.ramp_id}) that "
        f"is not managed; to manage it instead of creating a second one, {key} "
        "(external_id adopts by key; `rampctl import` writes its manifest)",
    )


__all__ = [
    "LEGAL_SUFFIXES",
    "Move",
    "detect_vendor_moves",
    "explicit_move",
    "loose_name",
    "orphans",
    "same_name",
    "show_moves",
    "vendor_signals",
    "warn_lookalikes",
]
