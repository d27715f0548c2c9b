"""The emitter's text is what `rampctl fmt` makes of the document, a fixed point of it, and
reads back as written."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml.representer import RepresenterError

from rampctl.manifest.emit import document_text, documents_text
from rampctl.manifest.fmt import format_text
from rampctl.manifest.quoting import dump_yaml, quoted
from rampctl.manifest.yamlparse import parse_yaml


def _doc(spec: dict[str, Any], kind: str = "Vendor") -> dict[str, Any]:
    return {"apiVersion": "rampctl/v1", "kind": kind, "metadata": {"name": "x"}, "spec": spec}


def _as_text(value: Any) -> Any:
    """Values as the lossless loader reads them: booleans as their YAML words."""
    if isinstance(value, dict):
        return {k: _as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_text(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _library_text(doc: dict[str, Any]) -> str:
    """The same document written by ruamel.yaml with the quoting rule, then `rampctl fmt`."""
    document = {**doc, "spec": quoted(doc["spec"])}
    return format_text(dump_yaml([document]), "x.yaml").text


def _check(doc: dict[str, Any]) -> None:
    text = document_text(doc)
    assert text == _library_text(doc)  # the emitter writes what fmt makes of the document
    assert format_text(text, "x.yaml").text == text
    (raw,) = parse_yaml(text, "x.yaml")
    assert raw.value == _as_text(doc)


def test_keys_follow_the_spec_order_and_ambiguous_text_is_quoted() -> None:
    spec = {
        "external_id": "acme",
        "active": False,
        "address": {"postal_code": "02134", "line1": "1 Main St", "city": "Boston"},
        "name": "NO",
        "contact": {"phone": "+14155550100", "email": "ap@acme.example"},
        "state": "on",
    }
    text = document_text(_doc(spec))
    assert text.splitlines()[4:] == [
        "spec:",
        '  name: "NO"',
        '  state: "on"',
        "  address:",
        "    line1: 1 Main St",
        "    city: Boston",
        '    postal_code: "02134"',
        "  contact:",
        "    email: ap@acme.example",
        '    phone: "+14155550100"',
        "  active: false",
        "  external_id: acme",
    ]
    _check(_doc(spec))


def test_quotes_line_breaks_long_text_and_lists_are_written_as_fmt_writes_them() -> None:
    for spec in (
        {"name": '"Hi" Corp', "description": "back\\slash"},
        {"name": "Line one\nline two", "description": " padded "},
        {"name": "x" * 5000},
        {
            "name": "Acme",
            "contacts": [
                {"phone": "+14155550100", "email": "ap@acme.example", "default": True},
                {"email": "b@acme.example", "first_name": "NO"},
            ],
        },
    ):
        _check(_doc(spec))
    text = document_text(_doc({"name": "x", "other": "02134"}, kind="Unknown"))
    assert text.splitlines()[-2:] == ["  name: x", '  other: "02134"']


def test_several_documents_are_one_text_with_document_markers() -> None:
    docs = [_doc({"name": "A"}), _doc({"name": "NO"})]
    text = documents_text(docs)
    assert [raw.value for raw in parse_yaml(text, "x.yaml")] == [_as_text(d) for d in docs]
    assert text == format_text(text, "x.yaml").text


def test_a_failed_write_leaves_the_next_one_unharmed() -> None:
    with pytest.raises(RepresenterError):
        document_text(_doc({"name": object()}))
    assert "  name: Acme\n" in document_text(_doc({"name": "Acme"}))


def test_unicode_text_is_written_plain_as_the_yaml_library_writes_it() -> None:
    text = document_text(_doc({"name": "Müller GmbH", "description": "Café ☕"}))
    assert "  name: Müller GmbH\n" in text
    assert text == _library_text(_doc({"name": "Müller GmbH", "description": "Café ☕"}))


def test_yaml_1_2_numbers_are_quoted_too() -> None:
    text = document_text(_doc({"name": "0o17"}))
    assert '  name: "0o17"' in text


_TEXT = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=126) | st.sampled_from("éß\n\t"),
    min_size=0,
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(name=_TEXT, description=_TEXT, line1=_TEXT, postal=_TEXT, active=st.booleans())
def test_any_text_round_trips_through_fmt_unchanged(
    name: str, description: str, line1: str, postal: str, active: bool
) -> None:
    spec = {
        "name": name,
        "description": description,
        "address": {"line1": line1, "city": "X", "postal_code": postal},
        "active": active,
        "accounting_vendor": {"remote_id": postal},
    }
    _check(_doc(spec))


_PIECE = st.lists(
    st.sampled_from(["w", "word", " ", "  ", "   ", "a:b", "é", "#", "-", "\t", "\n"]),
    min_size=1,
    max_size=12,
).map("".join)
_LONG_TEXT = st.builds(
    lambda head, piece, times: (head + piece * times)[:9000],
    _TEXT,
    _PIECE,
    st.integers(min_value=1, max_value=3000),
)
"""Text up to 9,000 characters, often longer than a line, of words and runs of spaces."""


@settings(max_examples=60, deadline=None)
@given(description=_LONG_TEXT, name=_TEXT)
def test_long_text_round_trips_and_fmt_leaves_it_unchanged(description: str, name: str) -> None:
    _check(_doc({"name": name, "description": description}))


def test_text_longer_than_any_line_keeps_its_double_spaces() -> None:
    description = ("w  " * 2000).strip()
    text = document_text(_doc({"name": "x", "description": description}))
    (raw,) = parse_yaml(text, "x.yaml")
    assert raw.value["spec"]["description"] == description
    assert format_text(text, "x.yaml").text == text
