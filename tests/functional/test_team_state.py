"""Team state end to end: two checkouts of one project applying against one Ramp (the sandbox)
with the state in S3 or PostgreSQL, each apply a separate `rampctl` process.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from rampctl.state.backend import StateBackend, open_backend
from tests.functional.conftest import Project, demo_project, process_env
from tests.services import PostgresServer, S3Server, s3_environment
from tests.state.careless_s3 import careless_s3

LEASE_S = "3"
"""A short lease, so a killed run's lock runs out within the test."""


@pytest.fixture(params=["s3", "pg"])
def state_url(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> str:
    """An empty shared state on each remote backend in turn, set as RAMPCTL_STATE."""
    if request.param == "s3":
        server: S3Server = request.getfixturevalue("s3_server")
        for name, value in s3_environment(server).items():
            monkeypatch.setenv(name, value)
        bucket = f"team-{uuid.uuid4().hex[:12]}"
        maker = open_backend(f"s3://{bucket}/x")
        maker.s3.create_bucket(Bucket=bucket)  # type: ignore[attr-defined]
        url = f"s3://{bucket}/production/rampctl.state.json"
    else:
        pg: PostgresServer = request.getfixturevalue("pg_server")
        url = pg.url() + f"?workspace=team-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("RAMPCTL_STATE", url)
    monkeypatch.setenv("RAMPCTL_LOCK_LEASE", LEASE_S)
    monkeypatch.setenv("RAMPCTL_LOCK_HEARTBEAT", "0.5")
    return url


@pytest.fixture
def checkouts(
    state_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[tuple[Project, Project]]:
    """Two checkouts (folders with the same manifests) of one project, one sandbox."""
    with demo_project(tmp_path / "a", monkeypatch, capsys) as first:
        yield first, Project(tmp_path / "b", first.sandbox, capsys)


@pytest.fixture
def shared(state_url: str) -> Iterator[Callable[[], StateBackend]]:
    """Open the shared state as a third machine would."""
    opened: list[StateBackend] = []

    def open_() -> StateBackend:
        opened.append(open_backend(state_url))
        return opened[-1]

    yield open_
    for backend in opened:
        backend.close()


def _start(project: Project, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        project.apply_argv(*extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=process_env(),
    )


def _keys(project: Project) -> list[str]:
    with project.api() as api:
        vendors = api.get("/vendors", params={"page_size": 100}).json()["data"]
    return sorted(v["external_vendor_id"] for v in vendors if v.get("external_vendor_id"))


def _done(out: str) -> int:
    """The changes an apply reports done: each is recorded by exactly one state write."""
    match = re.search(r"^Apply: (\d+) done", out, re.MULTILINE)
    assert match, out
    return int(match.group(1))


def _until(condition: Callable[[], object], limit_s: float = 60) -> None:
    deadline = time.monotonic() + limit_s
    while not condition():
        assert time.monotonic() < deadline, "the condition never became true"
        time.sleep(0.05)


def _converged(a: Project, b: Project, shared: Callable[[], StateBackend], *, writes: int) -> None:
    """No duplicate vendor, no lost state write, and nothing left to do from either checkout."""
    keys = _keys(a)
    assert keys and len(keys) == len(set(keys)), f"duplicate vendors: {keys}"
    state = shared().load()
    assert state.serial == writes
    for checkout in (a, b):
        plan = checkout.rampctl("plan", "--detailed-exitcode")
        assert plan.code == 0, plan.out + plan.err
        assert not (checkout.root / "rampctl.state.json").exists()  # nothing kept locally


def test_a_second_checkout_exits_5_naming_the_holder_while_the_first_applies(
    checkouts: tuple[Project, Project], shared: Callable[[], StateBackend]
) -> None:
    a, b = checkouts
    a.sandbox.settings.latency_ms = 150  # the first apply holds the lock for a while
    first = a.start_apply()
    _until(lambda: shared().is_locked())
    refused = b.apply_in_subprocess("--lock-timeout", "0")
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, out + err
    assert refused.returncode == 5, refused.stdout + refused.stderr
    holder = shared().holder()
    assert holder is None  # released when the first run ended
    assert "the state is locked by" in refused.stderr and "@" in refused.stderr
    assert "(pid " in refused.stderr and "ago)" in refused.stderr
    a.sandbox.settings.latency_ms = 0
    _converged(a, b, shared, writes=_done(out))


def test_two_checkouts_applying_at_once_write_once(
    checkouts: tuple[Project, Project], shared: Callable[[], StateBackend]
) -> None:
    a, b = checkouts
    a.sandbox.settings.latency_ms = 50
    runs = [_start(a, "--lock-timeout", "120"), _start(b, "--lock-timeout", "120")]
    results = [(run.wait(timeout=180), *run.communicate()) for run in runs]
    assert [code for code, _, _ in results] == [0, 0], results
    applied = [out for _, out, _ in results if "Apply:" in out]
    assert len(applied) == 1, results  # exactly one wrote; the other waited, then had nothing
    assert any("Nothing to apply." in err for _, _, err in results)
    a.sandbox.settings.latency_ms = 0
    _converged(a, b, shared, writes=_done(applied[0]))


def test_a_killed_holder_is_taken_over_after_its_lease_and_resumed_from_the_journal(
    checkouts: tuple[Project, Project], shared: Callable[[], StateBackend]
) -> None:
    a, b = checkouts
    killed = a.apply_in_subprocess(RAMPCTL_CRASH_AT="after_send:2")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    left = shared()
    dead = left.holder()
    assert dead is not None and dead.command == "apply" and left.is_locked()
    assert [e.status for e in left.journal().pending()] == ["intended"]
    finished = b.apply_in_subprocess("--lock-timeout", "60")
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "took over the expired state lock" in finished.stderr
    assert "1 write of an earlier run was unresolved" in finished.stdout + finished.stderr
    assert shared().journal().entries() == [] and shared().holder() is None
    # The killed run recorded its first write; the second was sent, never recorded.
    _converged(a, b, shared, writes=1 + _done(finished.stdout))


def test_a_store_that_ignores_conditional_writes_is_refused_before_any_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with demo_project(tmp_path, monkeypatch, capsys) as project, careless_s3() as endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "key")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-value")
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        monkeypatch.setenv("RAMPCTL_STATE", "s3://team/production/rampctl.state.json")
        result = project.apply_in_subprocess()
        assert result.returncode == 1, result.stdout + result.stderr
        assert f"the S3 store {endpoint} (bucket team)" in result.stderr
        assert "does not honour conditional writes" in result.stderr
        assert project.writes() == []


def test_state_is_shared_json_with_serial_and_lineage(
    checkouts: tuple[Project, Project], shared: Callable[[], StateBackend]
) -> None:
    a, b = checkouts
    assert a.apply_in_subprocess().returncode == 0
    first = shared().load()
    listed = b.rampctl("state", "list", "--json")
    assert listed.code == 0
    assert {row["address"] for row in json.loads(listed.out)} == set(first.resources)
    assert b.apply_in_subprocess().returncode == 0  # nothing to do: no write, same serial
    assert shared().load().serial == first.serial
