"""Benchmark: loading N vendor manifests (one file each) cold and warm, as a whole process.

`rampctl validate` is run twice on the same generated manifests (bench_plan's documents, as
`import --split` writes them): first with no `.rampctl/` folder (cold: every file is read,
parsed and validated, and the manifest cache is written), then again (warm: the cache answers
for every unchanged file), then once more after ten files changed (a pull request's worth).
Printed for each run: CPU seconds (user + system) of the process, wall time and peak RSS,
beside the CPU of `rampctl --version` (start-up alone), so the load's own share is the
difference.
Run: `.venv/bin/python bench/bench_manifests.py [N ...]` (default 10000 100000).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from _measure import ProcessFigures, load_average, run_process
from bench_plan import write_manifests


def _validate(root: Path, env: dict[str, str]) -> ProcessFigures:
    figures = run_process([sys.executable, "-m", "rampctl", "-C", str(root), "validate"], env)
    if figures.code != 0:
        print(figures.stderr[-1500:])
    return figures


def _show(label: str, figures: ProcessFigures, startup: ProcessFigures) -> None:
    print(
        f"  {label:<22} CPU {figures.cpu_s:6.2f} s (load {figures.cpu_s - startup.cpu_s:6.2f} s)"
        f"  wall {figures.wall_s:6.2f} s  peak RSS {figures.peak_rss_mb:5.0f} MB"
        f"  exit {figures.code}"
    )


def _change_ten(root: Path) -> None:
    files = sorted((root / "manifests" / "vendors").iterdir())
    for path in files[:: max(len(files) // 10, 1)][:10]:
        text = path.read_text()
        path.write_text(text.replace("description: ", "description: Edited, "))


def one(n: int) -> None:
    """Validate `n` vendor manifests cold, warm, and warm after ten files changed."""
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("RAMPCTL_NO_CACHE", None)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_manifests(root, n)
        startup = run_process([sys.executable, "-m", "rampctl", "--version"], env)
        print(f"{n} vendor manifests (start-up alone: CPU {startup.cpu_s:.2f} s)")
        _show("cold (no cache)", _validate(root, env), startup)
        _show("warm", _validate(root, env), startup)
        _change_ten(root)
        _show("warm, 10 files changed", _validate(root, env), startup)
        _show("RAMPCTL_NO_CACHE=1", _validate(root, {**env, "RAMPCTL_NO_CACHE": "1"}), startup)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000])
    args = parser.parse_args()
    print(load_average())
    for n in args.sizes:
        one(n)
    print(load_average())


if __name__ == "__main__":
    main()
