"""Apply under the sandbox's fault knobs converges: no duplicate, no lost write."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.functional.conftest import Project, demo_project


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


def _apply_statuses(project: Project) -> list[int]:
    """The statuses of every request one apply sent (its token requests included)."""
    project.sandbox.clear_log()
    result = project.rampctl("apply", "--auto-approve")
    assert result.code == 0, result.out + result.err
    return [r.status for r in project.sandbox.request_log()]


def test_apply_keeps_its_reads_and_writes_under_one_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Apply reads Ramp with one client and writes with another; Ramp counts both against
    the credentials' one limit, so a run kept within it by the client sees no 429."""
    with demo_project(tmp_path / "free", monkeypatch, capsys) as project:
        needed = len(_apply_statuses(project))
    limit = needed - 5  # the reads alone fit in one window; reads and writes do not
    monkeypatch.setenv("RAMPCTL_RATE_LIMIT", str(limit))
    with demo_project(tmp_path / "limited", monkeypatch, capsys) as project:
        project.sandbox.settings.rate_limit = limit
        statuses = _apply_statuses(project)
    assert len(statuses) >= needed
    assert 429 not in statuses
