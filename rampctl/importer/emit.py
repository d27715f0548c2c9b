"""Manifest text for import, written directly for speed in exactly ruamel.yaml's form.

A YAML round trip through ruamel.yaml costs about 4 ms a document; an import of 10,000
vendors would spend 40 s there. Import's documents are small mappings of text and booleans,
so they are written directly: keys in the spec's order (the order `rampctl fmt` uses), each
text plain or double-quoted by the one quoting rule (`rampctl.manifest.quoting`). A document
holding text this writer cannot write verbatim (quotes to escape, line breaks, very long
text) returns None and is written by ruamel.yaml (`rampctl.manifest.quoting.dump_yaml`) and
`rampctl fmt` instead. Tests check that both give the same text, and that it is a fixed
point of `rampctl fmt`.
"""

from __future__ import annotations

import re
from typing import Any

from rampctl.manifest.position import FieldPath
from rampctl.manifest.quoting import needs_quotes
from rampctl.manifest.specs import MANIFEST_MODELS
from rampctl.manifest.validate import fields_at

_QUOTABLE = re.compile(r"[ !#-\[\]-~]+")
"""Printable ASCII without `"` and `\\`: written inside double quotes as it is."""
_MAX = 1000


class _Unsupported(Exception):
    """A value the direct writer leaves to the YAML library."""


def document_text(document: dict[str, Any]) -> str | None:
    """The canonical text of one manifest document, or None to use the YAML library."""
    model = MANIFEST_MODELS.get(str(document.get("kind")))
    if model is None:
        return None
    lines: list[str] = []
    try:
        _mapping(document, model, (), 0, lines)
    except _Unsupported:
        return None
    return "".join(lines)


def _mapping(
    value: dict[str, Any], model: Any, path: FieldPath, indent: int, lines: list[str]
) -> None:
    order = fields_at(model, path)
    keys = [k for k in order if k in value] + [k for k in value if k not in order]
    pad = " " * indent
    for key in keys:
        item = value[key]
        if isinstance(item, dict):
            lines.append(f"{pad}{key}:\n")
            _mapping(item, model, (*path, key), indent + 2, lines)
        else:
            lines.append(f"{pad}{key}: {scalar(item)}\n")


def scalar(value: Any) -> str:
    """A boolean or text as `rampctl fmt` writes it; _Unsupported for anything else."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if not isinstance(value, str) or not value or len(value) > _MAX:
        raise _Unsupported
    if not needs_quotes(value):
        return value
    if _QUOTABLE.fullmatch(value) and value == value.strip():
        return f'"{value}"'
    raise _Unsupported
