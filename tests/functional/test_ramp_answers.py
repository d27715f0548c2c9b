"""Answers from Ramp that rampctl cannot read.

A write Ramp took but answered with a body rampctl cannot read is "outcome uncertain": the
run looks the object up by its key, and no run ever creates it a second time. A read whose
answer does not fit is refused naming the request and the field, never the value."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.responses import Response

from rampctl.sandbox import api, app
from rampctl.sandbox.problems import RATE_LIMITED, ApiProblem
from tests.functional.conftest import Project

_RENDER = api.render


def _vendor_lists_with(field: str, value: Any) -> Callable[[api.Endpoint, Any], Response]:
    """A Ramp whose vendor lists give their first vendor `field: value`."""

    def render(endpoint: api.Endpoint, reply: Any) -> Response:
        response = _RENDER(endpoint, reply)
        if (endpoint.method, endpoint.template) == ("GET", "/vendors"):
            body = json.loads(response.body)
            if body.get("data"):
                body["data"][0][field] = value
            return Response(json.dumps(body).encode(), media_type="application/json")
        return response

    return render


def _first_answer_as(
    body: bytes, method: str, template: str
) -> Callable[[api.Endpoint, Any], Response]:
    """A Ramp whose first 2xx answer to `method template` is `body` (the write is made)."""
    done: list[bool] = []

    def render(endpoint: api.Endpoint, reply: Any) -> Response:
        response = _RENDER(endpoint, reply)
        if not done and (endpoint.method, endpoint.template) == (method, template):
            done.append(True)
            return Response(body, status_code=response.status_code, media_type="application/json")
        return response

    return render


def _vendor_keys(project: Project) -> list[str]:
    with project.api() as api:
        vendors = api.get("/vendors", params={"page_size": 100}).json()["data"]
    return [v["external_vendor_id"] for v in vendors if v.get("external_vendor_id")]


@pytest.mark.parametrize(
    "body",
    [b"<html>502 Bad Gateway</html>", b'{"name": "Acme"}', b'{"id": 5, "name": []}', b"[]"],
    ids=["not-json", "no-id", "wrong-types", "not-an-object"],
)
def test_a_created_vendor_answered_unreadably_is_found_by_key_not_created_twice(
    project: Project, monkeypatch: pytest.MonkeyPatch, body: bytes
) -> None:
    monkeypatch.setattr(api, "render", _first_answer_as(body, "POST", "/vendors"))
    applied = project.rampctl("apply", "--auto-approve")
    assert applied.code in (0, 6), applied.out + applied.err
    assert "Traceback" not in applied.err
    assert "unexpected" not in applied.err
    _next_apply_converges_with_no_duplicate(project)


def test_a_vendor_list_that_does_not_fit_is_refused_naming_the_field_never_the_value(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(api, "render", _vendor_lists_with("is_active", "TAXID-12-3456789"))
    log_file = tmp_path / "debug.log"
    planned = project.rampctl("-vv", "--log-file", str(log_file), "plan")
    assert planned.code == 1, planned.out + planned.err
    assert (
        "GET /developer/v1/vendors: Ramp's answer does not fit rampctl's Vendor "
        "(data.0.is_active: Input should be a valid boolean"
    ) in planned.err
    assert "[x-trace-id " in planned.err
    logged = log_file.read_text()
    for text in (planned.out, planned.err, logged):
        assert "TAXID" not in text
        assert "input_value" not in text and "Traceback" not in text
        assert "unexpected" not in text


def _limited_once_asking_for(monkeypatch: pytest.MonkeyPatch, seconds: int) -> None:
    """A Ramp that answers the first vendor create 429 with `Retry-After: seconds`, having
    made nothing."""
    context, problem_response = api._context, app.problem_response
    done: list[bool] = []

    async def limited_context(request: Any, endpoint: api.Endpoint) -> Any:
        if not done and (endpoint.method, endpoint.template) == ("POST", "/vendors"):
            done.append(True)
            raise ApiProblem(429, RATE_LIMITED, "Rate limit exceeded, try again later")
        return await context(request, endpoint)

    def with_retry_after(problem: ApiProblem) -> Response:
        response = problem_response(problem)
        if problem.status == 429:
            response.headers["Retry-After"] = str(seconds)
        return response

    monkeypatch.setattr(api, "_context", limited_context)
    monkeypatch.setattr(app, "problem_response", with_retry_after)


def test_apply_stops_starting_writes_when_ramp_asks_for_an_hours_wait(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    _limited_once_asking_for(monkeypatch, 3600)
    applied = project.rampctl(
        "apply", "--auto-approve", "--continue-on-error", "--parallelism", "1"
    )
    assert applied.code == 1, applied.out + applied.err
    assert (
        "POST /developer/v1/vendors: Ramp asked rampctl to wait 3600 s before its next request "
        "(Retry-After), longer than a run waits (120 s)"
    ) in applied.out + applied.err
    assert " not started" in applied.err
    assert "Traceback" not in applied.err
    writes = project.writes()
    assert writes.count("POST /developer/v1/vendors") == 1  # nothing started after the 429
    _next_apply_converges_with_no_duplicate(project)


def _vendor_lists_holding(raw: bytes) -> Callable[[api.Endpoint, Any], Response]:
    """A Ramp whose vendor lists give their first vendor a field `x` written as `raw`."""

    def render(endpoint: api.Endpoint, reply: Any) -> Response:
        response = _RENDER(endpoint, reply)
        if (endpoint.method, endpoint.template) == ("GET", "/vendors"):
            body = bytes(response.body).replace(b'"data":[{', b'"data":[{"x":%s,' % raw, 1)
            return Response(body, media_type="application/json")
        return response

    return render


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"1e400", "Ramp's answer holds a number too large for a float; rampctl refuses it"),
        (b"-1e400", "Ramp's answer holds a number too large for a float; rampctl refuses it"),
        (b"[" * 5000 + b"]" * 5000, "Ramp's answer is nested too deeply to read"),
    ],
    ids=["1e400", "-1e400", "deep"],
)
def test_a_vendor_list_holding_an_unreadable_value_is_refused(
    project: Project, monkeypatch: pytest.MonkeyPatch, raw: bytes, reason: str
) -> None:
    monkeypatch.setattr(api, "render", _vendor_lists_holding(raw))
    planned = project.rampctl("plan")
    assert planned.code == 1, planned.out + planned.err
    assert f"GET /developer/v1/vendors: {reason}" in planned.err
    assert "Traceback" not in planned.err and "unexpected" not in planned.err
    assert not (project.root / "rampctl.state.json").exists()


def _next_apply_converges_with_no_duplicate(project: Project) -> None:
    """The next apply finishes what is left, no vendor key is in Ramp twice, and a plan then
    has nothing to do."""
    again = project.rampctl("apply", "--auto-approve")
    assert again.code == 0, again.out + again.err
    keys = _vendor_keys(project)
    assert len(keys) == len(set(keys)), f"duplicate vendors: {sorted(keys)}"
    planned = project.rampctl("plan", "--detailed-exitcode")
    assert planned.code == 0, planned.out + planned.err
