"""End-to-end fixtures: a sandbox over real HTTP and the rampctl CLI run against it.

The CLI is pointed at the sandbox the way a user points it at Ramp: with
RAMP_BASE_URL, RAMP_CLIENT_ID and RAMP_CLIENT_SECRET.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from rampctl.cli.main import run
from rampctl.sandbox.embedded import RunningSandbox, running_sandbox

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Result:
    """What one CLI run printed and returned."""

    code: int
    out: str
    err: str


def process_env(**env: str) -> dict[str, str]:
    """The test's environment (sandbox credentials, short timeout) plus `env`, without colour."""
    return {**os.environ, "NO_COLOR": "1", **env}


class Project:
    """A copy of the bundled manifests in a temporary folder, and a sandbox to run against."""

    def __init__(
        self, root: Path, sandbox: RunningSandbox, capsys: pytest.CaptureFixture[str]
    ) -> None:
        self.root = root
        self.sandbox = sandbox
        self.capsys = capsys
        shutil.copytree(REPO / "manifests", root / "manifests")

    def rampctl(self, *args: str) -> Result:
        """Run the CLI in-process in the project folder."""
        self.capsys.readouterr()
        code = run(["-C", str(self.root), "--no-color", *args])
        captured = self.capsys.readouterr()
        return Result(code=code, out=captured.out, err=captured.err)

    def api(self) -> httpx.Client:
        """An authenticated client for changing the sandbox directly, as a person in Ramp would."""
        token = httpx.post(
            f"{self.sandbox.base_url}/developer/v1/token",
            auth=(self.sandbox.client_id, self.sandbox.client_secret),
            data={
                "grant_type": "client_credentials",
                "scope": "vendors:read vendors:write accounting:read",
            },
        ).json()["access_token"]
        return httpx.Client(
            base_url=f"{self.sandbox.base_url}/developer/v1",
            headers={"Authorization": f"Bearer {token}"},
        )

    def vendor_by_key(self, key: str) -> list[dict[str, Any]]:
        """Live vendors carrying an adoption key."""
        with self.api() as api:
            data: list[dict[str, Any]] = api.get(
                "/vendors", params={"external_vendor_id": key}
            ).json()["data"]
            return data

    def apply_argv(self, *extra: str) -> list[str]:
        """`rampctl apply` for this project as a separate process, one write at a time."""
        return [
            sys.executable,
            "-m",
            "rampctl",
            "-C",
            str(self.root),
            "apply",
            "--auto-approve",
            "--parallelism",
            "1",
            *extra,
        ]

    def apply_in_subprocess(self, *extra: str, **env: str) -> subprocess.CompletedProcess[str]:
        """Run apply in its own process (so it can be killed) and wait for it."""
        return subprocess.run(
            self.apply_argv(*extra),
            capture_output=True,
            text=True,
            env=process_env(**env),
            timeout=120,
            check=False,
        )

    def start_apply(self, **env: str) -> subprocess.Popen[str]:
        """Start apply in its own process, to signal it while it runs."""
        return subprocess.Popen(
            self.apply_argv(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=process_env(**env),
        )

    def writes(self) -> list[str]:
        """Write requests the sandbox received (the token request aside)."""
        return [
            f"{r.method} {r.path}"
            for r in self.sandbox.request_log()
            if r.method != "GET" and not r.path.endswith("/token")
        ]


@contextmanager
def demo_project(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Project]:
    """A project at `root` with the bundled manifests, pointed at a fresh demo sandbox."""
    with running_sandbox(seed="demo") as sandbox:
        monkeypatch.setenv("RAMP_BASE_URL", sandbox.base_url)
        monkeypatch.setenv("RAMP_CLIENT_ID", sandbox.client_id)
        monkeypatch.setenv("RAMP_CLIENT_SECRET", sandbox.client_secret)
        # A local sandbox answers at once: a short request timeout also keeps the wait for
        # writes a killed run left open (apply waits out the timeout) short.
        monkeypatch.setenv("RAMPCTL_TIMEOUT", "3")
        # The user's cache (the manifest cache key, the rate-limit window of these
        # credentials) is the project's own, never the real user's.
        monkeypatch.setenv("XDG_CACHE_HOME", str(root / ".user-cache"))
        monkeypatch.delenv("RAMPCTL_SANDBOX", raising=False)
        monkeypatch.delenv("NO_COLOR", raising=False)
        yield Project(root, sandbox, capsys)


@pytest.fixture
def project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Project]:
    with demo_project(tmp_path, monkeypatch, capsys) as made:
        yield made
