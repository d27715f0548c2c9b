"""Plan and apply read Ramp while the manifests and state load; errors stay as clear as before."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from rampctl.cli import runtime
from tests.functional.conftest import Project, process_env


def _ramp_reads(project: Project) -> list[str]:
    return [r.path for r in project.sandbox.request_log() if r.method == "GET"]


def test_ramp_is_being_read_before_the_manifests_finish_loading(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_load = runtime.load_graph
    seen_while_loading: list[str] = []

    def slow_load(*args: object, **kwargs: object) -> object:
        deadline = time.monotonic() + 20
        while not _ramp_reads(project) and time.monotonic() < deadline:
            time.sleep(0.05)  # the snapshot's first GET arrives while this load is running
        seen_while_loading.extend(_ramp_reads(project))
        return real_load(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(runtime, "load_graph", slow_load)
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


_ORDER_PROBE = """
import sys
from rampctl.cli.main import main
from rampctl.engine import snapshot

later = ("rampctl.engine.planner", "rampctl.manifest", "rampctl.state.backend")
real_init = snapshot.SnapshotPrefetch.__init__

def init(self, client):
    loaded = sorted(m for m in later if m in sys.modules)
    print("loaded when the read started:", loaded, file=sys.stderr)
    real_init(self, client)

snapshot.SnapshotPrefetch.__init__ = init
sys.argv = ["rampctl", *sys.argv[1:]]
main()
"""


def test_ramp_is_read_before_the_engine_and_manifests_are_imported(project: Project) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _ORDER_PROBE, "-C", str(project.root), "plan"],
        capture_output=True,
        text=True,
        env=process_env(),
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "loaded when the read started: []" in result.stderr


def test_a_plan_process_prints_and_exits_as_a_plan_run_in_process(project: Project) -> None:
    """`main` ends a plan's process without freeing the business it read (`quick_exit`): the
    text, the JSON and the exit code are those of the same plan run in-process."""
    in_process = project.rampctl("plan", "--detailed-exitcode")
    as_json = project.rampctl("plan", "--json")
    for args, expected in ((("--detailed-exitcode",), in_process), (("--json",), as_json)):
        result = subprocess.run(
            [sys.executable, "-m", "rampctl", "-C", str(project.root), "--no-color", "plan", *args],
            capture_output=True,
            text=True,
            env=process_env(),
            timeout=120,
            check=False,
        )
        assert result.returncode == expected.code, result.stderr
        if args == ("--json",):
            ours, theirs = json.loads(result.stdout), json.loads(expected.out)
            for varying in ("created_at", "checksum"):
                ours.pop(varying), theirs.pop(varying)
            assert ours == theirs
        else:
            assert result.stdout == expected.out
        assert result.stderr == expected.err
