"""A scriptable in-memory Ramp for unit tests of the client (via httpx.MockTransport)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx

from rampctl.ramp.config import ClientConfig
from rampctl.ramp.limiter import Priority, RateLimiter, Ticket

BASE = "http://127.0.0.1:9"
API = BASE + "/developer/v1"
CLIENT_SECRET = "canary-secret-9f3b1e"
Handler = Callable[[httpx.Request], httpx.Response]


def config(**overrides: Any) -> ClientConfig:
    """A ClientConfig for the fake with small waits."""
    values: dict[str, Any] = {
        "base_url": BASE,
        "client_id": "client-1",
        "client_secret": CLIENT_SECRET,
        "max_retry_s": 5.0,
        "retry_wait_initial_s": 0.01,
        "retry_wait_max_s": 0.05,
        "backoff_429_s": 0.05,
    }
    values.update(overrides)
    return ClientConfig(**values)


def error(status: int, code: str, message: str, **headers: str) -> httpx.Response:
    """An error answer in Ramp's error_v2 shape."""
    body = {
        "error_v2": {"error_code": code, "message": message, "additional_info": {}, "notes": ""}
    }
    return httpx.Response(status, json=body, headers={"x-trace-id": "trace-123", **headers})


@dataclass
class FakeRamp:
    """Routes requests to per-(method, path) scripts; unscripted lists come from `lists`."""

    scope: str | None = None
    lists: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    scripts: dict[tuple[str, str], list[Handler | httpx.Response | Exception]] = field(
        default_factory=dict
    )
    requests: list[httpx.Request] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)

    def transport(self) -> httpx.MockTransport:
        """The transport to hand to RampClient."""
        return httpx.MockTransport(self.handle)

    def script(self, method: str, path: str, *steps: Handler | httpx.Response | Exception) -> None:
        """Answer the next calls to `method path` with `steps`, in order."""
        self.scripts.setdefault((method, path), []).extend(steps)

    def sent(self, method: str, path: str) -> list[httpx.Request]:
        """Requests received for `method path` (path relative to /developer/v1)."""
        full = "/developer/v1" + path
        return [r for r in self.requests if r.method == method and r.url.path == full]

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path.removeprefix("/developer/v1")
        steps = self.scripts.get((request.method, path))
        if steps:
            step = steps.pop(0)
            if isinstance(step, Exception):
                raise step
            return step if isinstance(step, httpx.Response) else step(request)
        if path == "/token":
            return self._token(request)
        if request.method == "GET" and path in self.lists:
            return self._page(request, self.lists[path])
        return error(404, "DEVELOPER_404", f"no route {request.method} {path}")

    def _token(self, request: httpx.Request) -> httpx.Response:
        token = f"ramp_tok_{uuid.uuid4().hex}"
        self.tokens.append(token)
        form = dict(parse_qsl(request.content.decode()))
        scope = self.scope if self.scope is not None else form["scope"]
        return httpx.Response(
            200,
            json={
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": 864000,
                "scope": scope,
            },
        )

    def _page(self, request: httpx.Request, items: list[dict[str, Any]]) -> httpx.Response:
        size = int(request.url.params.get("page_size", "20"))
        start = request.url.params.get("start")
        index = 0 if start is None else [i["id"] for i in items].index(start) + 1
        chunk = items[index : index + size]
        more = index + size < len(items)
        next_url = str(request.url.copy_set_param("start", chunk[-1]["id"])) if more else None
        body = {"data": chunk, "page": {"next": next_url}}
        return httpx.Response(
            200, content=json.dumps(body).encode(), headers={"content-type": "application/json"}
        )


def vendor(n: int, **extra: Any) -> dict[str, Any]:
    """A vendor object as Ramp returns it, with an unknown extra field."""
    return {
        "id": f"00000000-0000-0000-0000-{n:012d}",
        "name": f"Vendor {n}",
        "country": "US",
        "accounting_vendor_remote_id": None,
        "contacts": [],
        "is_active": True,
        "is_deletable": True,
        "created_at": "2024-01-01T00:00:00+00:00",
        "total_spend_ytd": {"amount": 0, "currency_code": "USD"},
        "some_future_field": {"x": 1},
        **extra,
    }


class RecordingLimiter(RateLimiter):
    """A limiter that notes the priority class of every request it lets go."""

    def __init__(self) -> None:
        super().__init__(limit=200, window_s=10.0)
        self.levels: list[Priority] = []

    def acquire(self, level: Priority | None = None) -> Ticket:
        ticket = super().acquire(level)
        self.levels.append(ticket.priority)
        return ticket
