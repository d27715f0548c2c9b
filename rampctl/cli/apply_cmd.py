"""`rampctl apply`: make Ramp match the manifests, from a saved plan or a fresh one."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click

from rampctl.cli.github_cmd import Publisher
from rampctl.cli.github_options import apply_github_options
from rampctl.cli.options import ApplyOptions, GlobalOptions, global_options, parsed
from rampctl.cli.plan_cmd import plan_options, read_plan_file, settings_from
from rampctl.cli.progress import ApplyProgress, reading
from rampctl.cli.runtime import Session, load_graph, reading_while_loading, state_store
from rampctl.cli.signals import stop_on_signals
from rampctl.cli.ui import err_console, out_console
from rampctl.engine.apply import ApplyReport, ApplySettings, apply_changes
from rampctl.engine.bill_money import money_summary
from rampctl.engine.bill_read import read_change_bills
from rampctl.engine.identity import capability_record
from rampctl.engine.intents import Intent, forget_recorded_intents, journaled_intents
from rampctl.engine.plan import Plan
from rampctl.engine.plan_trust import check_money, check_requests
from rampctl.engine.planner import PlanSettings, narrow, plan_with_snapshot
from rampctl.engine.policy import (
    manual_contacts,
    refuse_payments,
    refuse_unsafe,
    write_scopes,
)
from rampctl.engine.record import StateRecorder
from rampctl.engine.safety import check
from rampctl.engine.settle import settle_pending
from rampctl.engine.snapshot import Snapshot, SnapshotPrefetch
from rampctl.engine.stale import check_fresh
from rampctl.engine.writes import send_invite
from rampctl.errors import (
    ConfigError,
    Interrupted,
    ManifestError,
    OutcomeUncertainError,
    PlanError,
    RampctlError,
    StalePlanError,
)
from rampctl.model.desired import DesiredGraph
from rampctl.ramp.client import RampClient
from rampctl.render import human
from rampctl.state.backend import StateBackend
from rampctl.state.model import State
from rampctl.words import count


@click.command()
@click.argument("plan_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@plan_options
@click.option(
    "--auto-approve", is_flag=True, help="Apply without asking (needed when not on a terminal)."
)
@click.option(
    "--allow-deletes",
    "--force",
    "allow_deletes",
    is_flag=True,
    help="Apply a plan the safety rules call unsafe.",
)
@click.option(
    "--allow-replace",
    is_flag=True,
    help="Apply a plan that removes a live object and creates one of the same name "
    "(instead of moving it: see metadata.previously).",
)
@click.option(
    "--allow-payments",
    is_flag=True,
    help="Create bills even when their new payments exceed the payment limit.",
)
@click.option(
    "--payment-limit",
    metavar="AMOUNT",
    envvar="RAMPCTL_PAYMENT_LIMIT",
    help="Largest new-payment total per currency apply creates without --allow-payments "
    "(default: none when confirming at a terminal, zero otherwise).",
)
@click.option(
    "--continue-on-error",
    is_flag=True,
    help="After a failed write, still finish the independent changes.",
)
@click.option(
    "--parallelism",
    type=click.IntRange(1, 32),
    default=4,
    show_default=True,
    help="Writes in flight at once within a dependency level.",
)
@click.option(
    "--lock-timeout",
    type=click.FloatRange(0),
    default=0,
    show_default=True,
    help="Seconds to wait for another run's state lock.",
)
@apply_github_options
@parsed(ApplyOptions)
def apply(ctx: click.Context, options: ApplyOptions) -> int:
    """Make Ramp match the manifests, and record what rampctl manages in the state.

    With PLAN_FILE (from `rampctl plan --out`), apply exactly that plan, refusing
    it (exit 4, nothing written) when the state, the manifests or Ramp changed
    since. Without it, plan now, show the plan and ask before applying.
    """
    publisher = Publisher.for_options(options.github)
    try:
        report = _apply(global_options(ctx), options, publisher)
    except RampctlError as exc:
        if publisher is not None:
            publisher.apply_failed(exc)
            publisher.close()
        raise
    code = _finish(report) if report is not None else 0
    if publisher is not None:
        publisher.apply_done(_counts(report))
        publisher.close()
    return code


def _apply(
    opts: GlobalOptions, options: ApplyOptions, publisher: Publisher | None
) -> ApplyReport | None:
    """Plan (or check the saved plan) and carry it out; None when there is nothing to apply."""
    plan_file = options.plan_file
    if plan_file is not None and not plan_file.is_file():
        raise PlanError(
            f"{plan_file}: no such plan file; nothing was applied (in CI: no reviewed plan was "
            "found for this merge: its artifact expired, the plan job did not run or failed, "
            "or the job lacks `actions: read`)"
        )
    store = state_store(opts)
    with (
        store.lock(command="apply", timeout=options.lock_timeout),
        reading_while_loading(opts, lambda: load_graph(opts, options.plan.variables)) as (
            ramp,
            graph,
        ),
        RampClient(
            ramp.config, scopes=write_scopes(graph, store.load()), limiter=ramp.reader.limiter
        ) as client,
    ):
        session = Session(client=client, environment=ramp.environment)
        intents = journaled_intents(store.journal())  # before settling forgets them
        settled = settle_pending(
            store.journal(),
            client.config.timeout_s,
            _say,
            resume=lambda request: send_invite(client, request),
        )
        # Writes an earlier run left unresolved may have landed while Ramp was being read:
        # then read it again, after waiting them out, so the plan finds them by key.
        live = ramp.snapshot if not settled else None
        found = _plan(session, store, graph, options, (live, intents))
        if found is None:
            return None
        plan, snapshot = found
        _check_manifests_unchanged(opts, options, graph)
        if publisher is not None:
            publisher.wrote = True
        report = _run(opts, session, store, graph, (plan, snapshot, intents), options)
    if not report.ok:
        _finish(report)  # raises, so the pull request hears why
    return report


def _check_manifests_unchanged(
    opts: GlobalOptions, options: ApplyOptions, graph: DesiredGraph
) -> None:
    """The manifests are read once; just before the first write they are read again and must
    give the same digest, so that a file written, moved or deleted meanwhile (a vendor in
    neither its old nor its new file) never becomes a change to Ramp."""
    try:
        digest = load_graph(opts, options.plan.variables).digest
    except (ManifestError, ConfigError):
        digest = None
    if digest != graph.digest:
        raise StalePlanError(
            "the manifests changed while apply was running (a file was written, moved or "
            "deleted); nothing was written to Ramp: run apply again once they are settled"
        )


def _say(message: str) -> None:
    err_console().print(message, markup=False)


def _plan(
    session: Session,
    store: StateBackend,
    graph: DesiredGraph,
    options: ApplyOptions,
    inputs: tuple[SnapshotPrefetch | None, list[Intent]],
) -> tuple[Plan, Snapshot] | None:
    """The plan to apply and the snapshot it was made from (`inputs`: the snapshot when
    already read, and the intents of the writes an earlier run left unresolved)."""
    live, intents = inputs
    state = store.load()
    plan_file = options.plan_file
    if plan_file is not None:
        plan, snapshot = _saved_plan(session, state, graph, plan_file, options, inputs)
    else:
        with reading("Reading Ramp"):
            plan, snapshot = plan_with_snapshot(
                session.client,
                graph,
                state,
                environment=session.environment,
                settings=settings_from(options.plan),
                snapshot=live,
                intents=intents,
            )
        out_console().print(human.render(plan), end="")
    if not plan.actionable:
        recorder = _recorder(session, store, graph, plan, snapshot)
        recorder.settle_intents(intents)
        recorder.settle_approvals()
        forget_recorded_intents(store.journal())
        err_console().print("Nothing to apply.", markup=False)
        return None
    refuse_unsafe(plan, allow_deletes=options.allow_deletes, allow_replace=options.allow_replace)
    # Worked out again from the changes and live bills, never taken from a plan file.
    money = money_summary(plan.changes, snapshot.bills)
    refuse_payments(
        money,
        allow_payments=options.allow_payments,
        limit=options.payment_limit,
        interactive=options.interactive,
    )
    if options.interactive:
        _confirm()
    return plan, snapshot


def _saved_plan(
    session: Session,
    state: State,
    graph: DesiredGraph,
    plan_file: Path,
    options: ApplyOptions,
    inputs: tuple[SnapshotPrefetch | None, list[Intent]],
) -> tuple[Plan, Snapshot]:
    """A saved plan, checked against a plan made now with the selection it records: nothing
    in the file but its choice of changes is trusted, and that choice must be exactly the one
    the manifests and Ramp give now. What is applied (and judged by the safety rules and the
    payment limit) is the plan made now, narrowed by apply's own --target/--exclude."""
    saved = read_plan_file(plan_file)
    chosen = saved.selection
    settings = replace(
        settings_from(options.plan),
        targets=chosen.targets,
        excludes=chosen.excludes,
        refresh_deep=chosen.refresh_deep,
    )
    with reading("Reading Ramp"):
        fresh, snapshot = _replan(session, state, graph, settings, inputs, saved)
        read_change_bills(session.client, snapshot, saved.changes)
    check_fresh(saved, state=state, graph=graph, snapshot=snapshot, environment=session.environment)
    check_requests(saved, fresh)
    check_money(saved, money_summary(saved.changes, snapshot.bills))
    known = graph.addresses() | set(state.resources)
    chosen_now = narrow(fresh, known, options.plan.targets, options.plan.excludes)
    safety = check(
        chosen_now.changes,
        managed=len(state.resources),
        desired=len(graph.addresses()),
        settings=settings.safety,
    )
    now = replace(saved, changes=chosen_now.changes, drift=chosen_now.drift, safety=safety)
    return now, snapshot


def _replan(
    session: Session,
    state: State,
    graph: DesiredGraph,
    settings: PlanSettings,
    inputs: tuple[SnapshotPrefetch | None, list[Intent]],
    saved: Plan,
) -> tuple[Plan, Snapshot]:
    """The plan made now with the saved plan's selection; a selection that no longer plans
    (a pattern that matches nothing now) makes the saved plan stale."""
    try:
        return plan_with_snapshot(
            session.client,
            graph,
            state,
            environment=session.environment,
            settings=settings,
            snapshot=inputs[0],
            intents=inputs[1],
        )
    except PlanError as exc:
        if isinstance(exc, StalePlanError):
            raise
        raise StalePlanError(
            f"the saved plan is stale: its selection ({saved.selection.describe()}) no longer "
            f"plans ({exc}); run plan again"
        ) from None


def _confirm() -> None:
    if not sys.stdin.isatty():
        raise ConfigError(
            "apply needs --auto-approve when not run on a terminal (or apply a saved plan)"
        )
    if not click.confirm("Apply these changes to Ramp?", default=False, err=True):
        raise ConfigError("apply cancelled; nothing was written")


def _run(
    opts: GlobalOptions,
    session: Session,
    store: StateBackend,
    graph: DesiredGraph,
    planned: tuple[Plan, Snapshot, list[Intent]],
    options: ApplyOptions,
) -> ApplyReport:
    plan, snapshot, intents = planned
    journal = store.journal()
    recorder = _recorder(session, store, graph, plan, snapshot)
    recorder.remember(capability_record(snapshot.external_ids))
    changed = {c.address for c in plan.changes}  # recorded as Ramp answers their writes
    # Before the writes: a successful apply clears the journal that still holds these intents.
    recorder.settle_intents([i for i in intents if i.address not in changed])
    settings = ApplySettings(
        parallelism=options.parallelism, continue_on_error=options.continue_on_error
    )
    with (
        stop_on_signals() as stop,
        ApplyProgress(len(plan.actionable), no_color=opts.no_color) as hooks,
    ):
        report = apply_changes(
            client=session.client,
            changes=plan.changes,
            recorder=recorder,
            journal=journal,
            hooks=hooks,
            settings=settings,
            stop=stop.event,
        )
    if stop.signum is not None:
        _print_report(report)
        raise Interrupted(stop.signum)
    if report.ok:
        recorder.refresh(skip=changed, only=_refresh_scope(plan, options))
    else:
        recorder.settle_approvals()
    return report


def _refresh_scope(plan: Plan, options: ApplyOptions) -> set[str] | None:
    """The unchanged addresses whose live values apply records (drift accepted): every one
    without --target/--exclude, else only those whose drift the plan showed (as Terraform's
    -target limits refresh), so drift elsewhere stays reported."""
    patterns = (*plan.selection.targets, *plan.selection.excludes)
    if not patterns and not options.plan.targets and not options.plan.excludes:
        return None
    return {d.address for d in plan.drift}


def _recorder(
    session: Session, store: StateBackend, graph: DesiredGraph, plan: Plan, snapshot: Snapshot
) -> StateRecorder:
    return StateRecorder(
        store=store,
        snapshot=snapshot,
        graph=graph,
        environment=session.environment,
        contact_mismatch=manual_contacts(plan.changes),
    )


def _finish(report: ApplyReport) -> int:
    _print_report(report)
    if report.uncertain:
        raise OutcomeUncertainError(
            f"{count(len(report.uncertain), 'write')} "
            f"{'has' if len(report.uncertain) == 1 else 'have'} an uncertain outcome; "
            "run apply again to resolve them by key"
        )
    if report.failed or report.not_started:
        raise RampctlError(
            f"{count(len(report.failed), 'change')} failed; {len(report.not_started)} not started"
        )
    return 0


def _counts(report: ApplyReport | None) -> str:
    if report is None:
        return "Nothing to apply: Ramp already matched."
    return f"{count(len(report.done), 'change')} done; {len(report.manual)} manual."


def _print_report(report: ApplyReport) -> None:
    console = out_console()
    for address, message in sorted(report.failed.items()):
        console.print(f"failed: {address}: {message}", markup=False)
    for address, message in sorted(report.uncertain.items()):
        console.print(f"uncertain: {address}: {message}", markup=False)
    for address in sorted(report.not_started):
        console.print(f"not started: {address}", markup=False)
    for address in sorted(report.manual):
        console.print(f"manual change needed: {address} (see the plan)", markup=False)
    console.print(
        f"Apply: {len(report.done)} done, {len(report.failed)} failed, "
        f"{len(report.uncertain)} uncertain, {len(report.not_started)} not started.",
        markup=False,
    )
