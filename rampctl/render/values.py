"""Formatting of field values for every renderer, with sensitive values masked."""

from __future__ import annotations

import json
from typing import Any

MASK = "(sensitive)"
#: Field names whose values are never shown (tax ids, bank numbers).
SENSITIVE = frozenset(
    {"tax_id", "tin", "ein", "ssn", "account_number", "routing_number", "iban", "swift", "bic"}
)


def is_sensitive(path: str) -> bool:
    """Whether the last part of a dotted field path names a sensitive value."""
    return path.rsplit(".", 1)[-1].lower() in SENSITIVE


def show(path: str, value: Any) -> str:
    """A value as a reviewer should read it: JSON literals, masked when sensitive."""
    if value is not None and is_sensitive(path):
        return MASK
    if value is None:
        return "(none)"
    if isinstance(value, dict):
        inner = {k: v for k, v in value.items() if v is not None}
        return json.dumps({k: MASK if is_sensitive(k) else v for k, v in inner.items()})
    return json.dumps(value, ensure_ascii=False)
