"""Validate requests the client built against Ramp's OpenAPI document (strict mode).

Uses the sandbox's in-scope copy (`rampctl/sandbox/openapi.json`) when it exists, else
Ramp's 2025 document (shipped in `tests/data/ramp-openapi/`) with the 2026
`external_vendor_id` additions patched in. Strict: every
object schema refuses properties it does not declare, and every query parameter must be
declared by the operation.

Ramp's bill `payment_details` is a `oneOf` whose discriminator (`payment_method`) lives on
the bill, not inside the details, so the discriminator is applied here by hand: the details
must match the variant its bill's `payment_method` maps to.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
from openapi_schema_validator import OAS30WriteValidator, oas30_format_checker

ROOT = Path(__file__).resolve().parents[2]
SANDBOX_SPEC = ROOT / "rampctl" / "sandbox" / "openapi.json"
RAMP_SPEC = ROOT / "tests" / "data" / "ramp-openapi" / "developer-api.json"


@cache
def spec() -> dict[str, Any]:
    """The strict spec used for validation."""
    path = SANDBOX_SPEC if SANDBOX_SPEC.exists() else RAMP_SPEC
    document = json.loads(path.read_text(encoding="utf-8"))
    _add_external_vendor_id(document)
    for schema in document["components"]["schemas"].values():
        _close(schema)
    payment = document["components"]["schemas"]["ApiCreateBillPaymentRequestBody"]
    payment["x-discriminator"] = (
        payment.pop("discriminator", None)
        or payment.get("x-ramp-discriminator")
        or _ramp_discriminator()
    )
    return document


def _ramp_discriminator() -> dict[str, Any]:
    """The payment-details discriminator of Ramp's own document."""
    document = json.loads(RAMP_SPEC.read_text(encoding="utf-8"))
    union = document["components"]["schemas"]["ApiCreateBillPaymentRequestBody"]
    return dict(union["discriminator"])


def validate_request(request: httpx.Request) -> None:
    """Raise if `request` does not match an operation of the spec (path, query, body)."""
    operation = _operation(request.method, request.url.path)
    _check_query(operation, request)
    if request.url.path.endswith("/developer/v1/token"):
        body: Any = dict(parse_qsl(request.content.decode()))
        _validate(body, {"$ref": "#/components/schemas/TokenRequestBody"})
        return
    content = operation.get("requestBody", {}).get("content", {})
    if not request.content:
        assert not operation.get("requestBody", {}).get("required"), "body required"
        return
    assert "application/json" in content, f"{request.method} {request.url.path} takes no body"
    body = json.loads(request.content)
    _validate(body, content["application/json"]["schema"])
    if isinstance(body, dict) and body.get("payment_details") is not None:
        _check_payment_variant(body)


def _check_payment_variant(bill: dict[str, Any]) -> None:
    union = spec()["components"]["schemas"]["ApiCreateBillPaymentRequestBody"]
    target = union["x-discriminator"]["mapping"].get(bill["payment_method"])
    assert target, f"payment_method {bill['payment_method']} takes no payment_details"
    _validate(bill["payment_details"], {"$ref": target})


def _validate(instance: Any, schema: dict[str, Any]) -> None:
    root = {**schema, "components": spec()["components"]}
    OAS30WriteValidator(root, format_checker=oas30_format_checker).validate(instance)


def _operation(method: str, path: str) -> dict[str, Any]:
    for template, item in spec()["paths"].items():
        pattern = re.sub(r"\{[^/]+\}", "[^/]+", template)
        if re.fullmatch(pattern, path) and method.lower() in item:
            operation = dict(item[method.lower()])
            shared = item.get("parameters", [])
            operation["parameters"] = [*shared, *operation.get("parameters", [])]
            return operation
    raise AssertionError(f"no operation {method} {path} in the spec")


def _check_query(operation: dict[str, Any], request: httpx.Request) -> None:
    declared = {p["name"]: p for p in operation["parameters"] if p.get("in") == "query"}
    for name, value in request.url.params.multi_items():
        assert name in declared, f"query parameter {name} is not in the spec"
        _validate(_coerce(value, declared[name].get("schema", {})), declared[name]["schema"])


def _coerce(value: str, schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "boolean":
        assert value in ("true", "false"), f"boolean query value {value!r}"
        return value == "true"
    if kind == "integer":
        return int(value)
    return value


def _close(schema: Any) -> None:
    if isinstance(schema, dict):
        if schema.get("type") == "object" and "properties" in schema:
            schema.setdefault("additionalProperties", False)
        for value in schema.values():
            _close(value)
    elif isinstance(schema, list):
        for value in schema:
            _close(value)


def _add_external_vendor_id(document: dict[str, Any]) -> None:
    """Patch in Ramp's 2026 external_vendor_id where the document predates it."""
    schemas = document["components"]["schemas"]
    field = {"type": "string", "nullable": True}
    for name in ("ApiVendorCreateRequestBody", "ApiVendorUpdateRequestBody", "Vendor"):
        schemas[name]["properties"].setdefault("external_vendor_id", copy.deepcopy(field))
    listing = document["paths"]["/developer/v1/vendors"]["get"]["parameters"]
    if not any(p["name"] == "external_vendor_id" for p in listing):
        listing.append({"name": "external_vendor_id", "in": "query", "schema": {"type": "string"}})
