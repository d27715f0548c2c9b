"""The benchmarks' judging helpers (`bench/_measure.py`): medians against targets, and CPU
figures brought to the reference loop's speed. `bench/` is scripts, not a package: its folder
goes on the import path, as running a script there puts it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from _measure import REFERENCE_LOOP_S, Target, judge, normalised_cpu

UNDER_30 = Target("CPU outside the network", 30.0, " s")
WITHIN_1_1 = Target("wall / bound", 1.10, "x", inclusive=True)


def test_the_median_of_three_runs_is_judged_not_the_worst_or_the_best() -> None:
    judged = judge(UNDER_30, [24.7, 32.5, 27.9])
    assert (judged.median, judged.met) == (27.9, True)
    assert judge(UNDER_30, [35.7, 32.5, 24.7]).met is False


def test_an_even_number_of_runs_takes_the_mean_of_the_middle_two() -> None:
    assert judge(UNDER_30, [24.7, 32.5, 35.7, 27.9]).median == pytest.approx(30.2)


def test_under_excludes_the_limit_and_within_includes_it() -> None:
    assert judge(UNDER_30, [30.0]).met is False
    assert judge(WITHIN_1_1, [1.10]).met is True
    assert judge(WITHIN_1_1, [1.11]).met is False


def test_the_verdict_line_shows_each_run_the_median_and_the_target() -> None:
    assert judge(UNDER_30, [24.7, 32.5, 27.9]).line() == (
        "CPU outside the network 27.90 s (runs 24.70 / 32.50 / 27.90) -> target under 30 s: met"
    )
    assert judge(WITHIN_1_1, [1.2]).line() == (
        "wall / bound 1.20x (runs 1.20) -> target at most 1.1x: NOT MET"
    )
    rss = Target("peak RSS", 1024.0, " MB")
    assert judge(rss, [866.4, 870.0]).line(0).startswith("peak RSS 868 MB (runs 866 / 870)")


def test_cpu_is_scaled_by_the_reference_over_the_mean_of_the_loops_beside_it() -> None:
    assert normalised_cpu(30.0, [0.6, 0.6], reference_s=0.4) == pytest.approx(20.0)
    assert normalised_cpu(30.0, [0.5, 0.7], reference_s=0.4) == pytest.approx(20.0)
    assert normalised_cpu(12.0, [REFERENCE_LOOP_S, REFERENCE_LOOP_S]) == pytest.approx(12.0)


def test_the_same_work_in_a_slow_and_a_fast_minute_normalises_to_one_figure() -> None:
    work_in_loops = 70.0  # the plan is worth 70 loops of CPU
    slow, fast = 0.49, 0.33
    assert normalised_cpu(work_in_loops * slow, [slow, slow]) == pytest.approx(
        normalised_cpu(work_in_loops * fast, [fast, fast])
    )
