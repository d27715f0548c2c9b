"""Which fields hold sensitive data: never shown, never written to plan or state files."""

from __future__ import annotations

#: Field names whose values are sensitive (tax ids, bank numbers, credentials), at any depth.
SENSITIVE_KEYS = frozenset(
    {
        "tax_id",
        "tin",
        "ein",
        "ssn",
        "account_number",
        "routing_number",
        "iban",
        "swift",
        "bic",
        "client_secret",
        "access_token",
        "token",
    }
)
MASK = "(sensitive)"


def is_sensitive(path: str) -> bool:
    """Whether the last part of a dotted field path names a sensitive value."""
    return path.rsplit(".", 1)[-1].lower() in SENSITIVE_KEYS
