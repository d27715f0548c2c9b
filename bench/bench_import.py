"""Benchmark: `rampctl import` of a generated business of N vendors from the sandbox.

Reports the wall time of the whole command and of its phases: reading the business,
reading each imported vendor's contacts (one request per vendor: Ramp has no bulk
contacts endpoint), drafting, writing the canonical manifest text, the offline
first-plan check, and the state write; the size of each written file (large imports are
split so every file loads). Then checks that `validate` and `plan` accept the files, and
that the plan after the adoption apply is empty.

By default the sandbox and client run without a rate limit (the CPU and HTTP cost);
with `--ramp-limit` both use Ramp's documented 200 requests per 10 s, where the contact
reads dominate (about N / 20 seconds).
Run: `.venv/bin/python bench/bench_import.py [N] [--ramp-limit] [--no-profile]` (default N
2000; `--no-profile` skips the second, profiled import, which is slow for large N).
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

from rampctl.cli.main import run
from rampctl.ramp.config import RATE_LIMIT_VAR
from rampctl.sandbox.embedded import running_sandbox
from rampctl.sandbox.settings import SandboxSettings

PHASES = {
    "read business": "read_snapshot",
    "read contacts": "read_contacts",
    "draft": "build_draft",
    "manifest text": "render",
    "first-plan check": "_check",
    "state write": "_record",
}


def _phase_times(stats: pstats.Stats) -> dict[str, float]:
    found: dict[str, float] = {}
    table = stats.stats  # type: ignore[attr-defined]
    for label, function in PHASES.items():
        found[label] = sum(
            row[3]
            for (path, _, name), row in table.items()
            if name == function and "rampctl" in path
        )
    return found


def main() -> None:
    """Run the benchmark and print its figures."""
    count = int(next((a for a in sys.argv[1:] if a.isdigit()), "2000"))
    limit = 200 if "--ramp-limit" in sys.argv else 1_000_000
    settings = SandboxSettings(rate_limit=limit)
    with (
        tempfile.TemporaryDirectory() as folder,
        running_sandbox(seed=str(count), settings=settings) as sandbox,
    ):
        os.environ.update(
            RAMP_BASE_URL=sandbox.base_url,
            RAMP_CLIENT_ID=sandbox.client_id,
            RAMP_CLIENT_SECRET=sandbox.client_secret,
        )
        os.environ[RATE_LIMIT_VAR] = str(limit)
        plain, profiled = Path(folder) / "plain", Path(folder) / "profiled"
        for root in (plain, profiled):
            (root / "manifests").mkdir(parents=True)
        started = time.perf_counter()
        code = run(["-C", str(plain), "--no-color", "import"])
        wall = time.perf_counter() - started
        requests = len(sandbox.request_log())
        phases: dict[str, float] = {}
        if "--no-profile" not in sys.argv:
            profile = cProfile.Profile()
            profile.runcall(run, ["-C", str(profiled), "--no-color", "import"])
            phases = _phase_times(pstats.Stats(profile))
        files = {p.name: p.stat().st_size for p in sorted((plain / "manifests").glob("*.yaml"))}
        validate_code = run(["-C", str(plain), "--no-color", "validate"])
        plan_started = time.perf_counter()
        plan_code = run(["-C", str(plain), "--no-color", "plan", "--detailed-exitcode"])
        plan_wall = time.perf_counter() - plan_started
        apply_code = run(["-C", str(plain), "--no-color", "apply", "--auto-approve"])
        after = run(["-C", str(plain), "--no-color", "plan", "--detailed-exitcode"])
        size = sum(files.values())
    print(f"vendors: {count}; rate limit: {limit} requests per 10 s")
    print(f"import: exit {code}, wall {wall:.2f} s, {requests} requests (token included)")
    print("phases (a second, profiled run):" if phases else "phases: not profiled")
    for label, seconds in phases.items():
        print(f"  {label:<17} {seconds:7.2f} s")
    print(f"manifests written: {size / 1024:.0f} KiB in {len(files)} files")
    for name, bytes_ in files.items():
        print(f"  {name:<28} {bytes_ / 1024:7.0f} KiB")
    print(f"validate: exit {validate_code}")
    print(f"plan after import: exit {plan_code} (0 = no changes), wall {plan_wall:.2f} s")
    print(f"adoption apply: exit {apply_code}; plan after it: exit {after} (0 = no changes)")


if __name__ == "__main__":
    main()
