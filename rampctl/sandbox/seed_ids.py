"""Deterministic ids and timestamps of seeded objects, shared by every seed module."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

NAMESPACE = uuid.UUID("6f1c3e0a-2b8d-4c55-9a51-0d5f2b7a9e11")
BASE_TIME = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


def ident(name: str) -> str:
    """The fixed uuid of a seeded object."""
    return str(uuid.uuid5(NAMESPACE, name))


def stamp(offset_s: float = 0) -> str:
    """A fixed seed timestamp, `offset_s` seconds after the seed epoch."""
    return (BASE_TIME + timedelta(seconds=offset_s)).isoformat()
