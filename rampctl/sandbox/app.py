"""The sandbox ASGI application: Ramp's in-scope endpoints plus the `/_sandbox` admin API.

Admin endpoints (no auth; the server only listens on loopback unless told otherwise):
`GET|DELETE /_sandbox/requests` (the request log), `GET|PATCH /_sandbox/settings`
(JSON; `{"add_fault": {...}}` adds a one-shot FaultRule), `POST /_sandbox/clients`
(`{"client_id", "client_secret", "scopes": [...]}`), `POST /_sandbox/vendors/{vendor_id}/approve`
and `.../reject` (decide the vendor's pending contacts and update; see `approvals`).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match, Route

from rampctl.sandbox import (
    approvals,
    auth,
    routes_accounting,
    routes_auth,
    routes_bills,
    routes_connections,
    routes_contacts,
    routes_directory,
    routes_users,
    routes_vendors,
)
from rampctl.sandbox.api import problem_response, route
from rampctl.sandbox.middleware import ASGIApp, RequestLog, SandboxMiddleware
from rampctl.sandbox.problems import NOT_FOUND, ApiProblem
from rampctl.sandbox.settings import SandboxSettings
from rampctl.sandbox.store import Store

ENDPOINTS = [
    *routes_auth.ENDPOINTS,
    *routes_directory.ENDPOINTS,
    *routes_vendors.ENDPOINTS,
    *routes_accounting.ENDPOINTS,
    *routes_bills.ENDPOINTS,
    *routes_users.ENDPOINTS,
    *routes_contacts.ENDPOINTS,
    *routes_connections.ENDPOINTS,
]


def build_app(*, store: Store, settings: SandboxSettings, log: RequestLog) -> ASGIApp:
    """The whole sandbox as one ASGI app over `store`, tuned by `settings`, logging to `log`."""
    routes = [route(e) for e in ENDPOINTS] + _admin_routes()
    app = Starlette(
        routes=routes,
        exception_handlers={ApiProblem: _on_problem, HTTPException: _on_http},
    )
    app.state.store = store
    app.state.settings = settings
    app.state.log = log
    return SandboxMiddleware(app, store=store, settings=settings, log=log)


async def _on_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiProblem)
    return problem_response(exc)


async def _on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = NOT_FOUND if exc.status_code == 404 else f"HTTP_{exc.status_code}"
    response = problem_response(ApiProblem(exc.status_code, code, str(exc.detail)))
    if exc.status_code == 405:
        response.headers["Allow"] = ", ".join(_allowed(request))
    return response


def _allowed(request: Request) -> list[str]:
    """Every method some route serves at the request's path (routes are one per method)."""
    scope = {**request.scope, "method": ""}
    methods: set[str] = set()
    for candidate in request.app.routes:
        if isinstance(candidate, Route) and candidate.matches(scope)[0] is not Match.NONE:
            methods |= candidate.methods or set()
    return sorted(methods)


def _admin_routes() -> list[Route]:
    return [
        Route("/_sandbox/requests", _get_requests, methods=["GET"]),
        Route("/_sandbox/requests", _clear_requests, methods=["DELETE"]),
        Route("/_sandbox/settings", _get_settings, methods=["GET"]),
        Route("/_sandbox/settings", _patch_settings, methods=["PATCH"]),
        Route("/_sandbox/clients", _add_client, methods=["POST"]),
        Route("/_sandbox/vendors/{vendor_id}/{decision:str}", _decide, methods=["POST"]),
    ]


async def _get_requests(request: Request) -> Response:
    log: RequestLog = request.app.state.log
    return JSONResponse([dataclasses.asdict(item) for item in log.items()])


async def _clear_requests(request: Request) -> Response:
    request.app.state.log.clear()
    return Response(status_code=204)


async def _get_settings(request: Request) -> Response:
    return JSONResponse(request.app.state.settings.to_json())


async def _patch_settings(request: Request) -> Response:
    settings: SandboxSettings = request.app.state.settings
    try:
        changes = await _json_object(request)
        settings.update(changes)
    except (ValueError, TypeError) as exc:
        return JSONResponse({"error": str(exc)}, status_code=422)
    return JSONResponse(settings.to_json())


async def _add_client(request: Request) -> Response:
    try:
        body = await _json_object(request)
        scopes = [str(s) for s in body.get("scopes", auth.IN_SCOPE_SCOPES)]
        auth.add_client(
            request.app.state.store, str(body["client_id"]), str(body["client_secret"]), scopes
        )
    except (ValueError, TypeError, KeyError) as exc:
        return JSONResponse({"error": f"bad client: {exc}"}, status_code=400)
    return JSONResponse(
        {"client_id": body["client_id"], "scopes": sorted(set(scopes))}, status_code=201
    )


async def _decide(request: Request) -> Response:
    decision = request.path_params["decision"]
    if decision not in ("approve", "reject"):
        return JSONResponse({"error": "expected .../approve or .../reject"}, status_code=404)
    vendor_id = request.path_params["vendor_id"]
    try:
        counts = approvals.decide(request.app.state.store, vendor_id, approve=decision == "approve")
    except KeyError:
        return JSONResponse({"error": f"no vendor {vendor_id}"}, status_code=404)
    return JSONResponse(counts)


async def _json_object(request: Request) -> dict[str, Any]:
    data = json.loads(await request.body() or b"{}")
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    return data
