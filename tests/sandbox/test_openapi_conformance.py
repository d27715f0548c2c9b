"""Ramp's OpenAPI document, run against the sandbox with schemathesis.

For every in-scope operation, schemathesis generates requests (valid ones, invalid ones, and
valid ones aimed at existing demo objects) and checks that every response has a documented
status code, content type and a body that conforms to the document's response schema, and
that no request makes the sandbox fail with a 5xx.

Bounded for the default test run; set RAMPCTL_SCHEMATHESIS_EXAMPLES (e.g. 300) for a full run.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from rampctl.sandbox import seed_demo, spec
from rampctl.sandbox.embedded import RunningSandbox, running_sandbox
from rampctl.sandbox.extract_openapi import extract
from rampctl.sandbox.seed import ident
from tests.sandbox.conftest import get_token

EXAMPLES = int(os.environ.get("RAMPCTL_SCHEMATHESIS_EXAMPLES", "8"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
SCHEMA = schemathesis.openapi.from_dict(spec.document())
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
RAMP_DOCUMENT = Path(__file__).parents[1] / "data" / "ramp-openapi" / "developer-api.json"
DEMO_IDS = {
    "vendor_id": seed_demo.vendor_id("acme"),
    "vendor_contact_id": ident("contact:acme"),
    "bank_account_id": ident("vendor-bank-account:acme"),
    "user_id": ident("user:bob.martin@northwind.example"),
    "entity_id": ident("entity:us"),
    "bill_id": ident("bill:INV-1002"),
    "department_id": ident("department:Engineering"),
    "location_id": ident("location:London"),
}
ACCOUNTING_VENDOR_ID = ident("accounting-vendor:QB-1005")


def _pinned_ids(path: str) -> dict[str, str]:
    names = [p.strip("{}") for p in path.split("/") if p.startswith("{")]
    ids = dict(DEMO_IDS)
    if path.startswith(spec.PREFIX + "/accounting/vendors"):
        ids["vendor_id"] = ACCOUNTING_VENDOR_ID
    return {name: ids[name] for name in names if name in ids}


def _invite_task(sandbox: RunningSandbox) -> str:
    """The id of a user invite task in `sandbox` (so status reads find a real task)."""
    body = {
        "email": "conformance@northwind.example",
        "first_name": "Con",
        "last_name": "Formance",
        "role": "BUSINESS_USER",
        "idempotency_key": "conformance",
    }
    headers = {"Authorization": f"Bearer {get_token(sandbox)}"}
    url = sandbox.base_url + spec.PREFIX + "/users/deferred"
    response = httpx.post(url, json=body, headers=headers)
    response.raise_for_status()
    return str(response.json()["id"])


def _run(strategy: Any, call: Callable[[Any], None]) -> None:
    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        call(case)

    check()


def _caller(sandbox: RunningSandbox, path: str) -> Callable[[Any], None]:
    public = path.startswith(spec.PREFIX + "/token")
    headers = {} if public else {"Authorization": f"Bearer {get_token(sandbox)}"}

    def call(case: Any) -> None:
        case.call_and_validate(base_url=sandbox.base_url, headers=headers, checks=CHECKS)

    return call


@pytest.mark.parametrize(
    "operation",
    OPERATIONS,
    ids=[f"{o.method.upper()} {o.path[len(spec.PREFIX) :]}" for o in OPERATIONS],
)
def test_operation_conforms_to_ramp_document(operation: Any) -> None:
    with running_sandbox(seed="demo") as sandbox:
        sandbox.settings.rate_limit = 1_000_000
        call = _caller(sandbox, operation.path)
        _run(operation.as_strategy(), call)
        pinned = _pinned_ids(operation.path)
        if "{task_id}" in operation.path:
            pinned["task_id"] = _invite_task(sandbox)
        if pinned:
            _run(operation.as_strategy(path_parameters=pinned), call)
        negative = operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE)
        with contextlib.suppress(Unsatisfiable):  # nothing in it can be made invalid
            _run(negative, call)


def test_every_in_scope_operation_is_checked() -> None:
    assert len(OPERATIONS) == 40


def test_shipped_document_is_rampS_document_with_recorded_deviations() -> None:
    ramp = json.loads(RAMP_DOCUMENT.read_text(encoding="utf-8"))
    assert extract(ramp) == spec.document()
    assert spec.document()["info"]["x-rampctl-deviations"]
