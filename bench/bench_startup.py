"""Benchmark: start-up time of `rampctl --version` against `python -c "import httpx"`.

`rampctl --version` (and `--help`, and TAB completion) should cost about what importing the
HTTP client costs: the sandbox, the engine and the pydantic models load only for the command
that needs them. Target: at most 2x. Each command runs in a fresh interpreter; the figure is
the median of N runs after one warm-up, with rampctl's bytecode written first (as `pip install`
does; see `_measure`). Run: `.venv/bin/python bench/bench_startup.py [N]`.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from _measure import compile_rampctl

TARGET = 2.0


def median_seconds(cmd: list[str], runs: int) -> float:
    """Median wall time of `cmd` over `runs` runs, after one unmeasured warm-up run."""
    subprocess.run(cmd, check=True, capture_output=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(runs: int) -> int:
    """Measure both commands, print the figures and the ratio; exit 1 above the target."""
    compile_rampctl()
    baseline = median_seconds([sys.executable, "-c", "import httpx"], runs)
    version = median_seconds([sys.executable, "-m", "rampctl", "--version"], runs)
    helptext = median_seconds([sys.executable, "-m", "rampctl", "--help"], runs)
    ratio = version / baseline
    print(f'python -c "import httpx": {baseline * 1000:7.1f} ms (median of {runs})')
    print(f"rampctl --version:        {version * 1000:7.1f} ms  ratio {ratio:.2f}x")
    print(f"rampctl --help:           {helptext * 1000:7.1f} ms  ratio {helptext / baseline:.2f}x")
    print(f"target: at most {TARGET:.1f}x -> {'ok' if ratio <= TARGET else 'MISSED'}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20))
