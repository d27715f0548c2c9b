"""Formatting of field values for every renderer, with sensitive values masked."""

from __future__ import annotations

import json
from typing import Any

from rampctl.sensitive import MASK, is_sensitive


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


__all__ = ["MASK", "is_sensitive", "show"]
