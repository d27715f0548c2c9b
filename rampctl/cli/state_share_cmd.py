"""`rampctl state lock | push | pull`: who holds a shared state's lock, and moving a state."""

from __future__ import annotations

import datetime as dt
import json

import click

from rampctl.cli.options import global_options
from rampctl.cli.runtime import state_store
from rampctl.cli.ui import out_console
from rampctl.state.backend import StateBackend, open_backend
from rampctl.state.fold import JournaledBackend
from rampctl.state.lease import expired
from rampctl.state.lock import LockHolder, duration, parse_time
from rampctl.state.transfer import copy_state
from rampctl.words import count

LOCK_TIMEOUT = click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0),
    default=0,
    show_default=True,
    metavar="SECONDS",
    help="Wait this long for another run to release the state lock.",
)
FORCE = click.option(
    "--force",
    is_flag=True,
    help="Replace a state of another lineage or a newer serial; copy despite an unresolved "
    "journal.",
)


def _store() -> StateBackend:
    return state_store(global_options(click.get_current_context()))


def _other(location: str) -> StateBackend:
    backend = JournaledBackend(open_backend(location))
    click.get_current_context().call_on_close(backend.close)
    return backend


@click.command("lock")
@click.option("--json", "as_json", is_flag=True, help="Print the holder as JSON.")
def lock_(as_json: bool) -> None:
    """Show who holds the state lock.

    Prints the holder's user, host, pid, command, age and (remote backends) when its lease
    runs out; exit 0 whether or not the state is locked.
    """
    store = _store()
    holder = store.holder()
    held = store.is_locked()
    if as_json:
        doc = {"locked": held, "holder": holder.model_dump() if holder else None}
        out_console().print(json.dumps(doc, indent=2), markup=False, highlight=False)
        return
    out_console().print(_lock_line(store, holder, held), markup=False, highlight=False)


def _lock_line(store: StateBackend, holder: LockHolder | None, held: bool) -> str:
    if holder is None:
        return f"the state at {store.location} is not locked"
    if not held:
        gone = "its lease has run out" if holder.expires else "that run has ended"
        return f"the state lock was left by {holder.describe()}; {gone}, the next run takes it over"
    line = f"the state at {store.location} is locked by {holder.describe()}"
    if holder.run_id:
        line += f"; run {holder.run_id}"
    ends = parse_time(holder.expires or "")
    if ends is not None and not expired(holder):
        left = (ends - dt.datetime.now(dt.UTC)).total_seconds()
        line += f"; lease runs out in {duration(left)} unless renewed"
    return line


@click.command()
@click.argument("source", metavar="SOURCE")
@FORCE
@LOCK_TIMEOUT
def push(source: str, force: bool, lock_timeout: float) -> None:
    """Copy the state at SOURCE (a path or URL) into --state.

    Serial and lineage are kept; for moving a team onto a remote backend, e.g.
    `rampctl --state s3://bucket/rampctl.state.json state push rampctl.state.json`.
    Refuses to replace a state of another lineage or a newer serial without --force.
    """
    _copy(_other(source), _store(), force=force, command="state push", timeout=lock_timeout)


@click.command()
@click.argument("target", metavar="TARGET")
@FORCE
@LOCK_TIMEOUT
def pull(target: str, force: bool, lock_timeout: float) -> None:
    """Copy the state at --state into TARGET (a path or URL).

    Serial and lineage are kept.
    Refuses to replace a state of another lineage or a newer serial without --force.
    """
    _copy(_store(), _other(target), force=force, command="state pull", timeout=lock_timeout)


def _copy(
    source: StateBackend, target: StateBackend, *, force: bool, command: str, timeout: float
) -> None:
    copied = copy_state(source, target, force=force, command=command, timeout=timeout)
    out_console().print(
        f"copied the state from {source.location} to {target.location}: serial "
        f"{copied.serial}, lineage {copied.lineage}, {count(len(copied.resources), 'object')}",
        markup=False,
        highlight=False,
    )
