"""Measuring a whole rampctl process: wall time, its own CPU and its peak RSS (os.wait4).

A timed process runs rampctl as an installed copy would: `pip install` writes every module's
bytecode, while an editable checkout run with PYTHONDONTWRITEBYTECODE=1 (as on CI machines)
would compile rampctl's sources again in every timed process. `run_process` writes the
bytecode once first.

On a shared host the same work costs more CPU in some minutes than in others. The helpers at
the end read a figure against that: `reference_cpu` (a fixed loop's CPU, the machine's speed
at that moment), `normalised_cpu` (a CPU figure brought to a fixed reference speed, to
compare runs from different minutes) and `judge` (the median of several runs against a
target: the raw figures are what a target is judged on).
"""

from __future__ import annotations

import compileall
import importlib.util
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ProcessFigures:
    """What one process cost."""

    code: int
    wall_s: float
    cpu_s: float
    system_s: float  # the part of cpu_s spent in the kernel (file reads, fsyncs, page faults)
    peak_rss_mb: float
    stdout: str
    stderr: str


_compiled: list[bool] = []


def compile_rampctl() -> None:
    """Write rampctl's bytecode (once per benchmark), as `pip install` does."""
    if _compiled:
        return
    spec = importlib.util.find_spec("rampctl")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        compileall.compile_dir(folder, quiet=1)
    _compiled.append(True)


def run_process(cmd: list[str], env: dict[str, str]) -> ProcessFigures:
    """Run `cmd` to its end; wall, user+system CPU and peak RSS of that process alone."""
    compile_rampctl()
    out_path, err_path = f"/tmp/.bench-{os.getpid()}.out", f"/tmp/.bench-{os.getpid()}.err"
    with open(out_path, "w") as out, open(err_path, "w") as err:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
    with open(out_path) as out, open(err_path) as err:
        stdout, stderr = out.read(), err.read()
    os.unlink(out_path)
    os.unlink(err_path)
    return ProcessFigures(
        code=proc.returncode,
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        system_s=usage.ru_stime,
        peak_rss_mb=usage.ru_maxrss / 1024,
        stdout=stdout,
        stderr=stderr,
    )


def load_average() -> str:
    """The machine's 1/5/15-minute load average, to read the figures against."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


_REFERENCE = "s = 0\nfor i in range(5_000_000):\n    s += i"


def reference_cpu(times: int = 3) -> float:
    """CPU seconds of a fixed pure-Python loop in a fresh interpreter: the same work every
    time, so it shows how fast the machine runs Python at that moment (on a shared host it
    can vary by half between runs a minute apart; read CPU figures beside it). The median of
    `times` runs back to back: one run lasts about 0.4 s and now and then one alone takes half
    as long again as its neighbours, a burst that a plan lasting many seconds hardly feels."""
    command = [sys.executable, "-c", _REFERENCE]
    loops = [run_process(command, dict(os.environ)).cpu_s for _ in range(times)]
    return statistics.median(loops)


#: The reference loop's CPU, in seconds, at the speed every normalised figure is brought to:
#: the median of 70 single runs of it on the 2-core machine the README's figures come from
#: (0.33 to 0.61 s, 1 December 2026, load 3 to 5). A fixed number, not one taken at the start
#: of each benchmark, so normalised figures of runs on different days compare as well as
#: those of one run.
REFERENCE_LOOP_S = 0.36


def normalised_cpu(
    cpu_s: float, loops: Sequence[float], reference_s: float = REFERENCE_LOOP_S
) -> float:
    """`cpu_s` at the machine speed where the reference loop takes `reference_s`.

    `loops` are the loop's CPU taken right beside the measured work (`reference_cpu` just
    before it and just after); their mean stands for the speed while it ran (exact if the
    speed drifted evenly, blind to a change that came and went within it). The figure is
    `cpu_s * reference_s / mean(loops)`: work done in a minute where the loop took 0.54 s has
    its CPU scaled by 0.36 / 0.54, by two thirds. It assumes the work slows down as much as
    pure Python does (its kernel and memory-bound parts may not), so it is for comparing
    runs, not for judging a target.
    """
    return cpu_s * reference_s / statistics.fmean(loops)


@dataclass(frozen=True)
class Target:
    """A bound a figure must stay within: `limit` in `unit`, the limit itself allowed or not."""

    figure: str
    limit: float
    unit: str
    inclusive: bool = False  # "within 1.1x" allows 1.10; "under 10 s" does not allow 10.0

    def met(self, value: float) -> bool:
        """Whether `value` keeps to this target."""
        return value <= self.limit if self.inclusive else value < self.limit

    def wording(self) -> str:
        """`under 10 s`, `at most 1.10x`."""
        return f"{'at most' if self.inclusive else 'under'} {self.limit:g}{self.unit}"


@dataclass(frozen=True)
class Judgement:
    """The median of several runs' figures and whether it meets its target."""

    target: Target
    values: tuple[float, ...]
    median: float
    met: bool

    def line(self, digits: int = 2) -> str:
        """`CPU outside the network 27.90 s (runs 24.70 / 32.50 / 27.90) -> under 30 s: met`."""
        unit = self.target.unit
        runs = " / ".join(f"{v:.{digits}f}" for v in self.values)
        verdict = "met" if self.met else "NOT MET"
        return (
            f"{self.target.figure} {self.median:.{digits}f}{unit} (runs {runs}) -> "
            f"target {self.target.wording()}: {verdict}"
        )


def judge(target: Target, values: Sequence[float]) -> Judgement:
    """The median of `values` (one per run) judged against `target`.

    The median of an odd number of runs is one run's figure, so a single fast or slow minute
    moves it no further than the next run's; with an even number it is the mean of the two
    middle runs.
    """
    median = statistics.median(values)
    return Judgement(target, tuple(values), median, target.met(median))
