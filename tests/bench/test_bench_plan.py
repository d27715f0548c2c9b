"""`bench/bench_plan.py`'s verdict: the median of each figure over the runs, beside its target,
and no verdict on a figure from a failed plan."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from _measure import ProcessFigures
from bench_plan import Plan, Run, Walk, print_verdict

PLAN_LINE = "Plan: 1000 to update.\n"


def plan(cpu_s: float, wall_s: float = 64.8, rss: float = 870.0, code: int = 2) -> Plan:
    figures = ProcessFigures(code, wall_s, cpu_s, 1.0, rss, PLAN_LINE, "")
    return Plan(figures, (0.4, 0.4), "")


def run(cold_cpu: float, warm_cpu: float, code: int = 2) -> Run:
    walk = Walk(wall_s=60.0, cpu_s=2.5, pages=1000, loops=(0.4, 0.4))
    return Run(cold=plan(cold_cpu, code=code), warm=plan(warm_cpu), walk=walk)


def test_each_target_is_judged_on_the_median_of_the_runs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    print_verdict(100_000, "50", [run(27.2, 11.0), run(35.0, 12.0), run(30.4, 13.9)])
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(
        "plan 100000 vendors at 50 ms, median of 3 run(s) (the targets' size and latency; load "
    )
    assert out[1:4] == [
        "  cold: wall / bound 1.08x (runs 1.08 / 1.08 / 1.08) -> target at most 1.1x: met",
        "  cold: CPU outside the network 27.90 s (runs 24.70 / 32.50 / 27.90) -> "
        "target under 30 s: met",
        "  cold: peak RSS 870 MB (runs 870 / 870 / 870) -> target under 1024 MB: met",
    ]
    assert out[4] == (  # the loop at 0.40 s beside every plan and walk: 0.36 / 0.40 of each
        "  cold: speed-normalised CPU outside the network 25.11 s "
        "(runs 22.23 / 29.25 / 25.11; for comparing runs, not judged)"
    )
    assert out[6] == (
        "  warm: CPU outside the network 9.50 s (runs 8.50 / 9.50 / 11.40) -> "
        "target under 10 s: met"
    )
    assert not any("differ" in line for line in out)


def test_a_failed_plan_leaves_its_figures_unjudged(capsys: pytest.CaptureFixture[str]) -> None:
    print_verdict(10_000, "50", [run(3.0, 1.0), run(3.0, 1.0, code=1)])
    out = capsys.readouterr().out.splitlines()
    assert "for reference" in out[0]
    assert out[1] == "  cold: not judged, the plan failed (exit not 0 or 2) in run 2"
    assert out[2].startswith("  warm: wall / bound")
