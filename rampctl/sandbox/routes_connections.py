"""`GET /accounting/all-connections`: every accounting connection of the business.

Ramp deprecates `GET /accounting/connection` (the active one) in favour of this list, which
also holds disconnected connections (`is_active` false, status "unlinked").
"""

from __future__ import annotations

from rampctl.sandbox.api import Ctx, Endpoint, Reply


def list_connections(ctx: Ctx) -> Reply:
    """All connections, in creation order."""
    return Reply(body={"connections": ctx.store.find("connection")})


ENDPOINTS = [
    Endpoint(
        method="GET",
        template="/accounting/all-connections",
        scope="accounting:read",
        handler=list_connections,
    ),
]
