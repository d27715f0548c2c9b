"""`rampctl import`: write manifests and state for the vendors and open bills of a business."""

from __future__ import annotations

import time
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from rampctl.cli.options import ImportCommandOptions, global_options, parsed
from rampctl.cli.progress import reading
from rampctl.cli.runtime import ramp_session, state_store
from rampctl.cli.ui import err_console, out_console
from rampctl.cli.variables import var_option
from rampctl.errors import ConfigError
from rampctl.importer import KINDS, ImportOptions, Outcome, Target, service
from rampctl.importer.draft import BILL_KIND, DEFAULT_KINDS
from rampctl.importer.existing import existing_from
from rampctl.ramp.scopes import READ_SCOPES
from rampctl.words import count


def _kinds(ctx: click.Context, param: click.Parameter, value: str) -> frozenset[str]:
    kinds = frozenset(k.strip() for k in value.split(",") if k.strip())
    unknown = sorted(kinds - set(KINDS))
    if unknown or not kinds:
        raise click.BadParameter(f"use a comma-separated list of {', '.join(KINDS)}")
    return kinds


@click.command("import")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write manifests into (default: the --manifests folder).",
)
@click.option(
    "--kind",
    "kinds",
    default=",".join(DEFAULT_KINDS),
    show_default=True,
    callback=_kinds,
    help="Kinds to import, comma-separated: Vendor, AccountingVendor, Bill, User. "
    "AccountingVendor alone imports all of them; with Vendor, those the imported vendors "
    "link to. Bill imports open bills of managed vendors and needs --since. User imports "
    "the business's users (not its owner; deactivated ones with --include-inactive).",
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="DATE",
    help="With --kind Bill: import open bills issued on or after DATE (YYYY-MM-DD).",
)
@click.option(
    "--filter",
    "which",
    type=click.Choice(["active", "all"]),
    default="active",
    show_default=True,
    help="all: inactive vendors too (written with `active: false`).",
)
@click.option(
    "--name-from",
    type=click.Choice(["name", "external_id"]),
    default="name",
    show_default=True,
    help="Derive metadata names from the vendor name or its external_vendor_id.",
)
@click.option("--split", is_flag=True, help="One file per object instead of one per kind.")
@click.option("--force", is_flag=True, help="Add documents to manifest files that exist.")
@click.option("--dry-run", is_flag=True, help="Print what would be written; write nothing.")
@click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0),
    default=0,
    show_default=True,
    metavar="SECONDS",
    help="Seconds to wait for another run's state lock.",
)
@var_option
@parsed(ImportCommandOptions)
def import_(ctx: click.Context, flags: ImportCommandOptions) -> None:
    """Write manifests and state for the objects already in the Ramp business.

    Reads Ramp only. Objects already managed (in the state or a manifest) are skipped.
    With `--kind ...,Bill --since DATE`, also the open bills issued since DATE of the
    vendors managed after the import (bills of other vendors are skipped). Vendors
    without an external_vendor_id get one, their metadata name, at the next apply;
    otherwise the first plan shows no changes. Review the files, then run
    `rampctl plan`.
    """
    opts = global_options(ctx)
    since = _since(flags.kinds, flags.since)
    out = flags.out or opts.manifests
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out must be a folder: {out} is a file (pass --out DIR)")
    target = Target(
        manifests=opts.manifests,
        out=out,
        split=flags.split,
        force=flags.force,
        variables=flags.variables,
    )
    options = ImportOptions(
        kinds=flags.kinds,
        include_inactive=flags.include_inactive,
        name_from=flags.name_from,
        since=since,
    )
    store = state_store(opts)
    locked: AbstractContextManager[Any] = (
        nullcontext() if flags.dry_run else store.lock(command="import", timeout=flags.lock_timeout)
    )
    with locked:
        state = store.load()
        manifests = service.existing_manifests(target)
        existing = existing_from(manifests, state)
        with ramp_session(opts, scopes=READ_SCOPES) as session, reading("Reading Ramp"):
            client = session.client
            started = time.monotonic()
            snapshot = service.read_business(client, existing, options, state, session.environment)
            draft = service.draft_import(
                client, snapshot, existing, options, manifests=manifests, state=state
            )
        err_console().print(
            f"Read {len(snapshot.vendors)} vendors and {len(snapshot.accounting_vendors)} "
            f"accounting vendors from Ramp in {time.monotonic() - started:.1f} s",
            markup=False,
            highlight=False,
        )
        outcome = service.prepare(draft, target)
        if flags.dry_run:
            _print_files(outcome)
        else:
            service.commit(outcome, snapshot, store, target, session.environment)
    _report(outcome, store.location, dry_run=flags.dry_run, bills=since is not None)
    if outcome.draft.documents and not target.out_is_read_by_plan():
        err_console().print(
            f"note: plan reads {opts.manifests}, not {out}: move the files there before "
            "planning (until then plan would remove the imported objects it finds in the state)",
            markup=False,
        )


def _since(kinds: frozenset[str], since: datetime | None) -> str | None:
    """The --since date as YYYY-MM-DD; a usage error unless given exactly when Bill is."""
    if BILL_KIND in kinds and since is None:
        raise click.UsageError(
            "--kind Bill needs --since DATE: open bills issued on or after DATE are imported"
        )
    if since is not None and BILL_KIND not in kinds:
        raise click.UsageError("--since applies to bills only: add Bill to --kind")
    return since.date().isoformat() if since is not None else None


def _print_files(outcome: Outcome) -> None:
    console = out_console()
    for path, text in outcome.texts.items():
        into = " (adding to the existing file)" if path in outcome.existing_files else ""
        console.out(f"# --- {path.as_posix()}{into}", highlight=False)
        console.out(text, highlight=False, end="")


def _report(outcome: Outcome, state_path: str, *, dry_run: bool, bills: bool) -> None:
    err = err_console()
    for line in _notes(outcome):
        err.print(line, markup=False, highlight=False)
    draft = outcome.draft
    verb = "would import" if dry_run else "imported"
    counts = (
        f"{count(len(draft.vendors), 'vendor')} and "
        f"{count(len(draft.accounting_vendors), 'accounting vendor')}"
    )
    if bills:
        counts = (
            f"{count(len(draft.vendors), 'vendor')}, "
            f"{count(len(draft.accounting_vendors), 'accounting vendor')} "
            f"and {count(len(draft.bills), 'bill')}"
        )
    if draft.users:
        counts += f" and {count(len(draft.users), 'user')}"
    summary = f"{verb} {counts} in {count(len(outcome.texts), 'file')}"
    if not dry_run and outcome.serial is not None:
        summary += f"; recorded {count(len(outcome.recorded), 'object')} in {state_path} "
        summary += f"(serial {outcome.serial})"
    out_console().print(summary, markup=False, highlight=False)
    if not dry_run and draft.documents:
        err.print("next: review the files, then run `rampctl plan`", markup=False)


def _notes(outcome: Outcome) -> list[str]:
    draft = outcome.draft
    lines = [f"skipped {s.kind} {s.label!r}: {s.reason}" for s in draft.skipped]
    if draft.inactive_left_out:
        lines.append(
            f"left out {count(draft.inactive_left_out, 'inactive object')} "
            "(--filter all imports them)"
        )
    lines += [f"{a}: left {o.field} out of the manifest: {o.reason}" for a, o in draft.omitted]
    lines += [f"{a}: already in the state, not recorded again" for a in outcome.present]
    if draft.adoptions:
        lines.append(
            f"the next apply sets the adoption key (external_vendor_id) on "
            f"{count(len(draft.adoptions), 'vendor')} that "
            f"{'has' if len(draft.adoptions) == 1 else 'have'} none:"
        )
        lines += [f"  {address}: {key}" for address, key in draft.adoptions]
    for change in outcome.unexpected:
        paths = ", ".join(f.path for f in change.fields) or change.reason
        lines.append(
            f"warning: the next plan would also {change.action.value} {change.address} ({paths})"
        )
    return lines
