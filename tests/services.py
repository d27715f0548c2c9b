"""Real services for the state backend tests: a throwaway PostgreSQL cluster and an S3 server.

Both listen on 127.0.0.1 on a free port and are stopped when the test session ends. When a
service's programs are missing the tests that need it are skipped on a developer machine, and
fail under CI (CI=true), where `.ci/run` installs them; a service whose programs are there but
that does not start always fails the tests: a backend is never left untested silently.
"""

from __future__ import annotations

import contextlib
import glob
import importlib.util
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

POSTGRES_USER = "rampctl"


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def unavailable(what: str) -> None:
    """Skip (on a developer machine) or fail (under CI) when a service cannot be had."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what}; CI must provide it (see .ci/run)", pytrace=False)
    pytest.skip(what)


@dataclass(frozen=True)
class S3Server:
    """A moto S3 server: its endpoint URL and the credentials it accepts."""

    endpoint: str
    access_key: str = "rampctl-test-key"
    secret_key: str = "rampctl-test-secret-value"


@contextlib.contextmanager
def moto_server() -> Iterator[S3Server]:
    """moto in server mode in its own process (it honours If-None-Match and If-Match)."""
    if importlib.util.find_spec("moto") is None:
        unavailable("moto[server] is not installed")
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-c", "from moto.server import main; main()"]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [*command, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT
        )
        try:
            _wait_http(endpoint, process, log)
            yield S3Server(endpoint)
        finally:
            process.terminate()
            process.wait(timeout=10)


def _wait_http(url: str, process: subprocess.Popen[bytes], log: Any) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(url, timeout=1)
            return
        time.sleep(0.1)
    log.seek(0)
    output = log.read().decode(errors="replace")
    pytest.fail(f"the moto S3 server did not start at {url}:\n{output}", pytrace=False)


@dataclass(frozen=True)
class PostgresServer:
    """A running throwaway cluster: connect with `url(database)`."""

    port: int
    password: str

    def url(self, database: str = "postgres") -> str:
        """A libpq URL with the password in it (as users may write it)."""
        return f"postgresql://{POSTGRES_USER}:{self.password}@127.0.0.1:{self.port}/{database}"


def postgres_bin() -> Path | None:
    """The folder of initdb and pg_ctl: on PATH, or Debian's /usr/lib/postgresql/N/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    return Path(candidates[-1]).parent if candidates else None


def _runner() -> list[str]:
    """As root, run the server as an unprivileged user (PostgreSQL refuses to run as root)."""
    if os.geteuid() != 0:
        return []
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return ["runuser", "-u", name, "--"]
    unavailable("no unprivileged user to run PostgreSQL as")
    return []


@contextlib.contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """initdb + pg_ctl in a temporary folder, password auth over TCP on a free port."""
    binaries = postgres_bin()
    if binaries is None:
        unavailable("PostgreSQL's initdb is not installed")
        return
    runner = _runner()
    root = Path(tempfile.mkdtemp(prefix="rampctl-pg-"))
    password = secrets.token_urlsafe(12)
    (root / "pw").write_text(password)
    if runner:
        user = runner[2]
        os.chmod(root, 0o700)
        shutil.chown(root, user)
        shutil.chown(root / "pw", user)
    data, port = root / "data", free_port()
    try:
        _pg(
            runner,
            binaries / "initdb",
            "-D",
            str(data),
            "-U",
            POSTGRES_USER,
            "-E",
            "UTF8",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            f"--pwfile={root / 'pw'}",
            "--no-sync",
        )
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
        _pg(
            runner,
            binaries / "pg_ctl",
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(root / "log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        try:
            yield PostgresServer(port, password)
        finally:
            _pg(runner, binaries / "pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _pg(runner: list[str], *args: str | Path) -> None:
    done = subprocess.run(
        [*runner, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tempfile.gettempdir(),  # a folder the server's user may enter
    )
    if done.returncode != 0:
        pytest.fail(f"{Path(args[0]).name} failed: {done.stdout}{done.stderr}", pytrace=False)


def s3_environment(server: S3Server) -> dict[str, str]:
    """The AWS environment a user of an S3-compatible store sets, pointing at `server`."""
    return {
        "AWS_ENDPOINT_URL": server.endpoint,
        "AWS_ACCESS_KEY_ID": server.access_key,
        "AWS_SECRET_ACCESS_KEY": server.secret_key,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
