"""Crash safety: apply killed with SIGKILL at each write boundary, then run again.

Every run must end with exactly one vendor per key, a state that parses, and a
serial that only grew.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from typing import Any

import pytest

from rampctl.sandbox.settings import FaultRule
from rampctl.state.store import StateStore
from tests.functional.conftest import Project


def _apply(project: Project, **env: str) -> subprocess.CompletedProcess[str]:
    return project.apply_in_subprocess(**env)


def _live_vendors(project: Project) -> list[dict[str, Any]]:
    with project.api() as api:
        vendors: list[dict[str, Any]] = []
        url: str | None = "/vendors?page_size=100"
        while url:
            page = api.get(url).json()
            vendors += page["data"]
            url = page["page"]["next"]
    return vendors


def _keys(project: Project) -> list[str]:
    vendors = _live_vendors(project)
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


class SignalOnSlowWrite:
    """Sends SIGTERM to the apply process the moment the sandbox takes its "slow" write.

    The signal thus lands while exactly that write is in flight (the functional apply runs one
    write at a time), so the tests check what apply does after it, not how fast the machine is.
    """

    def __init__(self, project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
        self.project = project
        self.pid = 0
        #: Writes the sandbox had completed when the signal was sent.
        self.writes_before: list[str] | None = None
        self._take_fault = project.sandbox.settings.take_fault
        monkeypatch.setattr(project.sandbox.settings, "take_fault", self._take)

    def _take(self, method: str, path: str) -> str | None:
        fault = self._take_fault(method, path)
        if fault == "slow" and self.writes_before is None:
            self.writes_before = self.project.writes()
            os.kill(self.pid, signal.SIGTERM)
        return fault

    def start(self, **env: str) -> subprocess.Popen[str]:
        """Start apply in its own process; it is signalled at its slow write."""
        proc = self.project.start_apply(**env)
        self.pid = proc.pid
        return proc


def _slow_vendor_create(project: Project, slow_ms: int) -> None:
    project.sandbox.settings.slow_ms = slow_ms
    project.sandbox.settings.faults.append(
        FaultRule(kind="slow", method="POST", path="/developer/v1/vendors", count=1)
    )


def test_sigterm_finishes_the_write_in_flight_starts_no_other_and_exits_143(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    _slow_vendor_create(project, 2_000)  # well within the stop grace (8 s)
    existing = {v["id"] for v in _live_vendors(project)}
    trigger = SignalOnSlowWrite(project, monkeypatch)
    proc = trigger.start()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, out + err
    assert "SIGTERM: finishing writes in flight" in err
    assert not (project.root / "rampctl.state.json.lock.json").exists()
    created = [v["id"] for v in _live_vendors(project) if v["id"] not in existing]
    assert len(created) == 1  # the change in flight finished ...
    state = StateStore(project.root / "rampctl.state.json").load()
    assert created[0] in {r.ramp_id for r in state.resources.values()}  # ... and was recorded
    assert trigger.writes_before is not None
    after = project.writes()[len(trigger.writes_before) :]
    assert after[0] == "POST /developer/v1/vendors"
    assert all(w.endswith(f"/vendors/{created[0]}") for w in after[1:])  # no other change
    assert _apply(project).returncode == 0
    keys = _keys(project)
    assert len(keys) == len(set(keys))


def test_sigterm_leaves_a_write_hanging_in_ramp_to_the_next_run(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    _slow_vendor_create(project, 12_000)  # longer than the stop grace: apply must not wait
    trigger = SignalOnSlowWrite(project, monkeypatch)
    proc = trigger.start(RAMPCTL_TIMEOUT="15")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, out + err
    assert "still in flight when the run was stopped" in out
    assert not (project.root / "rampctl.state.json.lock.json").exists()
    finished = _apply(project, RAMPCTL_TIMEOUT="15")  # waits until the hanging write is settled
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "Waiting" in finished.stderr
    keys = _keys(project)
    assert len(keys) == len(set(keys)), f"duplicate vendors: {keys}"
