"""Benchmark: the state at 10,000 and 100,000 managed objects: size, load, journal, fold.

For each size: the state file's size; loading it (parse and build, in a fresh process: its
CPU and wall time, the memory the loaded state holds (tracemalloc) and the process's peak
RSS above what its imports take); one journal record (what each write of an apply now
costs, fsync'd); folding a journal of 1,000 writes into the state (one whole-state write).
Beside the fold, its bound: writing the same bytes with one fsync'd write and rename, with
no validation or serialisation.
Run: `.venv/bin/python bench/bench_state.py [N ...]` (default 10000 100000).
"""

from __future__ import annotations

import gc
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from _measure import load_average

from rampctl.state import ResourceState, State, StateStore
from rampctl.state.files import atomic_write
from rampctl.state.fold import FoldPolicy, JournaledBackend
from rampctl.state.store import parse_document

BINDING = ("https://api.ramp.com", "business-1")


def entry(i: int) -> ResourceState:
    """A vendor entry of the size an apply records."""
    return ResourceState(
        kind="vendor",
        ramp_id=f"8f1c6d2e-0000-4000-8000-{i:012d}",
        fingerprint="sha256:" + f"{i:064x}",
        attributes={
            "name": f"Vendor {i:06d} Inc.",
            "country": "US",
            "state": "CA",
            "description": f"Generated vendor {i}",
            "owner": "bob.martin@northwind.example",
            "accounting_vendor": {"remote_id": f"GEN-{i:06d}"},
            "contact": {"email": f"ap{i}@vendor{i}.example", "first_name": "Ada"},
        },
        key=f"vendor-{i:06d}",
    )


def timed(call: object) -> tuple[float, float, object]:
    """Wall and CPU seconds of `call()`, and its result."""
    assert callable(call)
    wall0, cpu0 = time.monotonic(), time.process_time()
    result = call()
    return time.monotonic() - wall0, time.process_time() - cpu0, result


def load_figures(path: Path) -> dict[str, float]:
    """Load the state at `path` (parse and build); CPU, wall, heap held and peak RSS added.

    Meant to run in a fresh process (`--load PATH`), so the peak RSS is this load's alone.
    """
    data = path.read_bytes()
    parse_document(
        b'{"format_version": 1, "serial": 0, "lineage": "x", '
        b'"environment": null, "business_id": null, "resources": {}}'
    )
    before = peak_rss()
    wall, cpu, state = timed(lambda: parse_document(data))
    peak = peak_rss()
    del state
    gc.collect()
    tracemalloc.start()
    state = parse_document(data)
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del state
    return {"wall": wall, "cpu": cpu, "held": held, "rss": peak - before}


def peak_rss() -> int:
    """This process's peak RSS in bytes (Linux's VmHWM: unlike `ru_maxrss`, it does not
    start from the peak of the process that spawned this one)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:  # not Linux
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    line = next(x for x in status.splitlines() if x.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024


def load_in_process(path: Path) -> dict[str, float]:
    """`load_figures` of `path`, measured in a new Python process."""
    out = subprocess.run(
        [sys.executable, __file__, "--load", str(path)], check=True, capture_output=True
    ).stdout
    figures: dict[str, float] = json.loads(out)
    return figures


def one(n: int) -> None:
    """Print the figures for a state of `n` objects."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rampctl.state.json"
        resources = {f"vendor/v{i:06d}": entry(i) for i in range(n)}
        base = State.new().model_copy(update={"resources": resources})
        base = base.bind(*BINDING)
        StateStore(path).write(base)
        size = path.stat().st_size
        load = load_in_process(path)
        store = JournaledBackend(StateStore(path), FoldPolicy(writes=10**9, seconds=1e9))
        store.load()
        records = 1000  # the default fold interval at these sizes is max(1000, N/10)
        fresh = entry(n + 1)
        rec_wall, rec_cpu, _ = timed(
            lambda: [store.record(f"vendor/n{i}", fresh, binding=BINDING) for i in range(records)]
        )
        fold_wall, fold_cpu, _ = timed(store.fold)
        data = path.read_bytes()
        raw_wall, raw_cpu, _ = timed(lambda: atomic_write(Path(tmp) / "raw.json", data))
        replay_wall, replay_cpu, _ = timed(JournaledBackend(StateStore(path), FoldPolicy()).load)
    print(
        f"state of {n} objects: {size / 1e6:.1f} MB; "
        f"load {load['wall']:.2f} s wall, {load['cpu']:.2f} s CPU; "
        f"held in memory {load['held'] / 1e6:.0f} MB ({load['held'] / n:.0f} B per object); "
        f"peak RSS of the load {load['rss'] / 1e6:.0f} MB"
    )
    print(
        f"  journal record (one write's outcome, fsync'd): "
        f"{rec_wall / records * 1000:.2f} ms wall, "
        f"{rec_cpu / records * 1000:.2f} ms CPU (x{records})"
    )
    print(
        f"  fold of {records} records into {n}: {fold_wall:.2f} s wall, {fold_cpu:.2f} s CPU; "
        f"bound (same bytes, one fsync'd write+rename) {raw_wall:.3f} s wall, {raw_cpu:.3f} s CPU"
    )
    print(
        f"  load with the journal (already folded): "
        f"{replay_wall:.2f} s wall, {replay_cpu:.2f} s CPU"
    )
    amortised = fold_cpu / max(n // 10, 1000) * 1000
    print(f"  fold CPU per write at the default policy (every max(1000, N/10)): {amortised:.2f} ms")


def main() -> None:
    if sys.argv[1:2] == ["--load"]:
        print(json.dumps(load_figures(Path(sys.argv[2]))))
        return
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 100_000]
    print(load_average())
    for n in sizes:
        one(n)
    print(load_average())


if __name__ == "__main__":
    main()
