"""The sandbox's copy of Ramp's OpenAPI document, and request validation against it.

`openapi.json` beside this module is the in-scope subset of Ramp's document (built by
`extract_openapi`). Query parameters and JSON bodies are validated with
openapi-schema-validator; failures become per-field messages for a 422 `DEVELOPER_7001`.
Responses are shaped to the document's response schemas by `conform`.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from openapi_schema_validator import OAS30Validator, oas30_format_checker

from rampctl.sandbox.problems import validation_error

SPEC_PATH = Path(__file__).with_name("openapi.json")
PREFIX = "/developer/v1"


@cache
def document() -> dict[str, Any]:
    """The parsed OpenAPI document shipped with the sandbox."""
    return dict(json.loads(SPEC_PATH.read_text(encoding="utf-8")))


def operation(method: str, template: str) -> dict[str, Any]:
    """The OpenAPI operation object for `method` on the path template (without prefix)."""
    return dict(document()["paths"][PREFIX + template][method.lower()])


@cache
def _validator(schema_json: str) -> OAS30Validator:
    schema = json.loads(schema_json)
    schema["components"] = document()["components"]
    return OAS30Validator(schema, format_checker=oas30_format_checker)


def validator_for(schema: dict[str, Any]) -> OAS30Validator:
    """A cached validator for a schema that may use `#/components/...` references."""
    return _validator(json.dumps(schema, sort_keys=True))


def schema_ref(name: str) -> dict[str, Any]:
    """A `$ref` schema to the named component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def errors_of(schema: dict[str, Any], value: Any) -> dict[str, list[str]]:
    """Per-field validation messages for `value` against `schema` (empty when valid)."""
    fields: dict[str, list[str]] = {}
    for error in validator_for(schema).iter_errors(value):
        path = ".".join(str(p) for p in error.absolute_path)
        if error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else ""
            path = ".".join(p for p in (path, missing) if p)
            message = "Missing data for required field."
        else:
            message = _message(error)
        fields.setdefault(path or "_schema", []).append(message)
    return fields


def _message(error: Any) -> str:
    if error.validator in ("oneOf", "anyOf"):
        return "Invalid value."
    return str(error.message)


def body_required(method: str, template: str) -> bool:
    """Whether the operation's request body is required (`requestBody.required`)."""
    return bool(operation(method, template).get("requestBody", {}).get("required"))


def validate_body(method: str, template: str, body: Any, *, reject_unknown: bool) -> None:
    """Raise a 422 ApiProblem unless `body` fits the operation's request body schema."""
    op = operation(method, template)
    content = op.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is None:
        return
    if not isinstance(body, dict):
        raise validation_error({"_schema": ["Invalid input type."]})
    fields = errors_of(schema, body)
    if reject_unknown:
        for key in unknown_fields(schema, body):
            fields.setdefault(key, []).append("Unknown field.")
    if fields:
        raise validation_error(fields)


def unknown_fields(schema: dict[str, Any], body: dict[str, Any]) -> list[str]:
    """Top-level keys of `body` the (referenced) object schema does not define."""
    resolved = resolve(schema)
    props = resolved.get("properties")
    if props is None:
        return []
    return [key for key in body if key not in props]


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """Follow `$ref` and single-item `allOf` wrappers to the concrete schema."""
    while True:
        if "$ref" in schema:
            schema = document()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        elif "allOf" in schema and len(schema["allOf"]) == 1:
            schema = schema["allOf"][0]
        else:
            return schema


def validate_query(method: str, template: str, query: dict[str, str]) -> dict[str, Any]:
    """Coerce query strings to their schema types and validate; return the typed values."""
    params = [p for p in _parameters(method, template) if p.get("in") == "query"]
    schemas = {p["name"]: p.get("schema", {}) for p in params}
    typed = {k: _coerce(schemas.get(k, {}), v) for k, v in query.items() if k in schemas}
    object_schema = {
        "type": "object",
        "properties": schemas,
        "required": [p["name"] for p in params if p.get("required")],
    }
    fields = errors_of(object_schema, typed)
    if fields:
        raise validation_error(fields)
    return typed


def validate_path(method: str, template: str, values: dict[str, str]) -> None:
    """Raise a 422 ApiProblem when a path parameter breaks its schema (e.g. not a uuid)."""
    params = [p for p in _parameters(method, template) if p.get("in") == "path"]
    schema = {"type": "object", "properties": {p["name"]: p.get("schema", {}) for p in params}}
    fields = errors_of(schema, values)
    if fields:
        raise validation_error(fields)


def _parameters(method: str, template: str) -> list[dict[str, Any]]:
    item = document()["paths"][PREFIX + template]
    return [*item.get("parameters", []), *item[method.lower()].get("parameters", [])]


def _coerce(schema: dict[str, Any], raw: str) -> Any:
    kind = schema.get("type")
    if kind == "integer":
        try:
            return int(raw)
        except ValueError:
            return raw
    if kind == "boolean":
        lowered = raw.lower()
        return {"true": True, "false": False}.get(lowered, raw)
    if kind == "number":
        try:
            return float(raw)
        except ValueError:
            return raw
    return raw


def conform(schema: dict[str, Any], value: Any) -> Any:
    """Drop null properties the response schema does not allow to be null, recursively."""
    schema = resolve(schema)
    if isinstance(value, dict):
        props = schema.get("properties", {})
        out = {}
        for key, item in value.items():
            prop = props.get(key)
            if item is None and prop is not None and not prop.get("nullable", False):
                continue
            out[key] = conform(prop, item) if prop is not None else item
        return out
    if isinstance(value, list) and "items" in schema:
        return [conform(schema["items"], item) for item in value]
    return value


def response_schema(method: str, template: str, status: int) -> dict[str, Any] | None:
    """The JSON schema of the documented response, or None."""
    response = operation(method, template)["responses"].get(str(status), {})
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    return None if schema is None else dict(schema)
