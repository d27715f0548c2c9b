"""Benchmark: what writing the manifest text costs `rampctl import`, against its wall time.

`rampctl import` writes every document through the one YAML emitter (`rampctl.manifest.emit`,
ruamel.yaml, as `rampctl fmt` writes). This runs an import of a generated business of N
vendors from the sandbox without a rate limit and times the text phase alone (laying the
documents out into files and rendering them: `rampctl.importer.files.layout` and `render`,
in CPU time),
then sets it against the import's wall time at Ramp's documented rate limit (200 requests
per 10 s), which the per-vendor contact reads bound from below: N / 20 seconds.
Run: `.venv/bin/python bench/bench_import_text.py [N]` (default N 10000).
"""

from __future__ import annotations

import functools
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rampctl.cli.main import run
from rampctl.importer import files, service
from rampctl.ramp.config import RATE_LIMIT_VAR
from rampctl.sandbox.embedded import running_sandbox
from rampctl.sandbox.settings import SandboxSettings

RAMP_REQUESTS_PER_SECOND = 20  # 200 per rolling 10 s


def _timed(function: Callable[..., Any], spent: list[float]) -> Callable[..., Any]:
    """`function`, adding the CPU time it takes on its thread to `spent` (CPU time rather than
    wall: on a shared machine it does not count the time other processes hold the CPU)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent.append(time.thread_time() - started)

    return wrapper


def main() -> None:
    """Run one import with the text phase timed and print the figures."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    spent: list[float] = []
    service.layout = _timed(files.layout, spent)  # type: ignore[attr-defined]
    service.render = _timed(files.render, spent)  # type: ignore[attr-defined]
    settings = SandboxSettings(rate_limit=1_000_000)
    with (
        tempfile.TemporaryDirectory() as folder,
        running_sandbox(seed=str(count), settings=settings) as sandbox,
    ):
        os.environ.update(
            RAMP_BASE_URL=sandbox.base_url,
            RAMP_CLIENT_ID=sandbox.client_id,
            RAMP_CLIENT_SECRET=sandbox.client_secret,
        )
        os.environ[RATE_LIMIT_VAR] = "1000000"
        root = Path(folder)
        (root / "manifests").mkdir()
        started = time.perf_counter()
        code = run(["-C", str(root), "--no-color", "import", "--filter", "all"])
        wall = time.perf_counter() - started
        documents = sum(
            text.count("\napiVersion: ") + text.startswith("apiVersion: ")
            for path in (root / "manifests").glob("*.yaml")
            for text in [path.read_text(encoding="utf-8")]
        )
    text = sum(spent)
    limited = count / RAMP_REQUESTS_PER_SECOND
    print(f"vendors: {count}; import exit {code}; {documents} documents written")
    print(f"import wall without a rate limit: {wall:6.2f} s")
    each = text / documents * 1000
    print(f"manifest text (layout + render):  {text:6.2f} s CPU, {each:.2f} ms a document")
    print(f"import wall at Ramp's rate limit: >= {limited:.0f} s (the contact reads alone)")
    print(f"text share of that wall:          {text / (limited + text) * 100:.1f} %")


if __name__ == "__main__":
    main()
