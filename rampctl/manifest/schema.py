"""The JSON Schema of a manifest document, generated from the pydantic specs."""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import Field, TypeAdapter

from rampctl.manifest.specs import AccountingVendorManifest, BillManifest, VendorManifest

SCHEMA_ID = "urn:rampctl:manifest:v1"
_DIALECT = "https://json-schema.org/draft/2020-12/schema"

_Manifest = Annotated[
    VendorManifest | AccountingVendorManifest | BillManifest, Field(discriminator="kind")
]


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that every manifest document satisfies."""
    schema = TypeAdapter(_Manifest).json_schema(mode="validation")
    return {
        "$schema": _DIALECT,
        "$id": SCHEMA_ID,
        "title": "rampctl manifest",
        "description": "One document of a rampctl manifest file (apiVersion rampctl/v1).",
        **schema,
    }


def json_schema_text() -> str:
    """The JSON Schema as stable, indented JSON text ending in a newline."""
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"
