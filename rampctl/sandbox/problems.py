"""Errors the sandbox answers with, in Ramp's `error_v2` body shape.

Handlers raise `ApiProblem`; the app turns it into a JSON response:
`{"error_v2": {"error_code", "message", "additional_info", "notes"}, "error": ...}`.
"""

from __future__ import annotations

from typing import Any

VALIDATION = "DEVELOPER_7001"
UNAUTHORIZED = "DEVELOPER_7000"
UNKNOWN_TOKEN = "DEVELOPER_7002"
MISSING_SCOPE = "DEVELOPER_7100"
INVALID_INPUT = "DEVELOPER_7076"
NOT_FOUND = "DEVELOPER_7003"
RATE_LIMITED = "DEVELOPER_7429"
SERVER_ERROR = "DEVELOPER_7500"
GATEWAY_TIMEOUT = "DEVELOPER_7504"
PAYLOAD_TOO_LARGE = "DEVELOPER_7413"


class ApiProblem(Exception):
    """A request the sandbox refuses: HTTP status, Ramp error code, message, per-field info."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        additional_info: dict[str, Any] | None = None,
        oauth_error: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.additional_info = additional_info
        self.oauth_error = oauth_error

    def body(self) -> dict[str, Any]:
        """The JSON body Ramp sends for this error."""
        body: dict[str, Any] = {
            "error_v2": {
                "error_code": self.code,
                "message": self.message,
                "additional_info": self.additional_info,
                "notes": "",
            },
            "error": self.additional_info if self.additional_info else self.message,
        }
        if self.oauth_error:
            body["error"] = self.oauth_error
            body["error_description"] = self.message
        return body


def validation_error(fields: dict[str, list[str]]) -> ApiProblem:
    """422 DEVELOPER_7001 with per-field messages (the message is the first field's first)."""
    first = next(iter(fields.values()))[0] if fields else "Invalid request"
    return ApiProblem(422, VALIDATION, first, additional_info=fields)


def not_found(kind: str, object_id: str) -> ApiProblem:
    """404 for an unknown object id."""
    return ApiProblem(404, NOT_FOUND, f"{kind} {object_id} not found")


def bad_request(message: str, field: str | None = None) -> ApiProblem:
    """400 for a business-rule violation (Ramp's `InvalidInput`)."""
    info = {field: [message]} if field else None
    return ApiProblem(400, INVALID_INPUT, message, additional_info=info)
