"""Which live vendor each Vendor manifest manages: a pure function of graph, snapshot and state.

A manifest matches the vendor its state entry names, else the one carrying its adoption key
(and held by no other declared address), else the vendor of a state entry it was renamed
from (recorded in `metadata.previously`, or detected by the same name or accounting link).
All manifests are matched at once, in the graph's order; the result is a value.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Set
from dataclasses import dataclass, field

from rampctl.engine.identity import MATCH_MODE, mode_of, verified_matches
from rampctl.engine.kind_plan import problem_at
from rampctl.engine.moves import Move, detect_vendor_moves, explicit_move, orphans
from rampctl.engine.snapshot import QuietVendor, Snapshot
from rampctl.errors import Problem
from rampctl.model import address as addr
from rampctl.model.desired import DesiredGraph, DesiredVendor
from rampctl.ramp.models import Vendor
from rampctl.state.model import ResourceState, State


@dataclass(frozen=True, kw_only=True)
class VendorMatches:
    """The live vendor of each matched manifest (by address), the claims (Ramp id ->
    address), the moves renamed manifests take over, and the problems matching found."""

    live: Mapping[str, Vendor] = field(default_factory=dict)
    claims: Mapping[str, str] = field(default_factory=dict)
    moves: Mapping[str, Move] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    #: The manifests found quiet (an empty plan) as their vendors' pages arrived
    #: (`rampctl.engine.page_plan`) that matched those vendors through the same state
    #: entries in the same identity mode, by address (`PlanContext.quiet_matches`).
    quiet: Mapping[str, QuietVendor] = field(default_factory=dict)
    #: Without external_vendor_id: manifests matched by name, owner and accounting link,
    #: and those several live vendors agree with (nothing is matched for them).
    by_fields: frozenset[str] = frozenset()
    ambiguous: Mapping[str, list[Vendor]] = field(default_factory=dict)


def match_vendors(
    graph: DesiredGraph, snapshot: Snapshot, state: State, taken: Set[str] = frozenset()
) -> VendorMatches:
    """Match every Vendor manifest; `taken` are Ramp ids already claimed by other kinds."""
    run = _Matching(graph=graph, snapshot=snapshot, state=state, claims=dict.fromkeys(taken, ""))
    live: dict[str, Vendor] = {}
    quiet: dict[str, QuietVendor] = {}
    entries, vendors, claimed = state.resources, snapshot.vendors, run.claims
    page_quiet, mode = snapshot.page_work.quiet, mode_of(snapshot.external_ids)
    for desired in graph.vendors.values():
        address = desired.address
        # most managed vendors: the one the state entry names, carrying no key or its own
        # (inline: this runs for every manifest after the last page); else the whole walk
        entry = entries.get(address)
        found = vendors.get(entry.ramp_id) if entry is not None else None
        carried = found.external_vendor_id if found is not None else None
        if found is None or (
            carried
            and carried != desired.key
            and _foreign(carried, entry, desired)  # rare: a padded key, or another's
        ):
            found = run.match(desired)
        if found is not None:
            live[address] = found
            claimed[found.id] = address
            # found quiet as its page arrived, from this vendor through this entry: still so
            was = page_quiet.get(address)
            if was is not None and was.vendor is found and was.entry is entry and was.mode == mode:
                quiet[address] = was
    # without `taken` every claim is a manifest's (no copy filtered of 100,000 entries)
    claims = {r: a for r, a in claimed.items() if a} if taken else claimed
    return VendorMatches(
        live=live,
        claims=claims,
        moves=run.moves,
        problems=tuple(run.problems),
        quiet=quiet,
        by_fields=frozenset(run.by_fields),
        ambiguous=run.ambiguous,
    )


def _foreign(carried: str, entry: ResourceState | None, desired: DesiredVendor) -> bool:
    """Whether the key a vendor the state names carries is neither the entry's nor the
    manifest's (`_Matching._by_state` then reports the state as wrong)."""
    key = carried.strip()
    return bool(key) and entry is not None and key not in (entry.key, desired.key)


def holders(graph: DesiredGraph, state: State) -> dict[str, set[str]]:
    """Ramp id -> the declared addresses whose state entries hold it."""
    declared = graph.addresses()
    found: dict[str, set[str]] = {}
    for held_by, entry in state.resources.items():
        if held_by in declared:
            found.setdefault(entry.ramp_id, set()).add(held_by)
    return found


class HeldByOthers(Set[str]):
    """The Ramp ids held by declared addresses other than `address` (a read-only view)."""

    def __init__(self, holders: dict[str, set[str]], address: str) -> None:
        self._holders = holders
        self._address = address

    def __contains__(self, ramp_id: object) -> bool:
        held = self._holders.get(ramp_id) if isinstance(ramp_id, str) else None
        return bool(held) and held != {self._address}

    def __iter__(self) -> Iterator[str]:
        return (ramp_id for ramp_id in self._holders if ramp_id in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    @classmethod
    def _from_iterable(cls, values: Iterable[str]) -> set[str]:  # type: ignore[override]
        """`|`, `&` and `-` give plain sets."""
        return set(values)


@dataclass(kw_only=True)
class _Matching:
    """Scratch of one `match_vendors` run (private: the result is `VendorMatches`)."""

    graph: DesiredGraph
    snapshot: Snapshot
    state: State
    claims: dict[str, str]
    moves: dict[str, Move] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    by_fields: set[str] = field(default_factory=set)
    ambiguous: dict[str, list[Vendor]] = field(default_factory=dict)
    _holders: dict[str, set[str]] | None = None
    _orphans: dict[str, ResourceState] | None = None
    _detected: tuple[dict[str, Move], dict[str, list[str]]] | None = None

    def match(self, desired: DesiredVendor) -> Vendor | None:
        found = self._by_state(desired) or self._by_key(desired) or self._by_move(desired)
        if found is None and mode_of(self.snapshot.external_ids) == MATCH_MODE:
            found = self._by_fields(desired)
        return found

    def _by_fields(self, desired: DesiredVendor) -> Vendor | None:
        """Without external_vendor_id: the one vendor no state entry or earlier manifest holds
        whose name, owner and link agree; several are kept in `ambiguous`, none matched."""
        taken = {e.ramp_id for e in self.state.resources.values()} | set(self.claims)
        vendors = self.snapshot.vendors.values()
        found = verified_matches(desired, vendors, self.snapshot.users, taken)
        if len(found) > 1:
            self.ambiguous[desired.address] = found
            return None
        if found:
            self.by_fields.add(desired.address)
        return found[0] if found else None

    def _by_state(self, desired: DesiredVendor) -> Vendor | None:
        entry = self.state.resources.get(desired.address)
        live = self.snapshot.vendors.get(entry.ramp_id) if entry else None
        if entry is None or live is None:
            return None
        carried = (live.external_vendor_id or "").strip()
        if carried and carried not in (entry.key, desired.key):
            self.problems.append(
                problem_at(
                    desired,
                    "metadata.name",
                    f"the state maps {desired.address} to vendor {live.id}, but that vendor "
                    f"carries the key {carried!r}, not {entry.key or desired.key!r}: the state "
                    "does not describe this vendor; fix it with `rampctl state rebuild` or "
                    f"`rampctl state rm {desired.address}`",
                )
            )
        return live

    def _by_key(self, desired: DesiredVendor) -> Vendor | None:
        if self._holders is None:
            self._holders = holders(self.graph, self.state)
        owned = HeldByOthers(self._holders, desired.address)
        found = [v for v in self.snapshot.vendors_by_key.get(desired.key, []) if v.id not in owned]
        if len(found) > 1:
            ids = ", ".join(sorted(v.id for v in found))
            self.problems.append(
                problem_at(
                    desired,
                    "spec.external_id",
                    f"{len(found)} vendors in Ramp carry the key "
                    f"{desired.key!r} ({ids}); keep one and clear the key on the others",
                )
            )
        return found[0] if found else None

    def _by_move(self, desired: DesiredVendor) -> Vendor | None:
        """The live vendor of a renamed manifest: recorded in metadata.previously, or detected."""
        move = explicit_move(desired, self._left(), self.claims)
        if move is None:
            found, ambiguous = self._detected_moves()
            move = found.get(desired.address)
            if desired.address in ambiguous:
                olds = ", ".join(ambiguous[desired.address])
                self.problems.append(
                    problem_at(
                        desired,
                        "metadata.name",
                        f"this could be a rename of more than one managed vendor ({olds}); "
                        "name the old address in metadata.previously",
                    )
                )
        live = self.snapshot.vendors.get(move.entry.ramp_id) if move else None
        if move is not None and live is not None:
            self.moves[desired.address] = move
        return live

    def _left(self) -> dict[str, ResourceState]:
        if self._orphans is None:
            self._orphans = orphans(self.state, self.graph.addresses(), addr.VENDOR)
        return self._orphans

    def _detected_moves(self) -> tuple[dict[str, Move], dict[str, list[str]]]:
        if self._detected is None:
            recorded = {
                addr.make(addr.VENDOR, old)
                for v in self.graph.vendors.values()
                for old in v.document.previously
            }
            keys = self.snapshot.vendors_by_key
            by_key = {v.id for d in self.graph.vendors.values() for v in keys.get(d.key, [])}
            left = {
                a: e
                for a, e in self._left().items()
                if a not in recorded and e.ramp_id not in by_key
            }
            wanted = {
                d.address: d.fields
                for d in self.graph.vendors.values()
                if d.address not in self.state.resources
                and not keys.get(d.key)
                and not d.document.previously
            }
            self._detected = detect_vendor_moves(wanted, left, self.snapshot.vendors)
        return self._detected
