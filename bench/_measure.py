"""Measuring a whole rampctl process: wall time, its own CPU and its peak RSS (os.wait4).

A timed process runs rampctl as an installed copy would: `pip install` writes every module's
bytecode, while an editable checkout run with PYTHONDONTWRITEBYTECODE=1 (as on CI machines)
would compile rampctl's sources again in every timed process. `run_process` writes the
bytecode once first.
"""

from __future__ import annotations

import compileall
import importlib.util
import os
import subprocess
import sys
import time
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


def reference_cpu() -> float:
    """CPU seconds of a fixed pure-Python loop in a fresh interpreter: the same work every
    time, so it shows how fast the machine runs Python at that moment (on a shared host it
    can vary by half between runs a minute apart; read CPU figures beside it)."""
    return run_process([sys.executable, "-c", _REFERENCE], dict(os.environ)).cpu_s
