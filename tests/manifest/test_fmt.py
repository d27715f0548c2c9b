"""fmt: canonical order and style, comments kept, values never changed, idempotent."""

from __future__ import annotations

from pathlib import Path

import pytest

from rampctl.manifest.fmt import format_text
from rampctl.manifest.loader import YAML_SUFFIXES, find_sources
from rampctl.manifest.yamlparse import parse_yaml

REPO = Path(__file__).resolve().parents[2]

MESSY = """\
# yaml-language-server: $schema=rampctl.schema.json
kind: Vendor
apiVersion: rampctl/v1
metadata: {name: acme}   # the address
spec:
  owner: bob@x.example  # owns it
  name: Acme
  country: NO
  # where they are
  address: {postal_code: 02134, line1: 1 Main St, city: Boston}
  contact:
      phone: +14155550100
      email: ap@acme.example
  active: yes
  ignore_changes: [description]
  colour: blue
"""


def test_canonical_order_style_and_quoting() -> None:
    result = format_text(MESSY, "m.yaml")
    assert result.changed and not result.problems
    lines = result.text.splitlines()
    assert lines[:5] == [
        "# yaml-language-server: $schema=rampctl.schema.json",
        "apiVersion: rampctl/v1",
        "kind: Vendor",
        "metadata:                # the address",
        "  name: acme",
    ]
    body = result.text
    assert body.index("  name: Acme") < body.index('  country: "NO"') < body.index("  address:")
    assert '    postal_code: "02134"' in body and '    phone: "+14155550100"' in body
    assert "  active: true" in body and "  ignore_changes:\n    - description" in body
    assert body.index("# where they are") < body.index("  address:")
    assert "# owns it" in body and body.rstrip().endswith("colour: blue")


def test_values_are_unchanged_and_format_is_idempotent() -> None:
    first = format_text(MESSY, "m.yaml")
    [before], [after] = parse_yaml(MESSY, "m.yaml"), parse_yaml(first.text, "m.yaml")
    before.value["spec"]["active"] = "true"
    assert after.value == before.value
    again = format_text(first.text, "m.yaml")
    assert not again.changed and again.text == first.text


def test_broken_yaml_is_reported_not_changed() -> None:
    result = format_text("a: [b\n", "m.yaml")
    assert not result.changed and result.text == "a: [b\n"
    assert [str(p) for p in result.problems] == [
        "m.yaml:2:1: YAML syntax error: expected ',' or ']', but got '<stream end>' "
        "(while parsing a flow sequence)"
    ]


@pytest.mark.parametrize("root", ["manifests", "examples/templated", "examples/multi-entity"])
def test_bundled_manifests_are_canonical(root: str) -> None:
    source, _ = find_sources(REPO / root)
    files = [f for f in source.files if f.endswith(YAML_SUFFIXES)]
    assert files
    for rel in files:
        text = (REPO / root / rel).read_text()
        result = format_text(text, rel)
        assert not result.problems and not result.changed, rel


def test_a_flag_inside_a_list_of_contacts_stays_a_boolean() -> None:
    text = """\
apiVersion: rampctl/v1
kind: Vendor
metadata: {name: acme}
spec:
  name: Acme
  contacts:
    - {email: ap@acme.example, default: yes}
    - {email: billing@acme.example}
"""
    result = format_text(text, "m.yaml")
    assert not result.problems
    assert "      default: true\n" in result.text
    assert '"true"' not in result.text
