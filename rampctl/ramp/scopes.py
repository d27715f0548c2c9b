"""OAuth scopes rampctl asks for, and the scope each endpoint it calls needs (from the spec)."""

from __future__ import annotations

import re

READ_SCOPES: tuple[str, ...] = (
    "business:read",
    "users:read",
    "entities:read",
    "vendors:read",
    "accounting:read",
    "bills:read",
)
"""What `plan`, `validate` and other read-only commands request."""

WRITE_SCOPES: tuple[str, ...] = (
    "vendors:write",
    "accounting:write",
    "bills:write",
    "users:write",
)
"""What `apply` adds to the read scopes (only those its changes use)."""

_ENDPOINTS: tuple[tuple[str, str, str], ...] = (
    ("GET", r"/business", "business:read"),
    ("GET", r"/users(/[^/]+)?", "users:read"),
    ("GET", r"/users/deferred/status/[^/]+", "users:write"),
    ("POST|PATCH", r"/users(/[^/]+)?(/deactivate|/reactivate)?", "users:write"),
    ("GET", r"/entities(/[^/]+)?", "entities:read"),
    ("GET", r"/departments(/[^/]+)?", "departments:read"),
    ("GET", r"/locations(/[^/]+)?", "locations:read"),
    ("GET", r"/vendors(/[^/]+)?(/contacts|/accounts)?(/[^/]+)?", "vendors:read"),
    ("POST|PATCH|DELETE", r"/vendors(/[^/]+)?", "vendors:write"),
    ("POST", r"/vendors/[^/]+/contacts", "vendors:write"),
    ("GET", r"/accounting/.*", "accounting:read"),
    ("POST|PATCH|DELETE", r"/accounting/.*", "accounting:write"),
    ("GET", r"/bills(/[^/]+)?", "bills:read"),
    ("POST|PATCH|DELETE", r"/bills(/[^/]+)?", "bills:write"),
)
_COMPILED = tuple((re.compile(f"(?:{m})"), re.compile(f"{p}"), scope) for m, p, scope in _ENDPOINTS)


DIRECTORY_SCOPES: dict[str, str] = {
    "department": "departments:read",
    "location": "locations:read",
}
"""What reading departments or locations needs: asked for only when a User manifest names one."""


def scope_for(method: str, path: str) -> str | None:
    """The scope Ramp requires for `method path` (path relative to /developer/v1), if known."""
    for method_re, path_re, scope in _COMPILED:
        if method_re.fullmatch(method.upper()) and path_re.fullmatch(path):
            return scope
    return None


def scopes_for_writes(kinds: set[str]) -> tuple[str, ...]:
    """Read scopes plus the write scopes for the given kinds (`vendors`, `accounting`, `bills`,
    `users`)."""
    writes = tuple(s for s in WRITE_SCOPES if s.split(":")[0] in kinds)
    return READ_SCOPES + writes
