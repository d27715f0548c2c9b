"""The one quoting rule `fmt` and `import` share: plain when every YAML reader reads the text
back as written, else double quotes."""

from __future__ import annotations

import pytest
import yaml

from rampctl.manifest.emit import document_text
from rampctl.manifest.fmt import format_text
from rampctl.manifest.quoting import dump_yaml, needs_quotes, quoted

QUOTED = [
    "02134",  # leading zero: an octal or decimal number to YAML 1.1 and 1.2
    "011000015",
    "1e3",  # a float to YAML 1.2 only
    "0o17",  # an int to YAML 1.2 only
    "0x1F",
    "1_000",  # an int to YAML 1.1 only
    "-.5",
    ".inf",
    "12:30",  # sexagesimal to YAML 1.1
    "2024-01-01",  # a date
    "2024-01-01T10:00:00Z",
    "NO",  # booleans to YAML 1.1
    "yes",
    "on",
    "Off",
    "true",
    "null",  # null
    "~",
    "",
    "=",  # YAML 1.1's value key
    "<<",
    "a: b",  # colon then space: a mapping
    "key:",
    "x #y",  # space then #: a comment
    "#hash",
    "- item",  # leading indicators
    "? q",
    "@handle",
    "%tag",
    "!bang",
    "&anchor",
    "*alias",
    "[list]",
    "{map}",
    "|pipe",
    ">fold",
    "'single'",
    '"double"',
    " padded",
    "padded ",
    "two\nlines",
    "\ufeffbom",
]
PLAIN = [
    "Acme Cloud Inc.",
    "a:b",  # a colon not followed by a space
    "https://acme.example/pay",
    "x#y",  # a # not after a space
    "Suite 5",
    "50%",
    "+14155550100x",
    "ap@acme.example",
    "Müller GmbH",  # unicode letters
    "Café ☕",
    "東京",
    "O'Brien & Sons (US)",
    'Say "hi"',
    "12345-6789-x",
    "NO2",
]


@pytest.mark.parametrize("text", QUOTED)
def test_text_another_reader_would_misread_is_quoted(text: str) -> None:
    assert needs_quotes(text)


@pytest.mark.parametrize("text", PLAIN)
def test_text_every_reader_reads_back_stays_plain(text: str) -> None:
    assert not needs_quotes(text)
    assert yaml.safe_load(f"k: {text}\n") == {"k": text}


def _doc(value: str) -> dict[str, object]:
    spec = {"name": value, "description": value, "address": {"postal_code": value}}
    return {"apiVersion": "rampctl/v1", "kind": "Vendor", "metadata": {"name": "x"}, "spec": spec}


@pytest.mark.parametrize("text", [t for t in QUOTED + PLAIN if t.strip() == t and t])
def test_fmt_and_import_write_the_same_text(text: str) -> None:
    """Import's text (written directly, or by ruamel.yaml and fmt) is a fixed point of fmt,
    with the value plain exactly when the rule allows."""
    document = _doc(text)
    library = dump_yaml([{**document, "spec": quoted(document["spec"])}])
    imported = document_text(document)
    assert imported == format_text(library, "x.yaml").text
    assert format_text(imported, "x.yaml").text == imported
    if not needs_quotes(text):
        assert f"  name: {text}\n" in imported
    else:
        assert "  name: " + dump_yaml([quoted(text)]).split("\n")[0] + "\n" in imported
        assert '  name: "' in imported


@pytest.mark.parametrize("text", ["02134", "1e3", "0o17", "NO", "12:30", "2024-01-01", "~x"])
def test_fmt_quotes_a_plain_value_other_readers_misread(text: str) -> None:
    source = f"apiVersion: rampctl/v1\nkind: Vendor\nmetadata:\n  name: x\nspec:\n  name: {text}\n"
    result = format_text(source, "x.yaml")
    if text == "~x":  # text every reader reads back: left as written
        assert result.text == source
        return
    assert f'  name: "{text}"\n' in result.text
    document = _doc(text)
    imported = document_text(document)
    assert f'  name: "{text}"\n' in imported
