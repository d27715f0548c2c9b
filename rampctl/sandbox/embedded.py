"""Run the sandbox in-process: uvicorn in a background thread on a loopback port.

```python
with running_sandbox(seed="demo") as sandbox:
    httpx.post(sandbox.base_url + "/developer/v1/token", auth=(sandbox.client_id, ...))
```
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from rampctl.sandbox import auth
from rampctl.sandbox.app import build_app
from rampctl.sandbox.middleware import DroppedConnection, LoggedRequest, RequestLog
from rampctl.sandbox.seed import seed as apply_seed
from rampctl.sandbox.settings import SandboxSettings
from rampctl.sandbox.store import Store

__all__ = ["LoggedRequest", "RunningSandbox", "open_store", "running_sandbox"]
START_TIMEOUT_S = 10.0


class SandboxError(RuntimeError):
    """The sandbox cannot start: unknown seed, port taken, server not up in time.

    The sandbox depends on nothing else of rampctl; the CLI reports this error as its own.
    """


class _QuietDrops(logging.Filter):
    """Hides uvicorn's traceback for injected "commit then drop" faults."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DroppedConnection)


def _install_quiet_drops() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietDrops) for f in logger.filters):
        logger.addFilter(_QuietDrops())


class RunningSandbox:
    """A sandbox serving on `base_url`, with the default client app's credentials."""

    def __init__(
        self, *, base_url: str, store: Store, settings: SandboxSettings, log: RequestLog
    ) -> None:
        self.base_url = base_url
        self.store = store
        self.settings = settings
        self._log = log
        self.client_id, self.client_secret = auth.ensure_default_client(store)

    def add_client(self, client_id: str, client_secret: str, scopes: Iterable[str]) -> None:
        """Register another client app, e.g. one with restricted scopes."""
        auth.add_client(self.store, client_id, client_secret, scopes)

    def request_log(self) -> list[LoggedRequest]:
        """The API requests served so far (method, path, query, status, timing)."""
        return self._log.items()

    def clear_log(self) -> None:
        """Forget the logged requests."""
        self._log.clear()


def open_store(data: Path | None, seed: str) -> Store:
    """The store at `data` (in memory when None), seeded with `seed` when new or empty."""
    if data is not None:
        data.parent.mkdir(parents=True, exist_ok=True)
        data.touch(mode=0o600, exist_ok=True)  # it holds the client secret
    store = Store(data)
    if store.is_empty():
        apply_seed(store, seed)
    auth.ensure_default_client(store)
    return store


@contextmanager
def running_sandbox(
    *,
    data: Path | None = None,
    seed: str = "demo",
    settings: SandboxSettings | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
) -> Iterator[RunningSandbox]:
    """Serve a sandbox in a background thread until the block exits, then stop it cleanly."""
    try:
        store = open_store(data, seed)
    except ValueError as exc:
        raise SandboxError(str(exc)) from exc
    settings = settings if settings is not None else SandboxSettings()
    log = RequestLog()
    app = build_app(store=store, settings=settings, log=log)
    sock = _bind(host, port)
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False, log_config=None)
    )
    thread = threading.Thread(
        target=_serve, args=(server, sock), name="rampctl-sandbox", daemon=True
    )
    _install_quiet_drops()
    thread.start()
    try:
        _wait_started(server, thread)
        bound_host, bound_port = sock.getsockname()[:2]
        display = f"[{bound_host}]" if ":" in bound_host else bound_host
        yield RunningSandbox(
            base_url=f"http://{display}:{bound_port}", store=store, settings=settings, log=log
        )
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        store.close()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit it: no 40 ms Nagle stall between headers and body.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise SandboxError(f"cannot listen on {host}:{port}: {exc}") from exc
    sock.listen(128)
    return sock


def _serve(server: uvicorn.Server, sock: socket.socket) -> None:
    asyncio.run(server.serve(sockets=[sock]))


def _wait_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise SandboxError("the sandbox server did not start")
        time.sleep(0.01)
