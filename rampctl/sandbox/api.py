"""The plumbing every sandbox endpoint shares: auth, validation, pagination, JSON replies.

An endpoint is a plain function `handler(ctx) -> Reply` registered with its method, path
template (as in the OpenAPI document, without `/developer/v1`) and required scope. `route()`
wraps it into a Starlette route that checks the token and scope, validates the path, query
and body against the OpenAPI document, and shapes the reply to the documented schema.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from rampctl.sandbox import auth, spec
from rampctl.sandbox.problems import NOT_FOUND, ApiProblem, validation_error
from rampctl.sandbox.settings import SandboxSettings
from rampctl.sandbox.store import Filter, Store

PAGE_SIZE_MESSAGE = "Value must be between 2 and 100"


@dataclass(kw_only=True)
class Ctx:
    """One request as a handler sees it: typed inputs, the store, the settings."""

    store: Store
    settings: SandboxSettings
    method: str
    template: str
    url_base: str
    path: str
    params: dict[str, str]
    query: dict[str, Any]
    body: Any = None
    grant: auth.Grant | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Reply:
    """A handler's answer: status and JSON body (None for no body)."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Ctx], Reply]


@dataclass(frozen=True, kw_only=True)
class Endpoint:
    """A sandbox operation: method, path template, required scope (None: no token) and handler."""

    method: str
    template: str
    scope: str | None
    handler: Handler
    validate_body: bool = True


def now_iso() -> str:
    """The current time as Ramp formats date-times (UTC, `+00:00`)."""
    return datetime.now(UTC).isoformat()


def route(endpoint: Endpoint) -> Route:
    """The Starlette route serving `endpoint` under `/developer/v1`."""

    async def serve(request: Request) -> Response:
        if request.app.state.settings.is_absent(endpoint.method, endpoint.template):
            raise ApiProblem(404, NOT_FOUND, "The requested URL was not found on the server.")
        ctx = await _context(request, endpoint)
        reply = endpoint.handler(ctx)
        return render(endpoint, reply)

    return Route(spec.PREFIX + endpoint.template, serve, methods=[endpoint.method])


async def _context(request: Request, endpoint: Endpoint) -> Ctx:
    state = request.app.state
    store: Store = state.store
    settings: SandboxSettings = state.settings
    grant = None
    if endpoint.scope is not None:
        header = request.headers.get("authorization")
        grant = auth.check_token(store, header, settings.unknown_token_status)
        auth.require_scope(grant, endpoint.scope)
    params = {k: str(v) for k, v in request.path_params.items()}
    spec.validate_path(endpoint.method, endpoint.template, params)
    raw_query = dict(request.query_params)
    query = spec.validate_query(endpoint.method, endpoint.template, raw_query)
    if settings.ignore_list_filters and endpoint.method == "GET":
        query = {k: v for k, v in query.items() if k in ("page_size", "start")}
    body = await _body(request) if endpoint.method in ("POST", "PATCH") else None
    if body is _EMPTY:  # Ramp's document marks every POST/PATCH body it has as required
        if spec.body_required(endpoint.method, endpoint.template):
            raise validation_error({"_schema": ["A request body is required."]})
        body = {}
    if endpoint.method in ("POST", "PATCH") and not isinstance(body, dict):
        raise validation_error({"_schema": ["Invalid input type: expected a JSON object."]})
    if endpoint.validate_body and body is not None:
        spec.validate_body(
            endpoint.method, endpoint.template, body, reject_unknown=settings.reject_unknown_fields
        )
    return Ctx(
        store=store,
        settings=settings,
        method=endpoint.method,
        template=endpoint.template,
        url_base=str(request.base_url).rstrip("/"),
        path=request.url.path,
        params=params,
        query={**query, "_raw": raw_query},
        body=body,
        grant=grant,
        headers=dict(request.headers),
    )


_EMPTY: Any = object()
"""What `_body` returns for a request without a body."""


async def _body(request: Request) -> Any:
    raw = await request.body()
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    if not raw.strip():
        return _EMPTY
    if json_depth(raw) > MAX_JSON_DEPTH:
        message = f"JSON body is nested deeper than {MAX_JSON_DEPTH} levels."
        raise validation_error({"_schema": [message]})
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise validation_error({"_schema": ["Invalid JSON body."]}) from None


#: Deepest JSON nesting accepted in a request body (Ramp's bodies nest a few levels).
MAX_JSON_DEPTH = 32


def json_depth(raw: bytes) -> int:
    """How deeply the arrays and objects of a JSON text nest (strings skipped), in one pass."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


def render(endpoint: Endpoint, reply: Reply) -> Response:
    """The HTTP response for a reply, shaped to the documented response schema."""
    if reply.body is None:
        return Response(status_code=reply.status, headers=reply.headers)
    schema = spec.response_schema(endpoint.method, endpoint.template, reply.status)
    body = spec.conform(schema, reply.body) if schema is not None else reply.body
    return JSONResponse(body, status_code=reply.status, headers=reply.headers)


def page_size(ctx: Ctx) -> int:
    """The requested page size (default 20); a 422 outside 2..100."""
    size = ctx.query.get("page_size", 20)
    if not isinstance(size, int) or not 2 <= size <= 100:
        raise validation_error({"page_size": [PAGE_SIZE_MESSAGE]})
    return size


def paginate(
    ctx: Ctx,
    kind: str,
    filters: Sequence[Filter],
    render_item: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    parent: str | None = None,
    cursor: str = "id",
) -> Reply:
    """One keyset page `{data, page: {next}}`; `next` is a full URL keeping the filters.

    `cursor` is the key of the stored object that is its store id (the `start` value).
    """
    size = page_size(ctx)
    start = ctx.query.get("start")
    if start is not None and not ctx.store.has_start(kind, start):
        raise validation_error({"start": ["Invalid cursor: no object with this id."]})
    rows = ctx.store.page(kind, filters, parent=parent, start=start, limit=size + 1)
    more = len(rows) > size
    rows = rows[:size]
    next_url = _next_url(ctx, str(rows[-1][cursor])) if more else None
    return Reply(body={"data": [render_item(r) for r in rows], "page": {"next": next_url}})


def _next_url(ctx: Ctx, last_id: str) -> str:
    raw: dict[str, str] = dict(ctx.query["_raw"])
    raw.pop("start", None)
    raw.setdefault("page_size", str(page_size(ctx)))
    raw["start"] = last_id
    return f"{ctx.url_base}{ctx.path}?{urlencode(raw)}"


def require(obj: dict[str, Any] | None, kind: str, object_id: str) -> dict[str, Any]:
    """`obj`, or a 404 naming the kind and id."""
    if obj is None:
        from rampctl.sandbox.problems import not_found

        raise not_found(kind, object_id)
    return obj


def public(data: dict[str, Any]) -> dict[str, Any]:
    """The stored object without its internal (underscore) keys."""
    return {k: v for k, v in data.items() if not k.startswith("_")}


def problem_response(problem: ApiProblem) -> JSONResponse:
    """The error_v2 JSON response of a refused request."""
    return JSONResponse(problem.body(), status_code=problem.status)
