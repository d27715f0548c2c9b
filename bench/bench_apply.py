"""Benchmark: apply N vendor creates against the sandbox (in its own process).

Default mode (`lifted`): the sandbox's rate limit lifted, N = 1,000 and 10,000. For each N,
`rampctl plan` and `rampctl apply` run end to end as processes on the same manifests; the
apply's CPU minus the plan's is the CPU of the writes, divided by N: CPU per write. Linear
cost means the 10,000 figure is about the 1,000 one (target: within 1.5x). The bound printed
beside it is the CPU one raw httpx request costs this machine (measured in the same run).

`real` mode: Ramp's real limit (200 per 10 s): wall vs N / 20 s and the count of 429s.

`updates` mode: N managed vendors (default 11,000; one file each, the state an apply left), a
tenth of them with a changed description; `rampctl apply` end to end at Ramp's real limit.
The bound is every request the apply sent (its reads and its updates) at 20 per second.
Run: `.venv/bin/python bench/bench_apply.py [lifted|real|updates] [N ...]`.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from _measure import load_average, run_process
from _sandbox_process import SandboxProcess, sandbox_process
from bench_plan import write_manifests, write_state

DOC = """---
apiVersion: rampctl/v1
kind: Vendor
metadata: {{name: bench-{i:05d}}}
spec:
  name: Bench Vendor {i:05d}
  country: US
  owner: bob.martin@northwind.example
  contact: {{email: ap{i:05d}@bench.example, first_name: Ada}}
"""


def _project(root: Path, n: int) -> None:
    """Manifests for `n` new vendors, 1,000 to a file (under the manifest size limit)."""
    (root / "manifests").mkdir()
    for start in range(0, n, 1000):
        docs = "".join(DOC.format(i=i) for i in range(start, min(n, start + 1000)))
        (root / "manifests" / f"vendors-{start:05d}.yaml").write_text(docs)


def _rampctl(tmp: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "rampctl", "-C", tmp, *args]


def raw_request_cpu(sb: SandboxProcess, count: int = 300) -> float:
    """CPU seconds per raw httpx GET (token, then `count` small vendor pages)."""
    token = httpx.post(
        f"{sb.base_url}/developer/v1/token",
        auth=(sb.env["RAMP_CLIENT_ID"], sb.env["RAMP_CLIENT_SECRET"]),
        data={"grant_type": "client_credentials", "scope": "vendors:read"},
    ).json()["access_token"]
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as http:
        started = time.process_time()
        for _ in range(count):
            http.get(f"{sb.base_url}/developer/v1/vendors", params={"page_size": 1})
        return (time.process_time() - started) / count


def lifted(n: int) -> float:
    """CPU per write of an apply of `n` creates, rate limit lifted; prints the figures."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        sandbox_process("--seed", "demo", "--rate-limit", "100000000") as sb,
    ):
        _project(Path(tmp), n)
        env = {**os.environ, **sb.env, "NO_COLOR": "1"}
        plan = run_process(_rampctl(tmp, "plan"), env)
        sb.clear()
        apply = run_process(_rampctl(tmp, "apply", "--auto-approve", "--parallelism", "8"), env)
        log = sb.requests()
        writes = len([r for r in log if r["method"] != "GET" and "token" not in r["path"]])
        raw = raw_request_cpu(sb)
        state = Path(tmp) / "rampctl.state.json"
        size = state.stat().st_size if state.exists() else 0
    if apply.code != 0:
        print(apply.stderr[-2000:])
    per_write = (apply.cpu_s - plan.cpu_s) / n
    print(
        f"apply {n} creates (rate limit lifted): exit {apply.code}; wall {apply.wall_s:.1f} s; "
        f"CPU {apply.cpu_s:.1f} s (plan alone {plan.cpu_s:.1f} s); write requests {writes}; "
        f"state {size / 1e6:.1f} MB; peak RSS {apply.peak_rss_mb:.0f} MB"
    )
    print(
        f"  CPU per write: {per_write * 1000:.2f} ms; bound (one raw httpx request): "
        f"{raw * 1000:.2f} ms -> {per_write / raw:.1f}x"
    )
    return per_write


def real(n: int) -> None:
    """Apply `n` creates at Ramp's real rate limit: wall vs n / 20 s, and 429s."""
    with tempfile.TemporaryDirectory() as tmp, sandbox_process("--seed", "demo") as sb:
        _project(Path(tmp), n)
        env = {**os.environ, **sb.env, "NO_COLOR": "1"}
        sb.clear()
        apply = run_process(_rampctl(tmp, "apply", "--auto-approve", "--parallelism", "8"), env)
        log = [r for r in sb.requests() if not r["path"].endswith("/token")]
    statuses = Counter(r["status"] for r in log)
    bound = len(log) / 20.0
    print(f"apply {n} creates at 200 per 10 s: exit {apply.code}; requests {len(log)}")
    print(f"  429 responses: {statuses.get(429, 0)} (target 0)")
    print(f"  wall {apply.wall_s:.1f} s; bound {bound:.1f} s -> {apply.wall_s / bound:.2f}x")


def updates(n: int) -> None:
    """Apply updates to a tenth of `n` managed vendors at Ramp's real limit: wall vs bound."""
    print(f"apply updates to {n // 10} of {n} managed vendors at 200 per 10 s:")
    with tempfile.TemporaryDirectory() as tmp, sandbox_process("--seed", str(n)) as sb:
        write_manifests(Path(tmp), n, every=10)
        write_state(Path(tmp), sb)
        env = {**os.environ, **sb.env, "NO_COLOR": "1"}
        sb.clear()
        apply = run_process(_rampctl(tmp, "apply", "--auto-approve", "--parallelism", "8"), env)
        log = [r for r in sb.requests() if not r["path"].endswith("/token")]
    if apply.code != 0:
        print(apply.stderr[-2000:])
    statuses = Counter(r["status"] for r in log)
    patches = statuses_of(log, "PATCH")
    bound = len(log) / 20.0
    print(
        f"  exit {apply.code}; requests {len(log)} ({patches} updates); "
        f"429 responses: {statuses.get(429, 0)} (target 0); CPU {apply.cpu_s:.1f} s; "
        f"peak RSS {apply.peak_rss_mb:.0f} MB"
    )
    print(f"  wall {apply.wall_s:.1f} s; bound {bound:.1f} s -> {apply.wall_s / bound:.2f}x")


def statuses_of(log: list[dict[str, Any]], method: str) -> int:
    """How many logged requests used `method`."""
    return len([r for r in log if r["method"] == method])


def main() -> None:
    mode = sys.argv[1] if len(sys.argv) > 1 else "lifted"
    default = {"lifted": [1000, 10_000], "real": [1000], "updates": [11_000]}[mode]
    sizes = [int(a) for a in sys.argv[2:]] or default
    print(load_average())
    if mode in ("real", "updates"):
        for n in sizes:
            (real if mode == "real" else updates)(n)
        return
    figures = {n: lifted(n) for n in sizes}
    if len(figures) > 1:
        low, high = min(figures), max(figures)
        print(
            f"CPU per write at {high} / at {low}: {figures[high] / figures[low]:.2f} "
            "(linear: about 1.0; target <= 1.5)"
        )
    print(load_average())


if __name__ == "__main__":
    main()
