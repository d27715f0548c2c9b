"""Benchmark: apply N vendor creates against the sandbox at Ramp's real rate limit.

Target: no 429 response, and wall time within 1.15x of N / (200 per 10 s).
Run: `.venv/bin/python bench/bench_apply.py [N]` (default 1000). Takes about a minute.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from _sandbox_process import sandbox_process

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


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as tmp, sandbox_process("--seed", "demo") as sb:
        root = Path(tmp)
        (root / "manifests").mkdir()
        (root / "manifests" / "vendors.yaml").write_text("".join(DOC.format(i=i) for i in range(n)))
        sb.clear()
        env = {**os.environ, **sb.env, "NO_COLOR": "1"}
        cmd = [
            sys.executable,
            "-m",
            "rampctl",
            "-C",
            tmp,
            "apply",
            "--auto-approve",
            "--parallelism",
            "8",
        ]
        started = time.monotonic()
        result = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        wall = time.monotonic() - started
        log = [r for r in sb.requests() if not r["path"].endswith("/token")]
    statuses = Counter(r["status"] for r in log)
    bound = len(log) / 20.0
    print(result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-500:])
    print(f"creates: {n}; requests: {len(log)}; statuses: {dict(statuses)}")
    print(f"429 responses: {statuses.get(429, 0)} (target 0)")
    print(
        f"wall time: {wall:.1f} s; bound for {len(log)} requests at 200 per 10 s: {bound:.1f} s"
        f" -> {wall / bound:.2f}x (target <= 1.15x)"
    )


if __name__ == "__main__":
    main()
