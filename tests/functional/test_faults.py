"""Apply under the sandbox's fault knobs converges: no duplicate, no lost write."""

from __future__ import annotations

import pytest

from tests.functional.conftest import Project


def _converge(project: Project, runs: int = 6) -> list[int]:
    """Apply until it succeeds (each run resolves what the previous one left uncertain)."""
    codes = []
    for _ in range(runs):
        result = project.rampctl("apply", "--auto-approve", "--continue-on-error")
        codes.append(result.code)
        assert result.code in (0, 1, 6), result.out + result.err
        if result.code == 0:
            break
    return codes


def _assert_clean(project: Project) -> None:
    project.sandbox.settings.fault_5xx_rate = 0
    project.sandbox.settings.fault_drop_after_commit_rate = 0
    with project.api() as api:
        vendors = api.get("/vendors", params={"page_size": 100}).json()["data"]
    keys = [v["external_vendor_id"] for v in vendors if v.get("external_vendor_id")]
    assert len(keys) == len(set(keys)), f"duplicate vendors: {sorted(keys)}"
    result = project.rampctl("plan", "--detailed-exitcode")
    assert result.code == 0, result.out + result.err


@pytest.mark.parametrize("seed", [1, 2])
def test_server_errors_and_dropped_connections(project: Project, seed: int) -> None:
    project.sandbox.settings.fault_seed = seed
    project.sandbox.settings.fault_5xx_rate = 0.15
    project.sandbox.settings.fault_drop_after_commit_rate = 0.15
    codes = _converge(project)
    assert codes[-1] == 0, codes
    _assert_clean(project)


def test_rate_limit_bursts(project: Project) -> None:
    project.sandbox.settings.rate_limit = 15
    project.sandbox.settings.rate_window_s = 1.0
    codes = _converge(project)
    assert codes == [0]
    _assert_clean(project)
