"""OS errors saving the state after a write reached Ramp end as an uncertain outcome (exit 6)
that the next run settles by key, never as an unexpected crash."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from rampctl.state import store as state_store
from tests.functional.conftest import Project

FAILURES = {
    "disk full": OSError(errno.ENOSPC, "No space left on device"),
    "read-only": PermissionError(errno.EROFS, "Read-only file system"),
}


@pytest.mark.parametrize("failure", sorted(FAILURES))
def test_os_error_saving_the_state_after_a_write_is_uncertain_and_settled_by_the_next_run(
    project: Project, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    error = FAILURES[failure]

    def failing(target: Path, data: bytes) -> Path:
        raise type(error)(error.errno, error.strerror, str(target))

    assert (
        project.rampctl(
            "apply",
            "--auto-approve",
            "--target",
            "accounting_vendor",
            "--target",
            "vendor/acme-cloud",
            "--target",
            "vendor/globex-logistics",
            "--target",
            "vendor/initech",
        ).code
        == 0
    )
    project.sandbox.clear_log()
    with monkeypatch.context() as patched:
        patched.setattr(state_store, "write_temp", failing)
        full = project.rampctl("apply", "--auto-approve", "--parallelism", "1")
    assert full.code == 6, full.out + full.err
    assert "unexpected" not in full.err
    assert f"Ramp made the change, but the state could not be saved: {error.strerror}" in full.err
    # the first change (a create and its follow-up update) stopped everything
    assert len([w for w in project.writes() if w.startswith("POST")]) == 1
    again = project.rampctl("apply", "--auto-approve")
    assert again.code == 0, again.out + again.err
    keys = [v["external_vendor_id"] for v in _vendors(project)]
    assert len(keys) == len(set(keys))
    assert project.rampctl("plan", "--detailed-exitcode").code == 0


def _vendors(project: Project) -> list[dict[str, str]]:
    with project.api() as api:
        data: list[dict[str, str]] = api.get("/vendors", params={"page_size": 100}).json()["data"]
    return [v for v in data if v.get("external_vendor_id")]
