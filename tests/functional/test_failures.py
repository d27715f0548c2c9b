"""Failing fast and honestly: unreachable Ramp, uncertain writes, redacted crashes, plans
saved for another environment or business."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rampctl.sandbox.embedded import running_sandbox
from rampctl.sandbox.settings import FaultRule
from tests.functional.conftest import Project, process_env


@pytest.mark.timeout(180)
def test_unreachable_ramp_ends_plan_with_one_readable_line(project: Project) -> None:
    # Nothing listens on port 9: every connection is refused. Default timeouts and budgets.
    env = process_env(RAMP_BASE_URL="http://127.0.0.1:9", RAMPCTL_TIMEOUT="")
    result = subprocess.run(
        [sys.executable, "-m", "rampctl", "-C", str(project.root), "plan"],
        capture_output=True,
        text=True,
        env=env,
        timeout=170,
        check=False,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    [line] = lines
    assert line.startswith("error: cannot reach Ramp at 127.0.0.1:9")
    assert "could not connect" in line and "RAMP_BASE_URL" in line
    assert result.stdout == ""


def test_retries_are_logged_readably_at_verbose(project: Project) -> None:
    project.sandbox.settings.update(
        {"add_fault": {"kind": "5xx", "method": "GET", "path": "/developer/v1/vendors", "count": 1}}
    )
    result = project.rampctl("-v", "plan")
    assert result.code == 0, result.err
    assert "retrying after GET /developer/v1/vendors: " in result.err
    assert "stamina" not in result.err
    quiet = project.rampctl("plan")
    assert "retrying" not in quiet.err


def test_an_uncertain_write_is_labelled_uncertain_and_its_message_printed_once(
    project: Project,
) -> None:
    project.sandbox.settings.faults.append(
        FaultRule(kind="5xx", method="POST", path="*/vendors", count=100)
    )
    result = project.rampctl("apply", "--auto-approve", "--target", "vendor/hooli-telecom")
    assert result.code == 6, result.out + result.err
    assert ": UNCERTAIN" in result.err
    assert "FAILED" not in result.err
    both = result.out + result.err
    assert both.count("outcome unknown after HTTP 5") == 1, both


def test_an_unexpected_failure_is_reported_redacted(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "canary-secret-71c3"
    project.sandbox.add_client("canary", secret, ["vendors:read", "users:read"])
    monkeypatch.setenv("RAMP_CLIENT_ID", "canary")
    monkeypatch.setenv("RAMP_CLIENT_SECRET", secret)

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"boom with client_secret {secret} and Bearer ramp_tok_abcdef123456")

    monkeypatch.setattr("rampctl.engine.planner.make_plan", explode)
    for args in (("plan",), ("-v", "plan")):
        result = project.rampctl(*args)
        assert result.code == 1
        assert "unexpected RuntimeError: boom with client_secret ***" in result.err
        assert secret not in result.err + result.out
        assert "ramp_tok_abcdef" not in result.err
        report = Path(result.err.split("details in ")[1].split(" ")[0].rstrip(";"))
        text = report.read_text()
        report.unlink()
        assert "boom" in text and secret not in text


def test_a_plan_saved_for_another_ramp_is_refused(project: Project) -> None:
    assert project.rampctl("plan", "--out", "plan.json").code == 0
    with running_sandbox(seed="demo") as other:  # the same business, another Ramp
        env = process_env(
            RAMP_BASE_URL=other.base_url,
            RAMP_CLIENT_ID=other.client_id,
            RAMP_CLIENT_SECRET=other.client_secret,
        )
        result = subprocess.run(
            [sys.executable, "-m", "rampctl", "-C", str(project.root), "apply", "plan.json"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        writes = [r for r in other.request_log() if r.method != "GET" and "token" not in r.path]
    assert result.returncode == 4, result.stdout + result.stderr
    assert f"the plan was made for {project.sandbox.base_url}, not {other.base_url}" in (
        result.stderr
    )
    assert writes == []


def test_a_plan_saved_for_another_business_is_refused(project: Project) -> None:
    assert project.rampctl("plan", "--out", "plan.json").code == 0
    store = project.sandbox.store
    [business] = store.find("business")
    store.delete("business", business["id"])
    store.insert("business", "another-business", {**business, "id": "another-business"})
    project.sandbox.clear_log()
    result = project.rampctl("apply", "plan.json")
    assert result.code == 4, result.out + result.err
    assert f"the plan was made for business {business['id']}" in result.err
    assert project.writes() == []


def test_plan_with_sandbox_says_where_its_data_lives(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RAMPCTL_SANDBOX_DATA", raising=False)
    first = project.rampctl("--sandbox", "plan")
    assert first.code == 0, first.err
    data = Path(".rampctl") / "sandbox.db"
    assert f"Using the embedded sandbox, not Ramp: a new demo business is kept in {data}" in (
        first.err
    )
    assert (project.root / data).is_file()
    again = project.rampctl("--sandbox", "plan")
    assert f"its business is kept in {data}" in again.err
    other = project.rampctl("--sandbox", "--state", "elsewhere/s.json", "plan")
    assert f"a new demo business is kept in {Path('elsewhere') / data}" in other.err
    shared = project.root / "shared.db"
    monkeypatch.setenv("RAMPCTL_SANDBOX_DATA", str(shared))
    assert project.rampctl("--sandbox", "--state", "elsewhere/s.json", "plan").code == 0
    assert shared.is_file()
