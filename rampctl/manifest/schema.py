"""The JSON Schema of a manifest document, generated from the pydantic specs.

Editors (yaml-language-server) and tools such as check-jsonschema read manifests with a
YAML 1.2 reader, which makes numbers of `02134`, `+14155550100` and `1200.5` and leaves `yes`
as text, while `rampctl validate` reads every scalar as the text written and converts it per
field. So that both give the same verdict, each field's schema accepts the values such a
reader makes of the text that `validate` accepts:

- a text field without a pattern also accepts numbers and booleans (`postal_code: 02134`);
- a boolean field also accepts the words `validate` reads as booleans (`yes`, `off`);
- a whole-number field also accepts a digit string (`quantity: "3"`);
- fields with their own rules (phone, amount, slug, country, currency) say so in `specs`.

Each kind's schema is reached by `kind` (`if`/`then`), so an editor shows the errors of the
kind written instead of a `oneOf` across kinds.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue, models_json_schema
from pydantic_core import core_schema

from rampctl.manifest.specs import FLAG_WORDS, MANIFEST_MODELS

SCHEMA_ID = "urn:rampctl:manifest:v1"
#: Where the published schema lives in the repository (kept equal to `rampctl schema`).
SCHEMA_PATH = "schema/rampctl.schema.json"
_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _any_case(word: str) -> str:
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in word)


#: The scalars a YAML 1.2 reader makes of text that a boolean field accepts.
BOOLEAN_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "boolean"},
        {"type": "string", "pattern": r"^\s*(" + "|".join(map(_any_case, FLAG_WORDS)) + r")\s*$"},
    ]
}


class _YamlReaderView(GenerateJsonSchema):
    """Pydantic's generator, widened to what a YAML 1.2 reader makes of accepted text."""

    def bool_schema(self, schema: core_schema.BoolSchema) -> JsonSchemaValue:
        return dict(BOOLEAN_SCHEMA)

    def str_schema(self, schema: core_schema.StringSchema) -> JsonSchemaValue:
        base = super().str_schema(schema)
        if {"pattern", "format"} & set(base):
            return base
        return {"anyOf": [base, {"type": ["number", "boolean"]}]}

    def int_schema(self, schema: core_schema.IntSchema) -> JsonSchemaValue:
        base = super().int_schema(schema)
        return {"anyOf": [base, {"type": "string", "pattern": "^[0-9]+$"}]}


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that every manifest document satisfies."""
    models = list(MANIFEST_MODELS.items())
    refs, defs = models_json_schema(
        [(model, "validation") for _, model in models],
        ref_template="#/$defs/{model}",
        schema_generator=_YamlReaderView,
    )
    by_kind = [
        {
            "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
            "then": refs[(model, "validation")],
        }
        for kind, model in models
    ]
    return {
        "$schema": _DIALECT,
        "$id": SCHEMA_ID,
        "title": "rampctl manifest",
        "description": "One document of a rampctl manifest file (apiVersion rampctl/v1).",
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {
            "apiVersion": {"const": "rampctl/v1", "description": "Manifest format version."},
            "kind": {"enum": [kind for kind, _ in models], "description": "Document kind."},
        },
        "allOf": by_kind,
        **defs,
    }


def json_schema_text() -> str:
    """The JSON Schema as stable, indented JSON text ending in a newline."""
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"
