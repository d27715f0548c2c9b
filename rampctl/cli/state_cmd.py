"""`rampctl state`: inspect and edit the state file, rebuild it from Ramp, break a stale lock."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from rampctl.cli.completion import state_addresses
from rampctl.cli.options import global_options
from rampctl.cli.runtime import load_graph, ramp_session, state_store
from rampctl.cli.state_share_cmd import LOCK_TIMEOUT, lock_, pull, push
from rampctl.cli.ui import err_console, out_console
from rampctl.cli.variables import var_option
from rampctl.engine.identity import KEY_MODE, capability_record, describe, find_support
from rampctl.engine.rebuild import Rebuilt, read_rebuild_bills, rebuild_state
from rampctl.engine.snapshot import read_snapshot
from rampctl.errors import ConfigError, StateError
from rampctl.ramp.scopes import READ_SCOPES
from rampctl.state import ResourceState, State
from rampctl.state.backend import StateBackend
from rampctl.state.model import is_address
from rampctl.words import count


def _store() -> StateBackend:
    return state_store(global_options(click.get_current_context()))


def _say(text: str) -> None:
    out_console().print(text, markup=False, highlight=False)


def _note(text: str) -> None:
    err_console().print(text, markup=False, highlight=False)


@click.group()
def state() -> None:
    """Inspect and edit the state file (what rampctl manages in Ramp).

    Editing only changes what rampctl remembers; nothing is sent to Ramp.
    """


@state.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
def list_(as_json: bool) -> None:
    """List managed objects: address, kind and Ramp id."""
    store = _store()
    current = store.load()
    rows = sorted(current.resources.items())
    if as_json:
        data = [{"address": a, "kind": r.kind, "ramp_id": r.ramp_id} for a, r in rows]
        _say(json.dumps(data, indent=2))
        return
    if not rows:
        where = "" if store.exists() else f" (no state file at {store.location})"
        _note(f"the state manages nothing{where}")
        return
    table = [("ADDRESS", "KIND", "RAMP ID"), *((a, r.kind, r.ramp_id) for a, r in rows)]
    _say("\n".join(_columns(table)))


def _columns(rows: list[tuple[str, str, str]]) -> list[str]:
    """Rows as left-aligned columns two spaces apart, without trailing spaces."""
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    return [f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c}" for a, b, c in rows]


@state.command()
@click.argument("address", shell_complete=state_addresses)
@click.option("--json", "as_json", is_flag=True, help="Print the entry as JSON.")
def show(address: str, as_json: bool) -> None:
    """Show everything the state records about ADDRESS."""
    current = _store().load()
    resource = _get(current, address)
    if as_json:
        _say(json.dumps({"address": address, **resource.model_dump(mode="json")}, indent=2))
        return
    _say("\n".join(_readable(address, resource)))


def _readable(address: str, resource: ResourceState) -> list[str]:
    lines = [
        address,
        f"  kind         {resource.kind}",
        f"  ramp id      {resource.ramp_id}",
        f"  key          {resource.key or '-'}",
        f"  fingerprint  {resource.fingerprint}",
        f"  protect      {'yes' if resource.protect else 'no'}",
        f"  depends on   {', '.join(resource.depends_on) or '-'}",
    ]
    if not resource.attributes:
        return [*lines, "  attributes   -"]
    lines.append("  attributes")
    lines += [f"    {name}: {_value(value)}" for name, value in sorted(resource.attributes.items())]
    return lines


def _value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _get(current: State, address: str) -> ResourceState:
    resource = current.resources.get(address)
    if resource is None:
        raise StateError(f"no resource {address!r} in the state; see `rampctl state list`")
    return resource


@state.command()
@click.argument(
    "addresses", nargs=-1, required=True, metavar="ADDRESS...", shell_complete=state_addresses
)
@LOCK_TIMEOUT
def rm(addresses: tuple[str, ...], lock_timeout: float) -> None:
    """Forget ADDRESS: rampctl stops managing it. The object stays in Ramp, untouched."""
    store = _store()
    with store.lock(command=f"state rm {' '.join(addresses)}", timeout=lock_timeout):
        current = store.load()
        for address in addresses:
            _get(current, address)
        for address in addresses:
            current = current.without_resource(address)
        written = store.write(current)
    for address in addresses:
        _say(f"removed {address} from the state (it is still in Ramp, now unmanaged)")
        left = written.dependents(address)
        if left:
            _note(f"warning: {', '.join(left)} still depend on {address}")
    _written(store, written.serial)


@state.command()
@click.argument("old", shell_complete=state_addresses)
@click.argument("new")
@LOCK_TIMEOUT
def mv(old: str, new: str, lock_timeout: float) -> None:
    """Rename OLD to NEW in the state (after renaming it in the manifests); Ramp is untouched."""
    store = _store()
    with store.lock(command=f"state mv {old} {new}", timeout=lock_timeout):
        written = store.write(moved(store.load(), old, new))
    _say(f"moved {old} to {new}")
    _written(store, written.serial)


def _written(store: StateBackend, serial: int) -> None:
    backup = store.backup_location
    _note(f"state serial {serial}" + (f"; previous version in {backup}" if backup else ""))


def moved(current: State, old: str, new: str) -> State:
    """A copy of `current` with `old` renamed to `new`, dependencies pointing at it included."""
    _get(current, old)
    if not is_address(new):
        raise StateError(f"{new!r} is not an address of the form kind/name")
    if new in current.resources:
        raise StateError(f"{new!r} is already in the state; remove it first (`rampctl state rm`)")
    if new.partition("/")[0] != old.partition("/")[0]:
        raise StateError(f"cannot move {old!r} to another kind ({new!r})")
    resources: dict[str, ResourceState] = {}
    for address, entry in current.resources.items():
        deps = [new if d == old else d for d in entry.depends_on]
        resources[new if address == old else address] = entry.model_copy(
            update={"depends_on": deps}
        )
    return current.model_copy(update={"resources": resources})


@state.command()
@click.option("--force", is_flag=True, help="Do not ask for confirmation.")
def unlock(force: bool) -> None:
    """Remove the state lock left by a run that is gone or hung (on every backend).

    Only do this when no other rampctl run is using the state: two runs writing at once
    can lose changes. A remote lock of a killed run also ends by itself when its lease runs
    out (`RAMPCTL_LOCK_LEASE`, 120 s by default).
    """
    store = _store()
    holder = store.holder()
    held = store.is_locked()
    if not held and holder is None:
        _say("the state is not locked")
        return
    who = holder.describe() if holder else "an unknown run (no holder note)"
    _note(f"the state lock is {'held' if held else 'left'} by {who}")
    if held and holder is not None and holder.is_alive_here():
        _note(f"warning: process {holder.pid} is still running on this host")
    if not force:
        _confirm()
    store.force_unlock()
    _say("state lock removed")


def _confirm() -> None:
    if not _interactive():
        raise ConfigError("not on a terminal: pass --force to remove the lock without a prompt")
    answer = err_console().input("Remove the lock? [y/N] ")
    if answer.strip().lower() not in {"y", "yes"}:
        _note("the lock was left in place")
        raise click.exceptions.Exit(1)


def _interactive() -> bool:
    return sys.stdin.isatty()


@state.command()
@var_option
@LOCK_TIMEOUT
def rebuild(var: dict[str, str], lock_timeout: float) -> None:
    """Rebuild the state from Ramp: find each manifest's object by its adoption key.

    For a lost or deleted state file. Reads Ramp only; the next plan adopts
    nothing twice and creates nothing that exists.
    """
    opts = global_options(click.get_current_context())
    store = _store()
    with store.lock(command="state rebuild", timeout=lock_timeout):
        graph = load_graph(opts, var)
        with ramp_session(opts, scopes=READ_SCOPES) as session:
            snapshot = read_snapshot(session.client)
            snapshot.external_ids = find_support(session.client, store.load())
            read_rebuild_bills(session.client, graph, snapshot)
        result = rebuild_state(store.load(), graph, snapshot, environment=session.environment)
        kept = {**result.state.capabilities, **capability_record(snapshot.external_ids)}
        written = store.write(result.state.model_copy(update={"capabilities": kept}))
    _rebuilt(result, written)


def _rebuilt(result: Rebuilt, written: State) -> None:
    """Say how objects were found, and each one that was not rebuilt and why."""
    if result.mode != KEY_MODE:
        _note(f"note: {describe(result.mode)}")
    for address in result.ambiguous:
        why = result.why.get(address, "several objects in Ramp carry its key")
        _note(f"warning: {address} not rebuilt: {why}; not recorded")
    for address in result.missing:
        why = result.why.get(address, "not found in Ramp")
        _note(f"{address} not rebuilt: {why} (the next plan creates it)")
    how = "by key" if result.mode == KEY_MODE else "by verified match"
    _say(
        f"rebuilt the state: {count(len(written.resources), 'object')} found {how}, "
        f"{len(result.missing)} not in Ramp (the next plan creates them); serial {written.serial}"
    )


state.add_command(lock_)
state.add_command(push)
state.add_command(pull)
