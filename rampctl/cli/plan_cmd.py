"""`rampctl plan` and `rampctl show`: what differs between the manifests and Ramp."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from rampctl.cli.completion import state_addresses
from rampctl.cli.github_options import plan_github_options
from rampctl.cli.options import (
    GitHubOptions,
    OutputOptions,
    PlanCommandOptions,
    PlanOptions,
    ShowOptions,
    global_options,
    parsed,
)
from rampctl.cli.quick_exit import keep_until_exit
from rampctl.cli.variables import var_option
from rampctl.errors import ExitCode, PlanError, RampctlError

# What only making, checking or printing a plan needs is imported where it is used: a plan's
# first request to Ramp leaves before the engine, the manifests and the renderers are loaded
# (`_make_plan`), and a run without --github-* flags never loads the GitHub client.
if TYPE_CHECKING:
    from rampctl.cli.github_cmd import Publisher
    from rampctl.cli.runtime import Prefetched
    from rampctl.engine.intents import Intent
    from rampctl.engine.plan import Plan
    from rampctl.engine.planner import PlanSettings
    from rampctl.model.desired import DesiredGraph
    from rampctl.state.model import State


def output_options(func: Any) -> Any:
    """--json / --markdown / --show-unmanaged, shared by plan and show."""
    func = click.option(
        "--show-unmanaged", is_flag=True, help="List objects in Ramp that rampctl does not manage."
    )(func)
    func = click.option(
        "--markdown",
        "as_markdown",
        is_flag=True,
        help="Print Markdown for a pull-request comment or $GITHUB_STEP_SUMMARY.",
    )(func)
    return click.option(
        "--json", "as_json", is_flag=True, help="Print the plan as versioned JSON (see the README)."
    )(func)


def plan_options(func: Any) -> Any:
    """The options that shape a plan, shared by plan and apply."""
    options = [
        click.option(
            "--target",
            multiple=True,
            metavar="PATTERN",
            shell_complete=state_addresses,
            help="Only plan these addresses or kinds (glob; repeatable), and show only their "
            "drift; with a saved plan, apply only its changes to them and what they depend on.",
        ),
        click.option(
            "--exclude",
            multiple=True,
            metavar="PATTERN",
            shell_complete=state_addresses,
            help="Leave out these addresses or kinds (glob; repeatable); refused when a kept "
            "change depends on one. A pattern that matches nothing is an error.",
        ),
        click.option(
            "--refresh",
            type=click.Choice(["normal", "deep"]),
            default="normal",
            show_default=True,
            help="deep: also read every managed vendor's contacts.",
        ),
        click.option(
            "--max-delete-fraction",
            type=click.FloatRange(0, 1),
            default=0.25,
            show_default=True,
            help="Deleting or deactivating more than this share of managed objects is unsafe.",
        ),
        click.option(
            "--min-managed",
            type=click.IntRange(0),
            default=10,
            show_default=True,
            help="The share rule applies from this many managed objects.",
        ),
        var_option,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def settings_from(options: PlanOptions) -> PlanSettings:
    """The engine's PlanSettings from the plan options."""
    from rampctl.engine.planner import PlanSettings
    from rampctl.engine.safety import SafetySettings

    return PlanSettings(
        safety=SafetySettings(
            max_removal_fraction=options.max_delete_fraction, min_managed=options.min_managed
        ),
        targets=options.targets,
        excludes=options.excludes,
        refresh_deep=options.refresh_deep,
    )


@click.command()
@plan_options
@output_options
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Save the plan to FILE for `rampctl apply FILE`.",
)
@click.option(
    "--detailed-exitcode", is_flag=True, help="Exit 2 when the plan has changes, 0 when none."
)
@plan_github_options
@parsed(PlanCommandOptions)
def plan(ctx: click.Context, options: PlanCommandOptions) -> int:
    """Show what differs between the manifests and Ramp, and what apply would do.

    Plan only reads: it never writes to Ramp or to the state file, and its token
    carries read scopes only.
    """
    publisher = _publisher(options.github)
    try:
        result = _make_plan(ctx, options)
    except RampctlError as exc:
        if publisher is not None:
            publisher.plan_failed(exc)
            publisher.close()
        raise
    print_plan(result, options.output)
    out = options.out
    if out is not None:
        from rampctl.cli.ui import err_console

        err_console().print(
            f"Saved the plan to {out}; apply it with: rampctl apply {out}", markup=False
        )
    if publisher is not None:
        publisher.plan_made(result)
        publisher.close()
    return ExitCode.CHANGES if options.detailed_exitcode and result.has_changes else ExitCode.OK


def _publisher(options: GitHubOptions) -> Publisher | None:
    """Where the plan goes on GitHub (`Publisher.for_options`); the GitHub client is loaded
    only when a --github-* flag asks for it (the workspace name is checked either way)."""
    from rampctl.github.context import check_workspace

    check_workspace(options.workspace)
    if not (options.comment or options.drift_issue):
        return None
    from rampctl.cli.github_cmd import Publisher

    return Publisher.for_options(options)


def _make_plan(ctx: click.Context, options: PlanCommandOptions) -> Plan:
    """Read the manifests, the state and Ramp; save the plan to `--out` when given.

    Ramp's snapshot starts reading (`reading_while_loading`) before the engine is imported,
    so its first request does not wait for what only loading and planning need.
    """
    from rampctl.cli.runtime import reading_while_loading

    opts = global_options(ctx)

    def load() -> tuple[DesiredGraph, tuple[State, list[Intent]]]:
        from rampctl.cli.runtime import load_graph, state_store
        from rampctl.engine.intents import journaled_intents
        from rampctl.manifest.loader import no_gc

        store = state_store(opts)
        # the vendor writes a killed run left unrecorded are its own, not drift (read only)
        graph = load_graph(opts, options.plan.variables)
        # the state too lives as long as the run: read without garbage collections (each
        # would walk all of it read so far: a second of CPU at 100,000 vendors), then frozen
        # out of later ones (as the manifests are: `no_gc`)
        with no_gc():
            return graph, (store.load(), journaled_intents(store.journal()))

    with reading_while_loading(opts, load) as (ramp, (graph, (state, intents))):
        result = _planned(ramp, graph, state, intents, settings_from(options.plan))
        # the business read and loaded is not freed object by object at the end (`quick_exit`)
        keep_until_exit(ramp, graph, state, intents)
    if options.out is not None:
        options.out.write_text(result.dumps(), encoding="utf-8")
    return result


def _planned(
    ramp: Prefetched,
    graph: DesiredGraph,
    state: State,
    intents: list[Intent],
    settings: PlanSettings,
) -> Plan:
    """The plan made from the snapshot being read, with its progress shown."""
    from rampctl.cli.progress import reading
    from rampctl.engine.planner import make_plan

    with reading("Reading Ramp"):
        return make_plan(
            ramp.reader,
            graph,
            state,
            environment=ramp.environment,
            settings=settings,
            snapshot=ramp.snapshot,
            intents=intents,
        )


@click.command()
@click.argument("plan_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@output_options
@parsed(ShowOptions)
def show(ctx: click.Context, options: ShowOptions) -> None:
    """Show a plan saved with `rampctl plan --out FILE`."""
    print_plan(read_plan_file(options.plan_file), options.output)


def read_plan_file(path: Path) -> Plan:
    """Read a saved plan, refusing one whose checksum or money does not match its requests."""
    from rampctl.engine.plan import Plan
    from rampctl.engine.plan_trust import check_consistent

    try:
        plan = Plan.loads(path.read_text(encoding="utf-8"))
        check_consistent(plan)
        return plan
    except PlanError as exc:
        raise PlanError(f"{path}: {exc}") from None


def print_plan(result: Plan, output: OutputOptions) -> None:
    """Render a plan as asked: JSON, Markdown or human text."""
    from rampctl.cli.ui import out_console
    from rampctl.render import human, markdown

    console = out_console()
    if output.as_json:
        console.out(json.dumps(result.to_json(), indent=2), highlight=False)
    elif output.as_markdown:
        console.out(markdown.render(result), highlight=False)
    else:
        console.print(human.render(result, show_unmanaged=output.show_unmanaged), end="")
