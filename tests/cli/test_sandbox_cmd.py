"""`rampctl sandbox serve|reset` as a user runs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from rampctl.cli.main import run
from rampctl.sandbox.store import Store


def _read_settings(proc: subprocess.Popen[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    assert proc.stdout is not None
    while len(values) < 3:
        line = proc.stdout.readline()
        assert line, "serve exited before printing its settings"
        key, sep, value = line.strip().partition("=")
        if sep:
            values[key] = value
    return values


def test_serve_prints_credentials_and_answers(tmp_path: Path) -> None:
    data = tmp_path / "sb.db"
    cmd = [
        sys.executable,
        "-m",
        "rampctl",
        "sandbox",
        "serve",
        "--port",
        "0",
        "--data",
        str(data),
        "--seed",
        "demo",
        "--latency-ms",
        "1",
        "--fault",
        "5xx=0",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        env = _read_settings(proc)
        assert env["RAMP_BASE_URL"].startswith("http://127.0.0.1:")
        token = httpx.post(
            env["RAMP_BASE_URL"] + "/developer/v1/token",
            auth=(env["RAMP_CLIENT_ID"], env["RAMP_CLIENT_SECRET"]),
            data={"grant_type": "client_credentials", "scope": "vendors:read"},
        ).json()["access_token"]
        vendors = httpx.get(
            env["RAMP_BASE_URL"] + "/developer/v1/vendors",
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        assert len(vendors["data"]) == 5
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
    assert data.exists() and (data.stat().st_mode & 0o077) == 0


def test_reset_recreates_the_data_file(tmp_path: Path) -> None:
    data = tmp_path / "sb.db"
    assert run(["sandbox", "reset", "--seed", "12", "--data", str(data)]) == 0
    assert _vendor_count(data) == 12
    assert run(["sandbox", "reset", "--seed", "empty", "--data", str(data)]) == 0
    assert _vendor_count(data) == 0


def _vendor_count(data: Path) -> int:
    store = Store(data)
    try:
        return store.count("vendor")
    finally:
        store.close()


@pytest.mark.parametrize("fault", ["fire=0.1", "5xx", "slow=abc"])
def test_bad_fault_option(fault: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["sandbox", "serve", "--memory", "--port", "0", "--fault", fault]) == 1
    assert "--fault" in capsys.readouterr().err


def test_bad_seed_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["sandbox", "reset", "--seed", "lots", "--data", str(tmp_path / "x.db")]) == 1
    assert "unknown seed" in capsys.readouterr().err


def test_serve_start_error_is_reported_as_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    """The sandbox's own start error reaches the user as rampctl's error, exit 1."""
    assert run(["sandbox", "serve", "--memory", "--port", "0", "--seed", "lots"]) == 1
    err = capsys.readouterr().err
    assert "error: unknown seed" in err
    assert "Traceback" not in err


def test_plan_with_embedded_sandbox_reports_start_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A sandbox that cannot start makes `--sandbox plan` fail with a clear error."""
    from rampctl.sandbox import embedded

    def refuse(*_: object, **__: object) -> None:
        raise embedded.SandboxError("cannot listen on 127.0.0.1:0: busy")

    monkeypatch.setattr(embedded, "open_store", refuse)
    monkeypatch.chdir(Path.cwd())  # -C changes directory; restored after the test
    (tmp_path / "manifests").mkdir()
    code = run(["-C", str(tmp_path), "--sandbox", "plan"])
    assert code == 1
    assert "error: cannot listen on 127.0.0.1:0: busy" in capsys.readouterr().err
