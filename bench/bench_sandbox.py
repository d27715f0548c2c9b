"""Benchmark the sandbox: seeding N vendors, and reading them all through HTTP pages.

Run: `.venv/bin/python bench/bench_sandbox.py [N ...]` (default 1000 10000 50000).
Prints, per N: seconds to seed an in-memory store, seconds and requests to list every vendor
with page_size=100 over loopback HTTP, and requests per second.
"""

from __future__ import annotations

import sys
import time

import httpx

from rampctl.sandbox.auth import IN_SCOPE_SCOPES
from rampctl.sandbox.embedded import running_sandbox
from rampctl.sandbox.seed import seed
from rampctl.sandbox.settings import SandboxSettings
from rampctl.sandbox.store import Store


def seed_seconds(count: int) -> float:
    """Seconds to seed `count` generated vendors into a fresh in-memory store."""
    store = Store(None)
    started = time.perf_counter()
    seed(store, str(count))
    elapsed = time.perf_counter() - started
    store.close()
    return elapsed


def list_all(count: int) -> tuple[float, int, int]:
    """Seconds, requests and vendors seen listing every vendor with page_size=100."""
    settings = SandboxSettings(rate_limit=10**9)
    with running_sandbox(seed=str(count), settings=settings) as sandbox:
        token = httpx.post(
            sandbox.base_url + "/developer/v1/token",
            auth=(sandbox.client_id, sandbox.client_secret),
            data={"grant_type": "client_credentials", "scope": " ".join(IN_SCOPE_SCOPES)},
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        url: str | None = sandbox.base_url + "/developer/v1/vendors?page_size=100"
        seen = requests = 0
        started = time.perf_counter()
        with httpx.Client(headers=headers) as client:
            while url:
                page = client.get(url).json()
                seen += len(page["data"])
                requests += 1
                url = page["page"]["next"]
        return time.perf_counter() - started, requests, seen


def main(argv: list[str]) -> None:
    """Print the figures for each N."""
    for count in [int(a) for a in argv] or [1000, 10000, 50000]:
        seeded = seed_seconds(count)
        elapsed, requests, seen = list_all(count)
        print(
            f"N={count:>6}: seed {seeded:6.2f} s | list {seen} vendors in {requests} requests, "
            f"{elapsed:6.2f} s, {requests / elapsed:7.1f} req/s"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
