"""Plan and apply read Ramp while the manifests and state load; errors stay as clear as before."""

from __future__ import annotations

import time

import pytest

from rampctl.cli import plan_cmd
from tests.functional.conftest import Project


def _ramp_reads(project: Project) -> list[str]:
    return [r.path for r in project.sandbox.request_log() if r.method == "GET"]


def test_ramp_is_being_read_before_the_manifests_finish_loading(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_load = plan_cmd.load_graph
    seen_while_loading: list[str] = []

    def slow_load(*args: object, **kwargs: object) -> object:
        deadline = time.monotonic() + 20
        while not _ramp_reads(project) and time.monotonic() < deadline:
            time.sleep(0.05)  # the snapshot's first GET arrives while this load is running
        seen_while_loading.extend(_ramp_reads(project))
        return real_load(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(plan_cmd, "load_graph", slow_load)
    result = project.rampctl("plan")
    assert result.code == 0, result.err
    assert seen_while_loading  # before the overlap, no request was sent until loading ended


def test_a_manifest_error_is_reported_even_when_ramp_is_unreachable(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project.root / "manifests" / "broken.yaml").write_text(
        "apiVersion: rampctl/v1\nkind: Vendor\nmetadata: {name: broken}\nspec: {country: 12}\n"
    )
    monkeypatch.setenv("RAMP_BASE_URL", "http://127.0.0.1:9")  # nothing listens there
    for command in (("plan",), ("apply", "--auto-approve")):
        result = project.rampctl(*command)
        assert result.code != 0
        assert "broken.yaml" in result.err, result.err
        assert "Traceback" not in result.err


def test_a_ramp_error_is_reported_after_the_manifests_load(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAMP_CLIENT_SECRET", "wrong-secret")
    for command in (("plan",), ("apply", "--auto-approve")):
        result = project.rampctl(*command)
        assert result.code == 1, result.err
        assert "token" in result.err and "Traceback" not in result.err
        assert "wrong-secret" not in result.err
    assert not (project.root / "rampctl.state.json").exists()  # nothing was applied
