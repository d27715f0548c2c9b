"""A sandbox in its own process for benchmarks, so its CPU is not counted as rampctl's."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class SandboxProcess:
    """Where the sandbox listens and how to log in to it."""

    env: dict[str, str]
    base_url: str

    def requests(self) -> list[dict[str, Any]]:
        """The sandbox's request log."""
        data: list[dict[str, Any]] = httpx.get(f"{self.base_url}/_sandbox/requests").json()
        return data

    def clear(self) -> None:
        """Empty the request log."""
        httpx.delete(f"{self.base_url}/_sandbox/requests")


@contextmanager
def sandbox_process(*args: str) -> Iterator[SandboxProcess]:
    """Run `rampctl sandbox serve --memory --port 0 ARGS` and yield its settings."""
    cmd = [sys.executable, "-m", "rampctl", "sandbox", "serve", "--memory", "--port", "0", *args]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, text=True, env={**os.environ, "NO_COLOR": "1"}
    )
    try:
        env: dict[str, str] = {}
        assert proc.stdout is not None
        deadline = time.monotonic() + 300
        while len(env) < 3 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError("the sandbox exited before it was ready")
            key, sep, value = line.strip().partition("=")
            if sep and key.startswith("RAMP_"):
                env[key] = value
        yield SandboxProcess(env=env, base_url=env["RAMP_BASE_URL"])
    finally:
        proc.terminate()
        proc.wait(timeout=30)
