"""Benchmark: `rampctl plan` end to end, as a process, over N managed vendors (one file each).

The sandbox runs in its own process with the generated business (N vendors) and an added
latency per request; 1% of the manifests carry a changed description. The state is written
first, as an apply would have left it. In the same run, the bound: a raw walk of the vendor
list pages one after the other with httpx (token, then `page.next` to the end; no rampctl
code). Printed, for a first plan (no manifest cache) and a second one (the cache it filled):
plan's wall time beside that bound, plan's CPU beside the raw walk's (the CPU outside the
network is the difference), and plan's peak RSS. From the sandbox's request log: the longest
gap between two vendor pages (a stall of the walk), the most requests in any rolling 10 s
(rampctl's limit is 200), 429 answers, and how many of the previous plan's requests were
still in the window when this one started (a plan right after another shares Ramp's window).
Last, the CPU of a fixed Python loop before, between and after the plans: on a shared host
the same work can cost half as much again from one minute to the next, so CPU figures of
different runs compare only beside it.
Run: `.venv/bin/python bench/bench_plan.py [N ...]` (default 1000 10000) with
`--latency 0,50` for the latencies in ms.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from _measure import load_average, reference_cpu, run_process
from _sandbox_process import SandboxProcess, sandbox_process

from rampctl.engine.rebuild import rebuild_state
from rampctl.engine.snapshot import read_snapshot
from rampctl.manifest import load_manifests
from rampctl.model.desired import build_graph
from rampctl.ramp.client import RampClient
from rampctl.ramp.config import config_from_env
from rampctl.ramp.scopes import READ_SCOPES
from rampctl.state import State, StateStore

DOC = """apiVersion: rampctl/v1
kind: Vendor
metadata: {{name: vendor-{i:05d}}}
spec:
  name: Vendor {i:05d}
  country: US
  state: CA
  description: {desc}
  owner: {owner}@example.test
  contact: {{email: ap{i:05d}@vendor{i:05d}.test, first_name: Accounts, last_name: Payable}}
{link}"""


def owner(i: int, n: int) -> str:
    """The seeded owner of generated vendor i (mirrors the sandbox generator)."""
    size = min(max(n // 5, 1), 2000)
    k = i % size
    return "owner.one" if k == 0 else f"user.u{k:04d}"


def write_manifests(root: Path, n: int, every: int = 100) -> None:
    """One manifest per vendor (as `import --split` writes them), one in `every` changed."""
    folder = root / "manifests" / "vendors"
    folder.mkdir(parents=True)
    linked = n // 10
    for i in range(n):
        desc = "Changed by the benchmark" if i % every == 7 else f"Generated vendor {i}"
        link = f"  accounting_vendor: {{remote_id: GEN-{i:05d}}}\n" if i < linked else ""
        text = DOC.format(i=i, desc=desc, owner=owner(i, n), link=link)
        (folder / f"vendor-{i:06d}.yaml").write_text(text)


def write_state(root: Path, sb: SandboxProcess) -> None:
    """The state an apply would have left: every manifest matched to its live vendor."""
    graph = build_graph(load_manifests(root / "manifests"))
    with RampClient(config_from_env(None, sb.env), scopes=READ_SCOPES) as client:
        state = rebuild_state(State.new(), graph, read_snapshot(client), environment=sb.base_url)
    entries = state.state
    for address, entry in entries.resources.items():  # contacts as recorded by an apply
        desired = graph.vendors.get(address)
        if desired and desired.contact:
            entry.attributes["contact"] = desired.contact.as_dict()
    StateStore(root / "rampctl.state.json").write(entries)


def raw_walk(sb: SandboxProcess) -> tuple[float, float, int]:
    """Wall and CPU seconds of reading every vendor page in sequence with httpx; page count."""
    cpu0, started = time.process_time(), time.monotonic()
    token = httpx.post(
        f"{sb.base_url}/developer/v1/token",
        auth=(sb.env["RAMP_CLIENT_ID"], sb.env["RAMP_CLIENT_SECRET"]),
        data={"grant_type": "client_credentials", "scope": "vendors:read"},
    ).json()["access_token"]
    pages = 0
    url: str | None = f"{sb.base_url}/developer/v1/vendors?page_size=100"
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
        while url:
            body = http.get(url).json()
            pages += 1
            url = body["page"]["next"]
    return time.monotonic() - started, time.process_time() - cpu0, pages


WINDOW_S = 10.0


def requests_seen(sb: SandboxProcess) -> list[dict[str, Any]]:
    """The sandbox's request log since the last call (it is emptied), in order of arrival."""
    items = sorted(sb.requests(), key=lambda item: float(item["started_at"]))
    sb.clear()
    return items


def walk_figures(items: list[dict[str, Any]], earlier: list[dict[str, Any]]) -> str:
    """The vendor walk's longest gap (and how many requests the window held when it began:
    near 200, the rate limiter held the walk; far below, something else did), the busiest
    rolling window, 429s, and the previous run's requests still in the window when this
    one's first request arrived."""
    times = [float(item["started_at"]) for item in items]
    pages = [float(item["started_at"]) for item in items if item["path"] == "/developer/v1/vendors"]
    gap, at = max(((b - a, a) for a, b in itertools.pairwise(pages)), default=(0.0, 0.0))
    first = times[0] if times else 0.0
    carried = sum(1 for item in earlier if float(item["started_at"]) > first - WINDOW_S)
    held = sum(1 for t in times if at - WINDOW_S < t <= at) + sum(
        1 for item in earlier if at - WINDOW_S < float(item["started_at"])
    )
    busiest, start = 0, 0
    for end, t in enumerate(times):
        while times[start] <= t - WINDOW_S:
            start += 1
        busiest = max(busiest, end - start + 1)
    limited = sum(1 for item in items if item["status"] == 429)
    return (
        f"  longest gap between vendor pages {gap:.2f} s ({at - first:.1f} s after the first "
        f"request; {held} requests in the {WINDOW_S:.0f} s before it); busiest "
        f"{WINDOW_S:.0f} s: {busiest} requests; 429s: {limited}; carried in from the "
        f"previous run: {carried}"
    )


def one(n: int, latency: str) -> None:
    """Plan `n` vendors at `latency` ms, cold then warm, and print the figures beside the bound."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        sandbox_process(
            "--seed", str(n), "--latency-ms", latency, "--rate-limit", "100000000"
        ) as sb,
    ):
        root = Path(tmp)
        write_manifests(root, n)
        write_state(root, sb)
        env = {**os.environ, **sb.env, "NO_COLOR": "1"}
        command = [sys.executable, "-m", "rampctl", "-C", tmp, "plan"]
        setup = requests_seen(sb)
        speed = [reference_cpu()]
        cold = run_process(command, env)  # no manifest cache yet
        cold_log = requests_seen(sb)
        speed.append(reference_cpu())
        warm = run_process(command, env)  # the manifest cache the first plan filled
        warm_log = requests_seen(sb)
        speed.append(reference_cpu())
        bound_wall, bound_cpu, pages = raw_walk(sb)
    walks = {"cold": walk_figures(cold_log, setup), "warm": walk_figures(warm_log, cold_log)}
    for label, plan in (("cold", cold), ("warm manifest cache", warm)):
        summary = [line for line in plan.stdout.splitlines() if line.startswith("Plan")]
        print(
            f"plan {n} vendors at {latency} ms, {label}: exit {plan.code}; "
            f"{summary[-1] if summary else ''}"
        )
        if plan.code not in (0, 2):
            print(plan.stderr[-1500:])
        print(
            f"  wall {plan.wall_s:.2f} s; bound (raw walk of {pages} vendor pages) "
            f"{bound_wall:.2f} s -> {plan.wall_s / bound_wall:.2f}x"
        )
        print(
            f"  CPU {plan.cpu_s:.2f} s, {plan.system_s:.2f} s of it system (raw walk "
            f"{bound_cpu:.2f} s) -> outside the network {plan.cpu_s - bound_cpu:.2f} s; "
            f"peak RSS {plan.peak_rss_mb:.0f} MB"
        )
        print(walks[label.split()[0]])
    print(
        "machine speed: a fixed Python loop took "
        + " / ".join(f"{cpu:.2f}" for cpu in speed)
        + " s CPU before, between and after the plans (the same work each time)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10_000])
    parser.add_argument("--latency", default="0,50", help="comma-separated, in ms")
    args = parser.parse_args()
    print(load_average())
    for n in args.sizes:
        for latency in args.latency.split(","):
            one(n, latency)
    print(load_average())


if __name__ == "__main__":
    main()
