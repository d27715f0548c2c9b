"""Benchmark: `plan` over N managed vendors against the sandbox with added latency.

Reports the requests plan made (against the number of list pages), its wall time
against the lower bound (reading the longest collection's pages one after the
other, measured), and CPU time outside the network (diff and render).
Run: `.venv/bin/python bench/bench_plan.py [N] [LATENCY_MS]` (defaults 10000, 50).
"""

from __future__ import annotations

import math
import sys
import tempfile
import time
from pathlib import Path

from _sandbox_process import sandbox_process

from rampctl.engine.context import PlanContext
from rampctl.engine.planner import PlanSettings, build_plan
from rampctl.engine.rebuild import rebuild_state
from rampctl.engine.snapshot import read_contacts, read_snapshot
from rampctl.manifest import load_manifests
from rampctl.model.desired import build_graph
from rampctl.ramp.client import RampClient
from rampctl.ramp.config import config_from_env
from rampctl.ramp.scopes import READ_SCOPES
from rampctl.render import human, markdown

DOC = """---
apiVersion: rampctl/v1
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


def write_manifests(root: Path, n: int) -> None:
    """Manifests for the generated business, 1% with a changed description."""
    linked = n // 10
    for start in range(0, n, 1000):
        with (root / f"vendors-{start:05d}.yaml").open("w") as out:
            for i in range(start, min(n, start + 1000)):
                desc = "Changed by the benchmark" if i % 100 == 7 else f"Generated vendor {i}"
                link = f"  accounting_vendor: {{remote_id: GEN-{i:05d}}}\n" if i < linked else ""
                out.write(DOC.format(i=i, desc=desc, owner=owner(i, n), link=link))


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    latency = sys.argv[2] if len(sys.argv) > 2 else "50"
    with (
        tempfile.TemporaryDirectory() as tmp,
        sandbox_process("--seed", str(n), "--latency-ms", latency) as sb,
    ):
        write_manifests(Path(tmp), n)
        graph = build_graph(load_manifests(Path(tmp)))
        client = RampClient(config_from_env(None, sb.env), scopes=READ_SCOPES)
        with client:
            from rampctl.state.model import State

            state = rebuild_state(
                State.new(), graph, read_snapshot(client), environment=sb.base_url
            ).state
            state = state.model_copy(update={"serial": 1})
            for address, entry in state.resources.items():  # contacts as recorded by an apply
                desired = graph.vendors.get(address)
                if desired and desired.contact:
                    entry.attributes["contact"] = dict(desired.contact)
            t0 = time.monotonic()
            client.list_vendors()
            lower = time.monotonic() - t0
            sb.clear()
            cpu0, w0 = time.process_time(), time.monotonic()
            snap = read_snapshot(client)
            ctx = PlanContext(graph=graph, state=state, snapshot=snap)
            read_contacts(client, snap, ctx.contact_reads(False))
            cpu1 = time.process_time()
            plan = build_plan(ctx, environment=sb.base_url, settings=PlanSettings())
            human.render(plan)
            markdown.render(plan)
            plan.dumps()
            w2, cpu2 = time.monotonic(), time.process_time()
        requests = [r for r in sb.requests() if not r["path"].endswith("/token")]
    pages = (
        math.ceil(n / 100) + math.ceil(min(max(n // 5, 1), 2000) / 100) + math.ceil((n // 10) / 100)
    )
    print(f"vendors: {n}, latency: {latency} ms, changes: {len(plan.changes)}")
    print(f"requests: {len(requests)} (list pages: {pages}; + business, entities, connection)")
    print(
        f"wall time (read + plan): {w2 - w0:.2f} s; "
        f"lower bound (vendor pages in sequence): {lower:.2f} s"
        f" -> {(w2 - w0) / lower:.2f}x"
    )
    print(f"CPU: reading {cpu1 - cpu0:.2f} s; diff and render {cpu2 - cpu1:.2f} s (target < 3 s)")


if __name__ == "__main__":
    main()
