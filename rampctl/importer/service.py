"""The import run: read Ramp, draft, write the manifests, check them, then record the state.

Import only reads Ramp. Bills are read after the vendors are drafted, since a bill's vendor
reference is the name of the Vendor manifest, imported or already there. Writes happen in
this order, under the state lock: manifest files (atomically), then a load of the manifest
tree (invalid output is undone), then the state. If the state cannot be written, the
manifest files are put back as they were.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rampctl.engine.changes import Change
from rampctl.engine.snapshot import Snapshot, read_contacts, read_snapshot
from rampctl.errors import ConfigError, ManifestError
from rampctl.importer.bill_reads import read_managed_bills, read_open_bills
from rampctl.importer.bills import draft_bills, managed_bills
from rampctl.importer.draft import (
    BILL_KIND,
    Draft,
    ImportOptions,
    Skipped,
    build_draft,
    vendor_candidates,
)
from rampctl.importer.existing import Existing
from rampctl.importer.files import (
    SCHEMA_FILE,
    Written,
    layout,
    render,
    schema_text,
    undo,
    write_files,
)
from rampctl.importer.record import check_round_trip, merge_state
from rampctl.manifest import ManifestSet, load_manifests
from rampctl.model import address as addr
from rampctl.model.desired import build_graph
from rampctl.ramp.client import RampClient
from rampctl.state.backend import StateBackend
from rampctl.state.model import State


@dataclass(frozen=True, kw_only=True)
class Target:
    """Where an import reads existing manifests from and writes new ones to."""

    manifests: Path
    out: Path
    split: bool = False
    force: bool = False
    variables: dict[str, str] = field(default_factory=dict)

    def out_is_read_by_plan(self) -> bool:
        """Whether `out` lies in the manifests tree plan reads (then import can check it)."""
        if not self.manifests.is_dir():
            return False
        return self.out.resolve().is_relative_to(self.manifests.resolve())


@dataclass(kw_only=True)
class Outcome:
    """What an import drafted, wrote (or would write) and found."""

    draft: Draft
    texts: dict[Path, str]
    existing_files: list[Path]
    written: list[Written] = field(default_factory=list)
    recorded: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    unexpected: list[Change] = field(default_factory=list)
    serial: int | None = None


def existing_manifests(target: Target) -> list[ManifestSet]:
    """The manifest trees already there: the one plan reads and, if elsewhere, `out`."""
    roots = [target.manifests]
    if not target.out_is_read_by_plan():
        roots.append(target.out)
    return [load_manifests(r, variables=target.variables) for r in roots if r.exists()]


def read_business(
    client: RampClient, existing: Existing, options: ImportOptions, state: State, environment: str
) -> Snapshot:
    """The live business, with the contacts of the vendors that may be imported."""
    snapshot = read_snapshot(client)
    state.check_binding(environment, snapshot.business.id)
    candidates = vendor_candidates(snapshot, existing, options, Draft())
    read_contacts(client, snapshot, [v.id for v in candidates])
    return snapshot


def draft_import(
    client: RampClient,
    snapshot: Snapshot,
    existing: Existing,
    options: ImportOptions,
    *,
    manifests: list[ManifestSet],
    state: State,
) -> Draft:
    """Draft the import of a business read by `read_business`, reading bills as needed.

    Also reads what plan needs for the bills the manifests and state already manage, so the
    offline check after writing sees them as plan will.
    """
    graphs = [build_graph(m) for m in manifests]
    read_managed_bills(client, graphs, state, snapshot)
    draft = build_draft(snapshot, existing, options)
    if BILL_KIND in options.kinds and options.since is not None:
        managed = managed_bills(graphs, state, snapshot)
        names = {**managed.vendor_names, **{d.entry.ramp_id: d.name for d in draft.vendors}}
        source = read_open_bills(client, snapshot, since=options.since, vendor_names=names)
        draft_bills(source, managed, names, snapshot, draft)
    return draft


def prepare(draft: Draft, target: Target) -> Outcome:
    """Render the draft's files; ConfigError when a file exists without force."""
    files = layout(draft, target.out, split=target.split)
    clashes = [f.path for f in files if f.exists()]
    if clashes and not target.force:
        names = ", ".join(p.as_posix() for p in clashes[:5])
        more = f" and {len(clashes) - 5} more" if len(clashes) > 5 else ""
        raise ConfigError(
            f"refusing to write into existing manifest files: {names}{more}; "
            "pass --force to add the imported documents to them (their documents are kept)"
        )
    texts = {f.path: render(f, target.out) for f in files}
    return Outcome(draft=draft, texts=texts, existing_files=clashes)


def commit(
    outcome: Outcome, snapshot: Snapshot, store: StateBackend, target: Target, environment: str
) -> None:
    """Write the files, check the tree, then record the state (undoing the files on failure).

    Bills that plan would refuse (say, a vendor bank account of another payment method) are
    left out and reported, and the rest is written again; any other problem stops the import.
    """
    try:
        _write_and_record(outcome, snapshot, store, target, environment)
    except ManifestError as exc:
        if not _leave_out_bills(outcome.draft, exc):
            raise
        outcome.texts = prepare(outcome.draft, target).texts
        _write_and_record(outcome, snapshot, store, target, environment)


def _leave_out_bills(draft: Draft, exc: ManifestError) -> bool:
    """Drop the drafted bills the problems are about; False if any problem is about another."""
    drafted = {addr.make(addr.BILL, doc.name): doc for doc in draft.bills}
    failing = {p.address for p in exc.problems}
    if not failing or not failing <= set(drafted):
        return False
    for address in sorted(failing):
        doc = drafted[address]
        draft.bills.remove(doc)
        why = "; ".join(f"{p.field}: {p.message}" for p in exc.problems if p.address == address)
        draft.skipped.append(
            Skipped(kind=BILL_KIND, label=doc.label, reason=f"plan would refuse it ({why})")
        )
    return True


def _write_and_record(
    outcome: Outcome, snapshot: Snapshot, store: StateBackend, target: Target, environment: str
) -> None:
    texts = dict(outcome.texts)
    schema = target.out / SCHEMA_FILE
    if texts and not schema.exists():
        texts[schema] = schema_text()
    outcome.written = write_files(texts)
    try:
        _check(outcome, snapshot, store.load(), target, environment)
        _record(outcome, snapshot, store, environment)
    except BaseException:
        undo(outcome.written)
        outcome.written = []
        raise


def _merge(outcome: Outcome, snapshot: Snapshot, state: State, environment: str) -> State:
    merged = merge_state(
        state, outcome.draft, environment=environment, business_id=snapshot.business.id
    )
    outcome.recorded, outcome.present = merged.added, merged.present
    return merged.state


def _check(
    outcome: Outcome, snapshot: Snapshot, state: State, target: Target, environment: str
) -> None:
    if not target.out_is_read_by_plan():
        return
    graph = build_graph(load_manifests(target.manifests, variables=target.variables))
    merged = _merge(outcome, snapshot, state, environment)
    outcome.unexpected = check_round_trip(
        graph, merged, snapshot, outcome.draft, environment=environment
    )


def _record(outcome: Outcome, snapshot: Snapshot, store: StateBackend, environment: str) -> None:
    if not outcome.draft.documents:
        return
    written = store.update(lambda state: _merge(outcome, snapshot, state, environment))
    outcome.serial = written.serial
