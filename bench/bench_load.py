"""Benchmark: `load_graph` (manifest load, validation and desired-graph build) over N vendor
manifests (one file each), in-process: cold (no cache), warm (the cache it filled), warm
after ten files changed, and warm after that.

Each run is its own process (so nothing is shared but the cache folder); printed: CPU
seconds (`time.process_time`) of `load_graph` (imports apart), and the process's peak RSS;
beside them, the bound of a warm load: walking the folders and stat'ing every file (the
least a run must do to know that no file changed), in its own process.
Run: `.venv/bin/python bench/bench_load.py [N ...]` (default 10000), `--profile FILE` writes
a cProfile of the warm run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _measure import load_average
from bench_plan import write_manifests

_CHILD = """
import json, resource, sys, time
from pathlib import Path
t0 = time.process_time()
from rampctl.manifest.cache import ManifestCache
from rampctl.manifest.graph import load_graph
root, profile = Path(sys.argv[1]), sys.argv[2]
t1 = time.process_time()
def run():
    cache = ManifestCache(root / ".rampctl")
    try:
        g = load_graph(root / "manifests", cache=cache)
    finally:
        cache.close()
    return g
if profile:
    import cProfile
    prof = cProfile.Profile()
    g = prof.runcall(run)
    prof.dump_stats(profile)
else:
    g = run()
t2 = time.process_time()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"imports": t1 - t0, "total": t2 - t1,
                  "rss": rss, "vendors": len(g.vendors), "digest": g.digest}))
"""


def _run(root: Path, profile: str = "") -> dict[str, float]:
    env = {**os.environ}
    env.pop("RAMPCTL_NO_CACHE", None)
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(root), profile],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(out.stdout))


_BOUND = """
import json, os, sys, time
t0 = time.process_time()
for folder, _, names in os.walk(sys.argv[1]):
    for name in sorted(names):
        os.stat(os.path.join(folder, name))
print(json.dumps({"cpu": time.process_time() - t0}))
"""


def _bound(root: Path) -> float:
    cmd = [sys.executable, "-c", _BOUND, str(root / "manifests")]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return float(json.loads(out.stdout)["cpu"])


def _show(label: str, figures: dict[str, float]) -> None:
    print(
        f"  {label:<24} CPU {figures['total']:6.2f} s (imports {figures['imports']:4.2f} s)"
        f"  peak RSS {figures['rss']:5.0f} MB  vendors {figures['vendors']}"
    )


def _change_ten(root: Path) -> None:
    files = sorted((root / "manifests" / "vendors").iterdir())
    for path in files[:: max(len(files) // 10, 1)][:10]:
        path.write_text(path.read_text().replace("description: ", "description: Edited, "))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000])
    parser.add_argument("--profile", default="")
    args = parser.parse_args()
    print(load_average())
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            write_manifests(root, n)
            print(f"{n} vendor manifests")
            _show("cold", _run(root))
            _show("warm", _run(root))
            _show("warm again", _run(root, args.profile))
            _change_ten(root)
            _show("warm, 10 files changed", _run(root))
            _show("warm after that", _run(root))
            print(f"  bound: walk and stat every file, CPU {_bound(root):.2f} s")
    print(load_average())


if __name__ == "__main__":
    main()
