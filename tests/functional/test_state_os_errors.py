"""OS errors saving the state after a write reached Ramp end as an uncertain outcome (exit 6)
that the next run settles by key, never as an unexpected crash."""

from __future__ import annotations

import errno
from typing import Any

import pytest

from rampctl.state import fold
from rampctl.state import store as state_store
from tests.functional.conftest import Project

FAILURES = {
    "disk full": OSError(errno.ENOSPC, "No space left on device"),
    "read-only": PermissionError(errno.EROFS, "Read-only file system"),
}
VENDORS_FIRST = ("vendor/acme-cloud", "vendor/globex-logistics", "vendor/initech")


def _raise(error: OSError) -> Any:
    def failing(*args: Any, **kwargs: Any) -> Any:
        raise type(error)(error.errno, error.strerror, "rampctl.state.json")

    return failing


def _adopt_first(project: Project) -> None:
    """Adopt what exists, so that the next apply starts with a create."""
    targets = [arg for t in ("accounting_vendor", *VENDORS_FIRST) for arg in ("--target", t)]
    assert project.rampctl("apply", "--auto-approve", *targets).code == 0
    project.sandbox.clear_log()


def _settled(project: Project) -> None:
    again = project.rampctl("apply", "--auto-approve")
    assert again.code == 0, again.out + again.err
    with project.api() as api:
        vendors = api.get("/vendors", params={"page_size": 100}).json()["data"]
    keys = [v["external_vendor_id"] for v in vendors if v.get("external_vendor_id")]
    assert len(keys) == len(set(keys)), f"duplicate vendors: {sorted(keys)}"
    assert project.rampctl("plan", "--detailed-exitcode").code == 0


@pytest.mark.parametrize("failure", sorted(FAILURES))
def test_os_error_journaling_a_write_is_uncertain_and_settled_by_the_next_run(
    project: Project, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    error = FAILURES[failure]
    _adopt_first(project)
    with monkeypatch.context() as patched:
        patched.setattr(fold.JournaledBackend, "record", _raise(error))
        full = project.rampctl("apply", "--auto-approve", "--parallelism", "1")
    assert full.code == 6, full.out + full.err
    assert "unexpected" not in full.err
    assert f"Ramp made the change, but the state could not be saved: {error.strerror}" in full.err
    # the first change (a create and its follow-up update) stopped everything
    assert len([w for w in project.writes() if w.startswith("POST")]) == 1
    _settled(project)


@pytest.mark.parametrize("failure", sorted(FAILURES))
def test_os_error_saving_the_state_at_the_end_is_uncertain_not_a_crash(
    project: Project, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    error = FAILURES[failure]
    _adopt_first(project)
    with monkeypatch.context() as patched:
        patched.setattr(state_store, "write_temp", _raise(error))
        full = project.rampctl("apply", "--auto-approve")
    assert full.code == 6, full.out + full.err
    assert "unexpected" not in full.err
    assert f"but the state could not be saved: {error.strerror}" in full.err
    _settled(project)
