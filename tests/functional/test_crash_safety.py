"""Crash safety: apply killed with SIGKILL at each write boundary, then run again.

Every run must end with exactly one vendor per key, a state that parses, and a
serial that only grew.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from rampctl.sandbox.settings import FaultRule
from rampctl.state.store import StateStore
from tests.functional.conftest import Project


def _apply(project: Project, **env: str) -> subprocess.CompletedProcess[str]:
    return project.apply_in_subprocess(**env)


def _keys(project: Project) -> list[str]:
    with project.api() as api:
        vendors = []
        url: str | None = "/vendors?page_size=100"
        while url:
            page = api.get(url).json()
            vendors += page["data"]
            url = page["page"]["next"]
    return sorted(v["external_vendor_id"] for v in vendors if v.get("external_vendor_id"))


def _serial(project: Project) -> int:
    path = project.root / "rampctl.state.json"
    return StateStore(path).load().serial if path.exists() else 0


@pytest.mark.parametrize(
    "point", ["before_send:2", "after_send:2", "after_state:2", "after_send:5"]
)
def test_killed_apply_is_finished_by_the_next_run_without_duplicates(
    project: Project, point: str
) -> None:
    killed = _apply(project, RAMPCTL_CRASH_AT=point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    serial_after_crash = _serial(project)
    finished = _apply(project)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    keys = _keys(project)
    assert len(keys) == len(set(keys)), f"duplicate vendors: {keys}"
    assert _serial(project) > serial_after_crash
    json.loads((project.root / "rampctl.state.json").read_text())
    assert project.rampctl("plan", "--detailed-exitcode").code == 0


@pytest.mark.parametrize(
    "point", ["after_state:1", "after_state:3", "after_fold:1", "after_fold:2"]
)
def test_killed_between_a_journal_append_and_a_fold_loses_no_write(
    project: Project, point: str
) -> None:
    seeded = set(_keys(project))
    # Fold every 2 writes: kills land after an unfolded append, or right after a fold's write.
    killed = _apply(project, RAMPCTL_CRASH_AT=point, RAMPCTL_FOLD_EVERY="2")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    created = set(_keys(project)) - seeded
    # Every write recorded before the kill is in the folded view (`state list` reads the
    # journal too), and so is every vendor Ramp created.
    listed = project.rampctl("state", "list", "--json")
    assert listed.code == 0, listed.err
    managed = {entry["address"] for entry in json.loads(listed.out)}
    name, _, nth = point.partition(":")
    assert len(managed) >= int(nth) * (2 if name == "after_fold" else 1)
    assert {f"vendor/{key}" for key in created} <= managed
    assert project.rampctl("plan", "--detailed-exitcode").code == 2
    finished = _apply(project)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    keys = _keys(project)
    assert len(keys) == len(set(keys)), f"duplicate vendors: {keys}"
    assert project.rampctl("plan", "--detailed-exitcode").code == 0
    assert not (project.root / "rampctl.state.json.journal").exists()


def test_commit_then_dropped_connection_is_resolved_by_key(project: Project) -> None:
    project.sandbox.settings.faults.append(
        FaultRule(kind="drop_after_commit", method="POST", path="/developer/v1/vendors", count=1)
    )
    result = _apply(project)
    keys = _keys(project)
    assert len(keys) == len(set(keys)), f"duplicate vendors: {keys}"
    if result.returncode != 0:
        assert result.returncode == 6, result.stdout + result.stderr
        assert _apply(project).returncode == 0
    assert project.rampctl("plan", "--detailed-exitcode").code == 0
    posts = [
        r
        for r in project.sandbox.request_log()
        if r.method == "POST" and r.path.endswith("/vendors")
    ]
    created = {k for k in _keys(project)}
    assert len(posts) == len(created - {"acme-cloud", "globex-logistics", "initech"})


def test_sigterm_stops_new_writes_and_exits_143(project: Project, tmp_path: Path) -> None:
    project.sandbox.settings.latency_ms = 300
    proc = project.start_apply()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(
            r.method == "POST" and r.path.endswith("/vendors")
            for r in project.sandbox.request_log()
        ):
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    signalled_wall = time.time()
    signalled = time.monotonic()
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 143, out + err
    assert time.monotonic() - signalled < 10
    after = [
        r
        for r in project.sandbox.request_log()
        if r.started_at > signalled_wall + 1 and r.method != "GET"
    ]
    assert after == []
    assert not (project.root / "rampctl.state.json.lock.json").exists()
    project.sandbox.settings.latency_ms = 0
    assert _apply(project).returncode == 0
    keys = _keys(project)
    assert len(keys) == len(set(keys))


def test_sigterm_exits_in_time_even_with_a_write_hanging_in_ramp(project: Project) -> None:
    project.sandbox.settings.slow_ms = 12_000
    project.sandbox.settings.faults.append(
        FaultRule(kind="slow", method="POST", path="/developer/v1/vendors", count=1)
    )
    proc = project.start_apply(RAMPCTL_TIMEOUT="15")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(
        r.path.endswith("/accounting/vendors") for r in project.sandbox.request_log()
    ):  # the plan's reads are done; the first vendor create is about to hang
        time.sleep(0.05)
    time.sleep(2.0)
    proc.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 143, out + err
    assert time.monotonic() - signalled < 10
    assert "still in flight when the run was stopped" in out
    finished = _apply(project, RAMPCTL_TIMEOUT="15")  # waits until the hanging write is settled
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "Waiting" in finished.stderr
    keys = _keys(project)
    assert len(keys) == len(set(keys)), f"duplicate vendors: {keys}"
