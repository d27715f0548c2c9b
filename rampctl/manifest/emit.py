"""The one YAML emitter: manifest documents in `rampctl fmt`'s canonical text, for `import`.

A document is put in canonical form (keys in the spec's order, the order `rampctl fmt` uses;
text double-quoted by the one quoting rule of `rampctl.manifest.quoting`) and dumped by the
ruamel.yaml set-up `rampctl fmt` writes with (`quoting.dump_yaml`). The text is a fixed point
of `rampctl fmt` (tests/manifest/test_emit.py). It costs about 0.8 ms of CPU a vendor
document, some 9 s for an import of 10,000 vendors, which Ramp's rate limit holds for at
least 500 s (`bench/bench_import_text.py`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from rampctl.manifest.position import FieldPath
from rampctl.manifest.quoting import dump_yaml, quoted
from rampctl.manifest.specs import MANIFEST_MODELS
from rampctl.manifest.validate import fields_at


def document_text(document: dict[str, Any]) -> str:
    """The canonical text of one manifest document."""
    return dump_yaml([canonical(document)])


def documents_text(documents: list[dict[str, Any]]) -> str:
    """The canonical text of several documents, as one multi-document YAML text."""
    return dump_yaml([canonical(d) for d in documents])


def canonical(document: dict[str, Any]) -> dict[str, Any]:
    """`document` with its keys in the spec's order and its text quoted by the rule."""
    model = MANIFEST_MODELS.get(str(document.get("kind")))
    ordered: dict[str, Any] = _ordered(quoted(document), model, ())
    return ordered


def _ordered(value: Any, model: type[BaseModel] | None, path: FieldPath) -> Any:
    """`value` with each mapping's keys in the order of the spec's fields at its path."""
    if isinstance(value, dict):
        order = fields_at(model, path) if model is not None else []
        keys = [k for k in order if k in value] + [k for k in value if k not in order]
        return {k: _ordered(value[k], model, (*path, k)) for k in keys}
    if isinstance(value, list):
        return [_ordered(item, model, (*path, i)) for i, item in enumerate(value)]
    return value
