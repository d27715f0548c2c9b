"""An answer from Ramp that holds NaN or Infinity is refused by the CLI, naming the request."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from starlette.responses import JSONResponse

from tests.functional.conftest import Project


def _vendor_pages_holding(number: float) -> Callable[[JSONResponse, Any], bytes]:
    """A Ramp whose vendor list pages hold `number` (NaN, Infinity), written as Python's json
    writes it: `NaN`, `-Infinity`, which JSON has not."""

    def render(self: JSONResponse, content: Any) -> bytes:
        items = content.get("data") if isinstance(content, dict) else None
        if isinstance(items, list) and items and "is_deletable" in items[0]:
            spend = {"amount": number, "currency_code": "USD"}
            content = {**content, "data": [{**items[0], "total_spend_ytd": spend}, *items[1:]]}
        return json.dumps(content, separators=(",", ":")).encode("utf-8")

    return render


@pytest.mark.parametrize("number", [float("nan"), float("-inf")])
def test_plan_refuses_a_vendor_list_holding_nan(
    project: Project, monkeypatch: pytest.MonkeyPatch, number: float
) -> None:
    monkeypatch.setattr(JSONResponse, "render", _vendor_pages_holding(number))
    planned = project.rampctl("plan")
    assert planned.code == 1, planned.out + planned.err
    assert (
        "GET /developer/v1/vendors: Ramp's answer holds NaN or Infinity, which are not JSON "
        "numbers; rampctl refuses it (HTTP 200) [x-trace-id "
    ) in planned.err
    assert "Traceback" not in planned.err
    for vendor in project.sandbox.store.find("vendor"):
        assert vendor["name"] not in planned.out + planned.err
    assert not (project.root / "rampctl.state.json").exists()  # nothing written
