"""Build the sandbox's OpenAPI copy (`openapi.json`) from Ramp's published document.

Run from the repository: `python -m rampctl.sandbox.extract_openapi PATH/developer-api.json`.
It keeps only the operations the sandbox serves, and the schemas they reference, and applies
the deviations listed in `DEVIATIONS` (recorded in the output under `info.x-rampctl-deviations`):

- Ramp's 2026 additions (each entry starts with "2026 addition:"): `external_vendor_id` on
  vendor create/update bodies, on the Vendor objects and as a vendor list filter; `name` on
  the vendor update body; `POST /vendors/{vendor_id}/contacts` (contact creation) and the
  contact's `approval_status`;
- `pending_update` on the Vendor objects: how the sandbox shows a vendor edit held by an
  approval policy (Ramp does not document it);
- `vendor_owner_id` on the vendor update body (accepted by Ramp, undocumented in 2025);
- the error responses Ramp's error guide lists for every endpoint (400, 401, 403, 404, 422,
  429, 500 with the `error_v2` body) added to each operation that does not document them;
- no body on the 204 of `DELETE /bills/{bill_id}` (HTTP forbids one; Ramp documents `{}`);
- `oneOf` read as `anyOf` where Ramp's alternatives overlap (payment details, the current
  connection), since strict `oneOf` rejects every object Ramp's own examples show; and no
  discriminator on the bill payment details request body (its property is in the parent).
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

OPERATIONS: dict[str, tuple[str, ...]] = {
    "/developer/v1/token": ("post",),
    "/developer/v1/token/revoke": ("post",),
    "/developer/v1/business": ("get",),
    "/developer/v1/vendors": ("get", "post"),
    "/developer/v1/vendors/{vendor_id}": ("get", "patch", "delete"),
    "/developer/v1/vendors/{vendor_id}/contacts": ("get",),
    "/developer/v1/vendors/{vendor_id}/contacts/{vendor_contact_id}": ("get",),
    "/developer/v1/vendors/{vendor_id}/accounts": ("get",),
    "/developer/v1/vendors/{vendor_id}/accounts/{bank_account_id}": ("get",),
    "/developer/v1/accounting/connection": ("get", "post", "delete"),
    "/developer/v1/accounting/vendors": ("get", "post"),
    "/developer/v1/accounting/vendors/{vendor_id}": ("get", "patch", "delete"),
    "/developer/v1/accounting/all-connections": ("get",),
    "/developer/v1/users": ("get",),
    "/developer/v1/users/{user_id}": ("get", "patch"),
    "/developer/v1/users/{user_id}/deactivate": ("patch",),
    "/developer/v1/users/{user_id}/reactivate": ("patch",),
    "/developer/v1/users/deferred": ("post",),
    "/developer/v1/users/deferred/status/{task_id}": ("get",),
    "/developer/v1/entities": ("get",),
    "/developer/v1/entities/{entity_id}": ("get",),
    "/developer/v1/departments": ("get",),
    "/developer/v1/departments/{department_id}": ("get",),
    "/developer/v1/locations": ("get",),
    "/developer/v1/locations/{location_id}": ("get",),
    "/developer/v1/bills": ("get", "post"),
    "/developer/v1/bills/{bill_id}": ("get", "patch", "delete"),
}

DEVIATIONS = [
    "2026 addition: external_vendor_id added to ApiVendorCreateRequestBody, "
    "ApiVendorUpdateRequestBody, Vendor, ApiVendorDetailResource and as a query filter of "
    "GET /developer/v1/vendors (the sandbox's api_version=2025 drops it everywhere)",
    "2026 addition: name added to ApiVendorUpdateRequestBody (Ramp changelog 2026-08-27: a "
    "vendor's name can be changed with PATCH; refused as unknown under api_version=2025)",
    "2026 addition: POST /developer/v1/vendors/{vendor_id}/contacts with "
    "ApiVendorContactCreateRequestBody (email required; first_name, last_name, phone, "
    "is_default), answering 201 ApiVendorContactResource (Ramp changelog 2026-08-21; the path "
    "and status code are the sandbox's reading; absent under api_version=2025)",
    "2026 addition: approval_status (approved | pending_approval) added to "
    "ApiVendorContactResource (Ramp changelog 2026-08-21: a created contact is reported as "
    "approved or pending_approval)",
    "pending_update (nullable {status, requested_at, fields}) added to Vendor and "
    "ApiVendorDetailResource: a vendor edit held by an approval policy (Ramp's vendor controls; "
    "its API shape is undocumented, this is the sandbox's reading)",
    "vendor_owner_id added to ApiVendorUpdateRequestBody (accepted by Ramp, undocumented in 2025)",
    "error responses from Ramp's error guide (400/401/403/404/422/429/500, error_v2 body) added "
    "to operations that do not document them",
    "oneOf -> anyOf in ApiCreateBillPaymentRequestBody, ApiPaymentDetailsResource and the "
    "GET /developer/v1/accounting/connection 200 response: their alternatives overlap, so a "
    "strict oneOf rejects every valid object",
    "no discriminator on ApiCreateBillPaymentRequestBody: its propertyName (payment_method) is "
    "a field of the bill body, not of the payment details; the sandbox picks the variant by it "
    "(Ramp's mapping is kept as x-ramp-discriminator)",
]

DEVIATIONS.append(
    "the 204 response of DELETE /developer/v1/bills/{bill_id} has no content (HTTP forbids a "
    "body on 204; Ramp documents an empty object)"
)

OVERLAPPING_ONE_OF = ("ApiCreateBillPaymentRequestBody", "ApiPaymentDetailsResource")

ERROR_STATUSES = {
    "400": "Bad Request - Invalid request format",
    "401": "Unauthorized - Invalid or missing API token",
    "403": "Forbidden - Insufficient permissions",
    "404": "Not Found - Resource doesn't exist",
    "422": "Unprocessable Entity - Validation errors",
    "429": "Too Many Requests - Rate limit exceeded",
    "500": "Internal Server Error - Server-side issue",
}

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error_v2"],
    "properties": {
        "error_v2": {
            "type": "object",
            "required": ["error_code", "message"],
            "properties": {
                "error_code": {"type": "string"},
                "message": {"type": "string"},
                "additional_info": {"type": "object", "nullable": True},
                "notes": {"type": "string", "nullable": True},
            },
        },
        "error": {"nullable": True},
    },
}

_EXTERNAL_ID = {
    "type": "string",
    "nullable": True,
    "description": "The caller's own key for the vendor (Ramp 2026 API); filterable.",
}


def extract(document: dict[str, Any]) -> dict[str, Any]:
    """The in-scope subset of Ramp's OpenAPI `document`, with the deviations applied."""
    paths = {
        path: {m: copy.deepcopy(op) for m, op in document["paths"][path].items() if m in keep}
        for path, keep in OPERATIONS.items()
    }
    for path, item in document["paths"].items():
        if path in paths and "parameters" in item:
            paths[path]["parameters"] = copy.deepcopy(item["parameters"])
    schemas = document["components"]["schemas"]
    needed = _closure(paths, schemas)
    out: dict[str, Any] = {
        "openapi": document["openapi"],
        "info": {**document["info"], "x-rampctl-deviations": DEVIATIONS},
        "servers": document["servers"],
        "paths": paths,
        "components": {
            "schemas": {name: copy.deepcopy(schemas[name]) for name in sorted(needed)},
            "securitySchemes": copy.deepcopy(document["components"]["securitySchemes"]),
        },
    }
    _apply_deviations(out)
    return out


def _closure(paths: dict[str, Any], schemas: dict[str, Any]) -> set[str]:
    needed: set[str] = set()
    todo = list(_refs(paths))
    while todo:
        name = todo.pop()
        if name not in needed:
            needed.add(name)
            todo.extend(_refs(schemas[name]))
    return needed


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            yield ref.rsplit("/", 1)[1]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


_PENDING_UPDATE: dict[str, Any] = {
    "type": "object",
    "nullable": True,
    "description": "An edit held by a vendor approval policy: the new values, not yet in force.",
    "required": ["status", "requested_at", "fields"],
    "properties": {
        "status": {"type": "string", "enum": ["PENDING_APPROVAL"]},
        "requested_at": {"type": "string", "format": "date-time"},
        "fields": {"type": "object", "description": "The held fields and their new values."},
    },
}

_CONTACT_CREATE: dict[str, Any] = {
    "type": "object",
    "required": ["email"],
    "properties": {
        "email": {"type": "string", "format": "email"},
        "first_name": {"type": "string", "nullable": True},
        "last_name": {"type": "string", "nullable": True},
        "phone": {"type": "string", "nullable": True},
        "is_default": {"type": "boolean"},
    },
}


def _contact_create_operation() -> dict[str, Any]:
    contact = {"$ref": "#/components/schemas/ApiVendorContactResource"}
    body = {"$ref": "#/components/schemas/ApiVendorContactCreateRequestBody"}
    return {
        "operationId": "post_vendor_contact_resource",
        "summary": "Create a vendor contact (Ramp 2026 API)",
        "tags": ["Vendor"],
        "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
        "responses": {
            "201": {
                "description": "The contact, approved or pending approval",
                "content": {"application/json": {"schema": contact}},
            }
        },
        "security": [{"oauth2": ["vendors:write"]}],
    }


def _apply_2026_additions(out: dict[str, Any]) -> None:
    schemas = out["components"]["schemas"]
    schemas["ApiVendorUpdateRequestBody"]["properties"]["name"] = {
        "type": "string",
        "minLength": 1,
        "description": "The vendor's new name (Ramp 2026 API).",
    }
    schemas["ApiVendorContactCreateRequestBody"] = _CONTACT_CREATE
    schemas["ApiVendorContactResource"]["properties"]["approval_status"] = {
        "type": "string",
        "enum": ["approved", "pending_approval"],
        "description": "Whether the contact is in force or waits for approval (Ramp 2026 API).",
    }
    for name in ("Vendor", "ApiVendorDetailResource"):
        schemas[name]["properties"]["pending_update"] = copy.deepcopy(_PENDING_UPDATE)
    contacts = out["paths"]["/developer/v1/vendors/{vendor_id}/contacts"]
    contacts["post"] = _contact_create_operation()


def _apply_deviations(out: dict[str, Any]) -> None:
    _apply_2026_additions(out)
    schemas = out["components"]["schemas"]
    for name in ("Vendor", "ApiVendorDetailResource"):
        schemas[name]["properties"]["external_vendor_id"] = dict(_EXTERNAL_ID)
    for name in ("ApiVendorCreateRequestBody", "ApiVendorUpdateRequestBody"):
        schemas[name]["properties"]["external_vendor_id"] = dict(_EXTERNAL_ID)
    schemas["ApiVendorUpdateRequestBody"]["properties"]["vendor_owner_id"] = {
        "type": "string",
        "format": "uuid",
        "nullable": True,
        "description": "Ramp user id of the vendor owner; null clears it.",
    }
    schemas["ErrorV2Response"] = ERROR_SCHEMA
    for name in OVERLAPPING_ONE_OF:
        schemas[name]["anyOf"] = schemas[name].pop("oneOf")
    payment = schemas["ApiCreateBillPaymentRequestBody"]
    payment["x-ramp-discriminator"] = payment.pop("discriminator")
    out["paths"]["/developer/v1/bills/{bill_id}"]["delete"]["responses"]["204"].pop("content")
    current = out["paths"]["/developer/v1/accounting/connection"]["get"]["responses"]["200"]
    schema = current["content"]["application/json"]["schema"]
    schema["anyOf"] = schema.pop("oneOf")
    vendors = out["paths"]["/developer/v1/vendors"]["get"]
    vendors["parameters"].append(
        {
            "in": "query",
            "name": "external_vendor_id",
            "required": False,
            "description": "Filter by the caller's own vendor key (Ramp 2026 API).",
            "schema": {"type": "string"},
        }
    )
    for item in out["paths"].values():
        for method, op in item.items():
            if method != "parameters":
                _add_error_responses(op)


def _add_error_responses(op: dict[str, Any]) -> None:
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorV2Response"}}}
    for status, text in ERROR_STATUSES.items():
        response = op["responses"].setdefault(status, {"description": text})
        response.setdefault("content", copy.deepcopy(body))


def main(argv: list[str]) -> int:
    """Write `openapi.json` beside this module from the document at argv[0]."""
    source = Path(argv[0]) if argv else Path("tests/data/ramp-openapi/developer-api.json")
    document = json.loads(source.read_text(encoding="utf-8"))
    target = Path(__file__).with_name("openapi.json")
    target.write_text(json.dumps(extract(document), indent=1, sort_keys=True) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
