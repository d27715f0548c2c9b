"""Benchmark: CPU time of diff and render for 10,000 managed vendors with 1% changed.

No network: the live snapshot is built in memory, so the figure is what plan
costs on top of its reads. Run: `.venv/bin/python bench/bench_plan_cpu.py [N]`.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from rampctl.engine.context import PlanContext
from rampctl.engine.planner import PlanSettings, build_plan
from rampctl.engine.snapshot import Snapshot
from rampctl.engine.view import fingerprint, vendor_view
from rampctl.manifest import load_manifests
from rampctl.model.desired import build_graph
from rampctl.ramp.models import Business, User, Vendor
from rampctl.render import human, markdown
from rampctl.state.model import ResourceState, State

DOC = """---
apiVersion: rampctl/v1
kind: Vendor
metadata: {{name: v{i:05}}}
spec:
  name: Vendor {i}
  country: US
  state: CA
  description: {desc}
  owner: user{u}@example.com
  contact: {{email: ap{i}@example.com, first_name: Ada}}
"""


def build(n: int, root: Path) -> tuple[Snapshot, State]:
    """Write n manifests, a matching live business (1% differing) and a state."""
    users = {f"u{u}": User(id=f"u{u}", email=f"user{u}@example.com") for u in range(100)}
    for start in range(0, n, 1000):  # files stay under the loader's size limit
        with (root / f"vendors-{start:05}.yaml").open("w") as out:
            for i in range(start, min(n, start + 1000)):
                out.write(DOC.format(i=i, u=i % 100, desc="Supplies"))
    vendors, resources = {}, {}
    for i in range(n):
        desc = "Changed" if i % 100 == 0 else "Supplies"
        v = Vendor(
            id=f"id{i}",
            name=f"Vendor {i}",
            country="US",
            state="CA",
            description=desc,
            vendor_owner_id=f"u{i % 100}",
            external_vendor_id=f"v{i:05}",
            contacts=[f"c{i}"],
            is_active=True,
            is_deletable=True,
        )
        vendors[v.id] = v
        view = vendor_view(v, users)
        contact = {
            "email": f"ap{i}@example.com",
            "first_name": "Ada",
            "last_name": None,
            "phone": None,
        }
        resources[f"vendor/v{i:05}"] = ResourceState(
            kind="vendor",
            ramp_id=v.id,
            fingerprint=fingerprint(view),
            attributes={**view, "contact": contact},
            key=f"v{i:05}",
        )
    snap = Snapshot(
        business=Business(id="b"), users=users, vendors=vendors, accounting_vendors={}, entities={}
    )
    state = State.new().model_copy(update={"resources": resources, "serial": 1})
    return snap, state


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        snap, state = build(n, Path(tmp))
        t0 = time.process_time()
        graph = build_graph(load_manifests(Path(tmp)))
        t1 = time.process_time()
        plan = build_plan(
            PlanContext(graph=graph, state=state, snapshot=snap),
            environment="bench",
            settings=PlanSettings(),
        )
        t2 = time.process_time()
        text = human.render(plan).plain
        md = markdown.render(plan)
        js = plan.dumps()
        t3 = time.process_time()
    print(f"vendors: {n}, changes: {len(plan.changes)}")
    print(f"load+validate manifests: {t1 - t0:.2f} s CPU")
    print(f"diff (build_plan):       {t2 - t1:.2f} s CPU")
    print(f"render human+md+json:    {t3 - t2:.2f} s CPU ({len(text)}/{len(md)}/{len(js)} chars)")
    print(f"diff + render:           {t3 - t1:.2f} s CPU (target < 3 s)")


if __name__ == "__main__":
    main()
