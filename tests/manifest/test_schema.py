"""The JSON Schema: valid itself, describes every field, and accepts every bundled manifest
as an editor's YAML reader sees it (yaml.safe_load, after rendering templates)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from rampctl.manifest.loader import TEMPLATE_SUFFIXES, find_sources, load_variables
from rampctl.manifest.schema import SCHEMA_PATH, json_schema, json_schema_text
from rampctl.manifest.templates import TemplateRenderer

REPO = Path(__file__).resolve().parents[2]
ROOTS = [REPO / "manifests", REPO / "examples/templated", REPO / "examples/multi-entity"]


def _documents(root: Path) -> list[tuple[str, Any]]:
    source, _ = find_sources(root)
    values, _ = load_variables(source)
    renderer = TemplateRenderer(source.base, source.display)
    out = []
    for rel in source.files:
        if rel.endswith(TEMPLATE_SUFFIXES):
            text = renderer.render(rel, values).text
        else:
            text = (root / rel).read_text()
        out += [(rel, doc) for doc in yaml.safe_load_all(text) if doc is not None]
    return out


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(json_schema())


@pytest.mark.parametrize("root", ROOTS, ids=lambda p: p.name)
def test_schema_accepts_every_bundled_manifest(root: Path) -> None:
    validator = jsonschema.Draft202012Validator(json_schema())
    documents = _documents(root)
    assert documents
    for rel, doc in documents:
        errors = [e.message for e in validator.iter_errors(doc)]
        assert not errors, f"{rel}: {errors}"


def test_schema_rejects_what_the_loader_rejects() -> None:
    validator = jsonschema.Draft202012Validator(json_schema())
    good = {
        "apiVersion": "rampctl/v1",
        "kind": "Vendor",
        "metadata": {"name": "a"},
        "spec": {"name": "A"},
    }
    assert validator.is_valid(good)
    for bad in (
        {**good, "kind": "Vendr"},
        {**good, "spec": {"nmae": "A"}},
        {**good, "metadata": {"name": "Not_A_Slug"}},
        {**good, "spec": {"name": "A", "country": "USA"}},
    ):
        assert not validator.is_valid(bad)


def _properties(node: Any) -> list[tuple[str, Any]]:
    found = []
    if isinstance(node, dict):
        for name, prop in node.get("properties", {}).items():
            found.append((name, prop))
        for key, value in node.items():
            if key != "if":  # a kind condition, not a field
                found += _properties(value)
    elif isinstance(node, list):
        for value in node:
            found += _properties(value)
    return found


def test_every_field_has_a_description() -> None:
    props = _properties(json_schema())
    assert len(props) > 25
    assert [name for name, prop in props if not prop.get("description")] == []


def test_committed_schema_is_current() -> None:
    committed = (REPO / SCHEMA_PATH).read_text()
    assert committed == json_schema_text(), (
        f"{SCHEMA_PATH} is behind the kind declarations: regenerate it with "
        f"`rampctl schema --out {SCHEMA_PATH}` and commit it"
    )
    assert json.loads(committed)["$schema"].endswith("2020-12/schema")
