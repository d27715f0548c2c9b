"""Manifest text in `rampctl fmt`'s canonical form, written directly for speed.

A YAML round trip costs about 15 ms a document; a business of thousands of vendors would
spend a minute there. Import's documents are small mappings of text and booleans, so they
are written directly: keys in the spec's order (the order `rampctl fmt` uses), text plain
when every YAML reader takes it as text, else in double quotes. A document holding text
outside the simple cases (non-ASCII, quotes, backslashes, colons, ...) returns None and is
written through the YAML library and `rampctl fmt` instead. Tests check that the output is
a fixed point of `rampctl fmt`.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import VersionedResolver

from rampctl.manifest.position import FieldPath
from rampctl.manifest.specs import MANIFEST_MODELS
from rampctl.manifest.validate import fields_at

_PLAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9 .,&'()/+@_-]*[A-Za-z0-9.)])?")
_QUOTABLE = re.compile(r"[ !#-\[\]-~]+")
"""Printable ASCII without `"` and `\\`: written inside double quotes as it is."""
_STR_TAG = "tag:yaml.org,2002:str"
_RESOLVER_11 = yaml.resolver.Resolver()
_RESOLVER_12 = VersionedResolver()
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
    if _PLAIN.fullmatch(value) and _is_text(value):
        return value
    if _QUOTABLE.fullmatch(value) and value == value.strip():
        return f'"{value}"'
    raise _Unsupported


def _is_text(value: str) -> bool:
    """Whether YAML 1.1 and 1.2 readers both take `value`, written plain, as text."""
    old = _RESOLVER_11.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    new = _RESOLVER_12.resolve(ScalarNode, value, (True, False))
    return bool(old == _STR_TAG and new == _STR_TAG)
