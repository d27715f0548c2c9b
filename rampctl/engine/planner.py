"""Making a plan: snapshot Ramp, match and diff every desired object, order and check the result."""

from __future__ import annotations

import dataclasses
import difflib
import fnmatch
from collections.abc import Callable, Sequence, Set
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from rampctl.engine.accounting import plan_accounting_vendors
from rampctl.engine.bill_money import money_summary
from rampctl.engine.bill_plan import plan_bills
from rampctl.engine.bill_read import read_bill_inputs
from rampctl.engine.changes import Change, Drift
from rampctl.engine.context import PlanContext
from rampctl.engine.identity import find_support
from rampctl.engine.intents import Intent, settled_state
from rampctl.engine.kind_plan import KindPlan, combine
from rampctl.engine.moves import show_moves, warn_lookalikes
from rampctl.engine.page_plan import PagePlanner
from rampctl.engine.plan import Plan, PlanSelection
from rampctl.engine.removals import find_drift, find_unmanaged, plan_removals
from rampctl.engine.safety import SafetySettings, check
from rampctl.engine.scripts import warn_mixed_scripts
from rampctl.engine.snapshot import Snapshot, SnapshotPrefetch, read_contacts, read_snapshot
from rampctl.engine.stale import plan_lineage
from rampctl.engine.user_directory import read_directory
from rampctl.engine.user_removals import guard_deactivations
from rampctl.engine.users import plan_users
from rampctl.engine.vendors import plan_vendors
from rampctl.errors import ManifestError, PlanError
from rampctl.model import address as addr
from rampctl.model.desired import DesiredGraph
from rampctl.ramp.client import RampClient
from rampctl.ramp.models import Vendor
from rampctl.state.model import State


@dataclass(frozen=True, kw_only=True)
class PlanSettings:
    """Options of a planning run."""

    safety: SafetySettings = field(default_factory=SafetySettings)
    targets: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    refresh_deep: bool = False


def make_plan(
    client: RampClient,
    graph: DesiredGraph,
    state: State,
    *,
    environment: str,
    settings: PlanSettings,
    snapshot: Snapshot | SnapshotPrefetch | None = None,
    intents: Sequence[Intent] = (),
) -> Plan:
    """Read Ramp and plan the changes that make it match `graph` (reads only).

    `snapshot`: the live snapshot when already read (see `SnapshotPrefetch`); `intents`: the
    vendor writes an earlier run left unresolved (`rampctl.engine.intents`).
    """
    return plan_with_snapshot(
        client,
        graph,
        state,
        environment=environment,
        settings=settings,
        snapshot=snapshot,
        intents=intents,
    )[0]


def plan_with_snapshot(
    client: RampClient,
    graph: DesiredGraph,
    state: State,
    *,
    environment: str,
    settings: PlanSettings,
    snapshot: Snapshot | SnapshotPrefetch | None = None,
    intents: Sequence[Intent] = (),
) -> tuple[Plan, Snapshot]:
    """Like make_plan, also returning the snapshot the plan was made from."""
    if snapshot is None:
        snapshot = read_snapshot(client)
    elif isinstance(snapshot, SnapshotPrefetch):
        snapshot = _planned_as_read(client, graph, state, snapshot)
    if state.business_id is not None:
        state.check_binding(environment, snapshot.business.id)
    if snapshot.external_ids is None:
        snapshot.external_ids = find_support(client, state)
    ctx = PlanContext(graph=graph, state=state, snapshot=snapshot)
    read_contacts(client, snapshot, ctx.contact_reads(settings.refresh_deep))
    read_directory(client, graph, snapshot)
    if intents:  # rampctl's own writes an earlier run left unrecorded: not drift
        state = settled_state(state, intents, snapshot, ctx.vendor_view)
        ctx = PlanContext(graph=graph, state=state, snapshot=snapshot)
    if graph.bills or any(r.kind == addr.BILL for r in state.resources.values()):
        read_bill_inputs(client, ctx)
    return build_plan(ctx, environment=environment, settings=settings), snapshot


def _planned_as_read(
    client: RampClient, graph: DesiredGraph, state: State, prefetch: SnapshotPrefetch
) -> Snapshot:
    """The snapshot being read, with each page of vendors planned as it arrives
    (`PagePlanner`); whether this Ramp knows external_vendor_id is asked meanwhile when the
    state does not keep the answer, so no request waits for the last page."""
    pages = PagePlanner(graph, state)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ramp-probe") as probing:
        support = probing.submit(find_support, client, state)
        snapshot = prefetch.result(on_page=pages.page)
        snapshot.external_ids = support.result()
    snapshot.vendor_views.update(pages.views)
    snapshot.page_work = pages.work
    return snapshot


def managed_vendors(graph: DesiredGraph, state: State) -> Callable[[Vendor], bool]:
    """Whether a live vendor is one the plan compares: recorded in the state, or carrying
    the key of a Vendor manifest."""
    ids = {entry.ramp_id for entry in state.resources.values() if entry.kind == addr.VENDOR}
    keys = {desired.key for desired in graph.vendors.values()}
    return lambda v: v.id in ids or (v.external_vendor_id or "").strip() in keys


def plan_kinds(ctx: PlanContext) -> KindPlan:
    """Every kind planned against the context, and the removals: one value, nothing written.

    Kinds run in dependency order; the Ramp ids each claims are taken for those after it.
    """
    matches = ctx.vendor_matches
    matched = KindPlan(claims=matches.claims, moves=matches.moves)  # problems: plan_vendors
    accounting = plan_accounting_vendors(
        ctx.graph, ctx.snapshot, ctx.state, taken=frozenset(matches.claims)
    )
    users = plan_users(ctx.graph, ctx.snapshot, ctx.state)
    declared = combine([matched, accounting, users, plan_vendors(ctx)])
    bills = plan_bills(ctx, taken=declared.claims.keys())
    removals = plan_removals(ctx, {**declared.claims, **bills.claims})
    found = combine([declared, bills, removals])
    changes, problems = guard_deactivations(list(found.changes), ctx.graph, ctx.snapshot)
    return dataclasses.replace(found, changes=tuple(changes), problems=(*found.problems, *problems))


def build_plan(ctx: PlanContext, *, environment: str, settings: PlanSettings) -> Plan:
    """Plan from an already-read snapshot; raises ManifestError for plan-time problems."""
    found = plan_kinds(ctx)
    if found.problems:
        raise ManifestError(found.problems)
    changes = show_moves(list(found.changes), found.moves, ctx.left_over, found.claims)
    if settings.targets or settings.excludes:
        known = {*ctx.declared, *ctx.state.resources, *(c.address for c in changes)}
        check_patterns(known, settings.targets, settings.excludes)
    changes = sorted(select(changes, settings.targets, settings.excludes), key=Change.sort_key)
    targets = {c.address for c in changes}
    claimed = {r.ramp_id for r in ctx.state.resources.values()} | set(found.claims)
    unmanaged = find_unmanaged(ctx.snapshot, claimed)
    changes = warn_mixed_scripts(warn_lookalikes(changes, unmanaged))
    drift = find_drift(ctx.state, ctx.snapshot, ctx.vendor_view)
    drift = selected_drift(drift, targets, settings.targets, settings.excludes)
    return Plan(
        changes=changes,
        drift=drift,
        unmanaged=unmanaged,
        safety=check(
            changes,
            managed=len(ctx.state.resources),
            desired=len(ctx.declared),
            settings=settings.safety,
        ),
        environment=environment,
        business_id=ctx.snapshot.business.id,
        lineage=plan_lineage(ctx.state),
        serial=ctx.state.serial,
        manifest_digest=ctx.graph.digest,
        fingerprints={a: f for a, f in found.fingerprints.items() if a in targets},
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        money=money_summary(changes, ctx.snapshot.bills),
        identity=ctx.mode,
        selection=PlanSelection(
            targets=settings.targets,
            excludes=settings.excludes,
            refresh_deep=settings.refresh_deep,
        ),
    )


def select(
    changes: list[Change], targets: tuple[str, ...], excludes: tuple[str, ...]
) -> list[Change]:
    """Keep changes matching a target (and what they depend on), minus excluded ones."""
    chosen = [c for c in changes if not targets or _matches(c.address, targets)]
    needed = {d for c in chosen for d in c.depends_on}
    chosen += [c for c in changes if c.address in needed and c not in chosen]
    kept = [c for c in chosen if not _matches(c.address, excludes)]
    dropped = {c.address for c in chosen} - {c.address for c in kept}
    broken = sorted(f"{c.address} needs {d}" for c in kept for d in c.depends_on if d in dropped)
    if broken:
        raise PlanError("--exclude leaves out changes that others need: " + "; ".join(broken))
    return kept


def selected_drift(
    drift: Sequence[Drift], chosen: Set[str], targets: tuple[str, ...], excludes: tuple[str, ...]
) -> list[Drift]:
    """The drift of what a selection covers, as Terraform's -target limits its report: the
    addresses a --target names or a chosen change touches, minus those an --exclude names
    (all of it without a selection)."""
    return [
        d
        for d in drift
        if (not targets or d.address in chosen or _matches(d.address, targets))
        and not _matches(d.address, excludes)
    ]


def check_patterns(known: set[str], targets: tuple[str, ...], excludes: tuple[str, ...]) -> None:
    """A --target/--exclude pattern that matches no known address or kind is a mistake
    (a typo would otherwise quietly select nothing, or exclude nothing)."""
    for flag, patterns in (("--target", targets), ("--exclude", excludes)):
        for pattern in patterns:
            if not any(_matches(a, (pattern,)) for a in known):
                raise PlanError(f"{flag} {pattern!r} matches no address{_closest(pattern, known)}")


def _closest(pattern: str, known: set[str]) -> str:
    close = difflib.get_close_matches(pattern, sorted(known), n=3, cutoff=0.5)
    if not close:
        kinds = sorted({addr.kind_of(a) for a in known})
        return f" (kinds: {', '.join(kinds)})" if kinds else " (nothing is declared or managed)"
    return f" (closest: {', '.join(close)})"


def narrow(
    plan: Plan, known: set[str], targets: tuple[str, ...], excludes: tuple[str, ...]
) -> Plan:
    """A saved plan cut down to the targeted changes and what they depend on (refused when
    an excluded change is needed by a kept one), and to their drift; the plan itself when no
    pattern is given."""
    if not targets and not excludes:
        return plan
    check_patterns(known | {c.address for c in plan.changes}, targets, excludes)
    kept = select(plan.changes, targets, excludes)
    drift = selected_drift(plan.drift, {c.address for c in kept}, targets, excludes)
    return dataclasses.replace(plan, changes=kept, drift=drift)


def _matches(address: str, patterns: tuple[str, ...]) -> bool:
    kind = addr.kind_of(address)
    return any(fnmatch.fnmatchcase(address, p) or fnmatch.fnmatchcase(kind, p) for p in patterns)


__all__ = [
    "PlanSettings",
    "build_plan",
    "check_patterns",
    "make_plan",
    "narrow",
    "plan_with_snapshot",
    "select",
    "selected_drift",
]
