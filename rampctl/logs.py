"""Logging set-up for the CLI, with redaction of secrets in every log line.

Any code that learns a secret (client secret, access token) registers it with
`register_secret`; every handler installed here passes records through
`RedactingFilter`, so the value never reaches the terminal or a log file.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from rampctl.sensitive import SENSITIVE_KEYS

MASK = "***"
_PATTERNS = (
    re.compile(r"ramp_tok_[A-Za-z0-9_\-]+"),
    re.compile(r"(?i)(bearer|basic)\s+[A-Za-z0-9+/=._\-]{8,}"),
    re.compile(r"(?i)(client_secret|access_token|refresh_token)=[^&\s]+"),
)
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^/@:\s]*:)[^/@\s]*@")
_QUERY_PASSWORD = re.compile(r"(?i)(?P<head>[?&](password|secret[_a-z]*)=)[^&\s]*")
_KEYS = "|".join(sorted(SENSITIVE_KEYS, key=len, reverse=True))
#: A sensitive field and its value: `"tax_id": "12-3456789"`, `tax_id='…'`, `tax_id 'x'`;
#: never the last segment of a URL path (`POST /developer/v1/token: Ramp refused …`).
_SENSITIVE_FIELD = re.compile(
    rf"""(?ix)(?P<head>["']?\b(?<!/)(?:{_KEYS})\b["']?(?:\s*[:=]\s*|\s+(?=["'])))"""
    r"""(?P<value>"[^"]*"|'[^']*'|[^\s,;}\])&]+)"""
)
#: A pydantic error about a sensitive field: the field on one line, its input on the next.
_SENSITIVE_INPUT = re.compile(
    rf"(?i)(?P<head>\b(?:{_KEYS})\b[^\n]*\n[^\n]*?input_value=)(?P<value>.*?)(?=, input_type=|\]$)",
    re.MULTILINE,
)
#: A pydantic error's input that is a whole object or list (possibly truncated, so its
#: field names cannot be trusted to show): never quoted.
_OBJECT_INPUT = re.compile(r"(?P<head>input_value=)(?P<value>[\[{].*?)(?=, input_type=)")
_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Remember a secret so it is masked wherever it would be logged or shown."""
    if value and len(value) >= 4:
        _secrets.add(value)


def redact(text: str) -> str:
    """Mask registered secrets, token-shaped strings and the values of sensitive fields
    (tax ids, bank numbers: see `rampctl.sensitive`) in `text`."""
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(_mask_match, text)
    text = _OBJECT_INPUT.sub(lambda m: f"{m.group('head')}{MASK}", text)
    text = _SENSITIVE_INPUT.sub(lambda m: f"{m.group('head')}{MASK}", text)
    text = _SENSITIVE_FIELD.sub(lambda m: f"{m.group('head')}{MASK}", text)
    return mask_url(text)


def mask_url(text: str) -> str:
    """`text` with any password in a URL (`scheme://user:PASSWORD@`, `?password=`) masked."""
    text = _URL_PASSWORD.sub(lambda m: f"{m.group('head')}{MASK}@", text)
    return _QUERY_PASSWORD.sub(lambda m: f"{m.group('head')}{MASK}", text)


def _mask_match(match: re.Match[str]) -> str:
    if match.lastindex:
        head = match.group(1)
        sep = "=" if match.group(0)[len(head)] == "=" else " "
        return f"{head}{sep}{MASK}"
    return MASK


class RedactingFilter(logging.Filter):
    """Rewrites each record's message with secrets masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


def setup_logging(verbosity: int, log_file: Path | None) -> None:
    """Send warnings (or more with -v) to stderr and everything to `log_file` if given."""
    root = logging.getLogger("rampctl")
    close_logging()
    root.setLevel(logging.DEBUG)
    root.propagate = False
    console = logging.StreamHandler()
    console.setLevel({0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG))
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    _add(root, console)
    if log_file is not None:
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        _add(root, handler)


def _add(logger: logging.Logger, handler: logging.Handler) -> None:
    handler.addFilter(RedactingFilter())
    logger.addHandler(handler)


def close_logging() -> None:
    """Close and remove the handlers `setup_logging` installed (the log file included)."""
    root = logging.getLogger("rampctl")
    for handler in list(root.handlers):
        handler.close()
        root.removeHandler(handler)
