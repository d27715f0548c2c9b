"""Benchmark: read a large business through RampClient from the sandbox with added latency.

Reads 10,000 vendors, 2,000 users and 1,000 accounting vendors (the sandbox's "10000" seed)
concurrently, with 50 ms of latency on every request, and prints the requests made and the
wall time next to the lower bound: the sequential pages of the longest collection (vendors),
both as pure latency (pages x 50 ms) and as measured by reading vendors alone.

Run: `.venv/bin/python bench/bench_client_read.py [--latency-ms 50] [--vendors 10000]`
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from typing import Any

from rampctl.ramp.client import RampClient
from rampctl.ramp.config import ClientConfig
from rampctl.ramp.pagination import PAGE_SIZE
from rampctl.ramp.scopes import READ_SCOPES
from rampctl.sandbox.embedded import running_sandbox


def _client(sandbox: Any) -> RampClient:
    config = ClientConfig(
        base_url=sandbox.base_url,
        client_id=sandbox.client_id,
        client_secret=sandbox.client_secret,
    )
    return RampClient(config, scopes=READ_SCOPES)


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def _read_all(client: RampClient) -> dict[str, Any]:
    return client.run_concurrently(
        {
            "vendors": client.list_vendors,
            "users": client.list_users,
            "accounting vendors": client.list_accounting_vendors,
        }
    )


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--vendors", type=int, default=10_000)
    args = parser.parse_args()
    with running_sandbox(seed=str(args.vendors)) as sandbox:
        sandbox.settings.latency_ms = args.latency_ms
        with _client(sandbox) as client:
            client.get_business()  # the token, outside the timings
            before = client.request_count
            results, wall = _timed(lambda: _read_all(client))
            requests = client.request_count - before
            _, alone = _timed(client.list_vendors)
    counts = {name: len(items) for name, items in results.items()}
    pages = sum(max(1, math.ceil(n / PAGE_SIZE)) for n in counts.values())
    longest = max(max(1, math.ceil(n / PAGE_SIZE)) for n in counts.values())
    latency_bound = longest * args.latency_ms / 1000
    print(f"objects read: {', '.join(f'{n} {name}' for name, n in counts.items())}")
    print(f"requests: {requests} (pages: {pages}; plus 1 token request before the timing)")
    print(f"wall time: {wall:.2f} s")
    print(
        f"lower bound, latency only ({longest} sequential pages x {args.latency_ms:.0f} ms): "
        f"{latency_bound:.2f} s -> ratio {wall / latency_bound:.2f}x"
    )
    print(
        f"lower bound, measured (vendors alone, {longest} sequential pages): {alone:.2f} s "
        f"-> ratio {wall / alone:.2f}x"
    )


if __name__ == "__main__":
    main()
