"""What happens around every API request: trace id, request log, latency, rate limit, faults.

A plain ASGI middleware, so it can do what Ramp's network can: answer late, answer 5xx, or
commit a write and then drop the connection without a response.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from starlette.responses import JSONResponse

from rampctl.sandbox import auth
from rampctl.sandbox.problems import (
    GATEWAY_TIMEOUT,
    PAYLOAD_TOO_LARGE,
    RATE_LIMITED,
    SERVER_ERROR,
    ApiProblem,
)
from rampctl.sandbox.settings import SandboxSettings
from rampctl.sandbox.spec import PREFIX
from rampctl.sandbox.store import Store

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
LATE_FAULTS = frozenset({"late_commit", "late_commit_drop"})
log = logging.getLogger(__name__)


class DroppedConnection(Exception):
    """Raised after a committed write so the server aborts the connection without a body."""


@dataclass(frozen=True, kw_only=True)
class LoggedRequest:
    """One API request as the sandbox saw it (no headers or bodies, so no secrets)."""

    method: str
    path: str
    query: str
    status: int
    started_at: float
    duration_ms: float
    fault: str | None = None


#: The request log keeps the latest this many requests.
MAX_LOGGED = 100_000
#: The largest request body accepted (a bill with many lines is far smaller); larger is 413.
MAX_BODY_BYTES = 1_048_576


class RequestLog:
    """The thread-safe list of the latest `MAX_LOGGED` API requests, in order of completion."""

    def __init__(self, limit: int = MAX_LOGGED) -> None:
        self._items: deque[LoggedRequest] = deque(maxlen=limit)
        self._lock = threading.Lock()

    def add(self, item: LoggedRequest) -> None:
        """Record one request."""
        with self._lock:
            self._items.append(item)

    def items(self) -> list[LoggedRequest]:
        """A copy of the log."""
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        """Forget every logged request."""
        with self._lock:
            self._items.clear()


class RollingWindowLimit:
    """A rolling-window counter per client; every request (even a refused one) counts."""

    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: str, limit: int, window_s: float) -> bool:
        """Record a request by `key`; False when it is past `limit` in the last `window_s`."""
        now = time.monotonic()
        with self._lock:
            hits = self._hits[key]
            while hits and hits[0] <= now - window_s:
                hits.popleft()
            hits.append(now)
            return len(hits) <= limit


class FaultPicker:
    """Draws random faults at the configured rates (deterministic with `fault_seed`)."""

    def __init__(self) -> None:
        self._rng = random.Random()
        self._seed: int | None = None
        self._lock = threading.Lock()

    def pick(self, settings: SandboxSettings, method: str, path: str) -> str | None:
        """The fault for this request: a one-shot rule first, else a random draw, else None."""
        rule = settings.take_fault(method, path)
        if rule is not None:
            return rule
        with self._lock:
            if settings.fault_seed != self._seed:
                self._seed = settings.fault_seed
                if settings.fault_seed is not None:
                    self._rng.seed(settings.fault_seed)
            draws = [self._rng.random() for _ in range(3)]
        if draws[0] < settings.fault_5xx_rate:
            return "5xx"
        if method in WRITE_METHODS and draws[1] < settings.fault_drop_after_commit_rate:
            return "drop_after_commit"
        if draws[2] < settings.fault_slow_rate:
            return "slow"
        return None


class SandboxMiddleware:
    """Wraps the app: every `/developer/v1` request is delayed, limited, faulted and logged."""

    def __init__(
        self, app: ASGIApp, *, store: Store, settings: SandboxSettings, log: RequestLog
    ) -> None:
        self.app = app
        self.store = store
        self.settings = settings
        self.log = log
        self.limiter = RollingWindowLimit()
        self.faults = FaultPicker()
        self._late: set[asyncio.Task[None]] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI call."""
        if scope["type"] != "http" or not str(scope["path"]).startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        started = time.time()
        trace_id = uuid.uuid4().hex
        state: dict[str, Any] = {"code": 0, "fault": None, "logged": False}

        def record() -> None:
            if not state["logged"]:
                state["logged"] = True
                self.log.add(_logged(scope, state["code"], started, state["fault"]))

        async def tracing_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["code"] = int(message["status"])
                headers = list(message.get("headers", []))
                headers.append((b"x-trace-id", trace_id.encode()))
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                record()  # logged before the client can see the end of the response
            await send(message)

        try:
            body = await _bounded_body(scope, receive)
            if body is None:
                problem = ApiProblem(413, PAYLOAD_TOO_LARGE, _TOO_LARGE)
                await _send_problem(problem, scope, receive, tracing_send)
                return
            await self._serve(scope, _replay(body), tracing_send, state)
        finally:
            record()

    async def _serve(
        self, scope: Scope, receive: Receive, send: Send, state: dict[str, Any]
    ) -> None:
        settings = self.settings
        if settings.latency_ms > 0:
            await asyncio.sleep(settings.latency_ms / 1000)
        method = str(scope["method"])
        if not self.limiter.allow(
            self._client_key(scope), settings.rate_limit, settings.rate_window_s
        ):
            problem = ApiProblem(429, RATE_LIMITED, "Rate limit exceeded, try again later")
            await _send_problem(problem, scope, receive, send)
            return
        fault = self.faults.pick(settings, method, str(scope["path"]))
        state["fault"] = fault
        if fault == "5xx":
            problem = ApiProblem(500, SERVER_ERROR, "Internal server error (injected fault)")
            await _send_problem(problem, scope, receive, send)
        elif fault == "slow":
            await asyncio.sleep(settings.slow_ms / 1000)
            await self.app(scope, receive, send)
        elif fault == "drop_after_commit" and method in WRITE_METHODS:
            await self.app(scope, receive, _dropping(send))
        elif fault in LATE_FAULTS and method in WRITE_METHODS:
            await self._late_commit(scope, receive, send, drop=fault == "late_commit_drop")
        else:
            await self.app(scope, receive, send)

    async def _late_commit(self, scope: Scope, receive: Receive, send: Send, *, drop: bool) -> None:
        """Answer a write 504 (or drop it) now and perform it `late_commit_ms` later, as a
        Ramp whose gateway timed out while the write was still queued behind it."""
        body = await _read_body(receive)
        delay_s = self.settings.late_commit_ms / 1000
        task = asyncio.get_running_loop().create_task(
            _commit_later(self.app, dict(scope), body, delay_s)
        )
        self._late.add(task)
        task.add_done_callback(self._late.discard)
        if drop:
            await send(_FAKE_START)
            raise DroppedConnection("connection dropped; the write commits later (injected)")
        problem = ApiProblem(504, GATEWAY_TIMEOUT, "Gateway timeout (injected fault)")
        await _send_problem(problem, scope, receive, send)

    def _client_key(self, scope: Scope) -> str:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        header = headers.get("authorization")
        client = auth.basic_client_id(header) or auth.token_client(
            self.store, auth.bearer_token(header)
        )
        if client:
            return "client:" + client
        peer = scope.get("client") or ("?", 0)
        return f"ip:{peer[0]}"


def _dropping(send: Send) -> Send:
    """A `send` that, for a successful write, breaks the connection before the body.

    Instead of the real response it sends a response start promising a body, then raises,
    so the server aborts the connection (rather than answering 500) and the client sees a
    transport error. Refused requests (>= 400) are answered normally: nothing was committed.
    """
    refused = {"yes": False}

    async def drop(message: Message) -> None:
        if message["type"] == "http.response.start":
            if int(message["status"]) >= 400:
                refused["yes"] = True
            else:
                await send(_FAKE_START)
                raise DroppedConnection("connection dropped after commit (injected fault)")
        if refused["yes"]:
            await send(message)

    return drop


_FAKE_START: Message = {
    "type": "http.response.start",
    "status": 200,
    "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
}


_TOO_LARGE = f"Request body is larger than {MAX_BODY_BYTES} bytes"


async def _bounded_body(scope: Scope, receive: Receive) -> bytes | None:
    """The request body, or None when it is larger than MAX_BODY_BYTES (read no further)."""
    headers = dict(scope.get("headers") or [])
    declared = headers.get(b"content-length", b"").decode("latin-1").strip()
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = bytes(message.get("body", b""))
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    """A `receive` that hands the app the already-read body, then reports a disconnect."""
    delivered = {"yes": False}

    async def replay() -> Message:
        if delivered["yes"]:
            return {"type": "http.disconnect"}
        delivered["yes"] = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(bytes(message.get("body", b"")))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


async def _commit_later(app: ASGIApp, scope: Scope, body: bytes, delay_s: float) -> None:
    """Replay a write against the app after `delay_s`, discarding its answer."""
    await asyncio.sleep(delay_s)
    replay = _replay(body)

    async def discard(message: Message) -> None:
        return None

    try:
        await app(scope, replay, discard)
    except Exception:  # the late write failed: as in Ramp, nobody hears about it
        log.exception("late commit of %s %s failed", scope.get("method"), scope.get("path"))


async def _send_problem(problem: ApiProblem, scope: Scope, receive: Receive, send: Send) -> None:
    response = JSONResponse(problem.body(), status_code=problem.status)
    await response(scope, receive, send)


def _logged(scope: Scope, status: int, started: float, fault: str | None) -> LoggedRequest:
    return LoggedRequest(
        method=str(scope["method"]),
        path=str(scope["path"]),
        query=bytes(scope.get("query_string", b"")).decode("latin-1"),
        status=status,
        started_at=started,
        duration_ms=(time.time() - started) * 1000,
        fault=fault,
    )
