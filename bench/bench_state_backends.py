"""Benchmark: one state write (a round trip) on each backend with 10,000 managed objects.

For the local file, S3 (a moto server on this machine) and PostgreSQL (a throwaway cluster on
this machine): write a state of N vendors, then time `update()` (the state write apply does
after every Ramp write) W times; report the median and 95th percentile latency and the bytes
sent per write, plus one lock acquire + release. Servers run locally, so the figures are the
cost of rampctl and the store, not of a network. Run:
`.venv/bin/python bench/bench_state_backends.py [N] [W]`.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rampctl.state.backend import StateBackend, open_backend
from rampctl.state.model import ResourceState, State
from rampctl.state.store import serialise
from tests.services import moto_server, postgres_server, s3_environment


def entry(i: int, note: str = "Supplies") -> ResourceState:
    """A vendor entry shaped like the ones apply records."""
    return ResourceState(
        kind="vendor",
        ramp_id=str(uuid.UUID(int=i)),
        fingerprint=f"sha256:{i:064x}",
        attributes={
            "name": f"Vendor {i}",
            "country": "US",
            "state": "CA",
            "description": note,
            "owner": f"user{i % 100}@example.com",
            "contact": {"email": f"ap{i}@example.com", "first_name": "Ada"},
        },
        depends_on=[f"accounting_vendor/a{i}"] if i % 3 == 0 else [],
        key=f"v{i:05}",
    )


def big_state(n: int) -> State:
    """A bound state of n vendors."""
    resources = {f"vendor/v{i:05}": entry(i) for i in range(n)}
    state = State.new().model_copy(update={"resources": resources})
    return state.bind("https://api.ramp.com", "business-1")


def measure(backend: StateBackend, state: State, writes: int) -> dict[str, float]:
    """Seed the backend, then time `writes` single-object updates under the lock."""
    backend.put(state)
    latencies = []
    with backend.lock(command="bench"):
        backend.load()
        for w in range(writes):

            def change(current: State, w: int = w) -> State:
                return current.with_resource("vendor/v00000", entry(0, f"Changed {w}"))

            started = time.perf_counter()
            backend.update(change)
            latencies.append(time.perf_counter() - started)
    started = time.perf_counter()
    with backend.lock(command="bench"):
        pass
    lock_s = time.perf_counter() - started
    latencies.sort()
    return {
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "lock_ms": lock_s * 1000,
    }


@contextmanager
def backends(stack: ExitStack) -> Iterator[dict[str, Callable[[], StateBackend]]]:
    """Factories of a fresh backend of each kind."""
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
    s3 = stack.enter_context(moto_server())
    pg = stack.enter_context(postgres_server())
    os.environ.update(s3_environment(s3))
    bucket = f"bench-{uuid.uuid4().hex[:8]}"
    maker = open_backend(f"s3://{bucket}/x")
    maker.s3.create_bucket(Bucket=bucket)  # type: ignore[attr-defined]
    yield {
        "local file": lambda: open_backend(folder / "rampctl.state.json"),
        "s3 (moto)": lambda: open_backend(f"s3://{bucket}/rampctl.state.json"),
        "postgresql": lambda: open_backend(pg.url() + "?workspace=bench"),
    }


def main(n: int = 10_000, writes: int = 30) -> None:
    """Print one line per backend."""
    state = big_state(n)
    size = len(serialise(state)[1])
    print(f"{n} managed objects; state document {size / 1e6:.2f} MB, sent whole on every write")
    with ExitStack() as stack, backends(stack) as made:
        for name, make in made.items():
            backend = make()
            try:
                figures = measure(backend, state, writes)
            finally:
                backend.close()
            print(
                f"{name:12}  write median {figures['median_ms']:7.1f} ms  "
                f"p95 {figures['p95_ms']:7.1f} ms  bytes/write {size:,}  "
                f"lock+unlock {figures['lock_ms']:6.1f} ms"
            )


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
