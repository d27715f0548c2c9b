"""Normalisation shared by desired (manifest) and live (Ramp) values: equal things compare equal."""

from __future__ import annotations

import re
from collections.abc import Iterable

_PHONE_NOISE = re.compile(r"[\s().\-]")


def text(value: object) -> str | None:
    """A trimmed string, with empty strings read as absent."""
    if value is None:
        return None
    stripped = str(value).strip()
    return stripped or None


def email(value: object) -> str | None:
    """An email address, trimmed and lower-cased."""
    trimmed = text(value)
    return trimmed.lower() if trimmed else None


def code(value: object) -> str | None:
    """A country or region code, trimmed and upper-cased (long names are kept as written)."""
    trimmed = text(value)
    if trimmed is None:
        return None
    return trimmed.upper() if len(trimmed) <= 3 else trimmed


def phone(value: object) -> str | None:
    """A phone number without spaces, dots, dashes or brackets."""
    trimmed = text(value)
    return _PHONE_NOISE.sub("", trimmed) if trimmed else None


def flag(value: object) -> bool | None:
    """A yes/no value, with absent kept absent."""
    return None if value is None else bool(value)


def ids(value: Iterable[str] | None) -> tuple[str, ...]:
    """Ids, sorted (order carries no meaning)."""
    return tuple(sorted(value or []))
