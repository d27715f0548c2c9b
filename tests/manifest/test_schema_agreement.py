"""The JSON Schema and `rampctl validate` give the same verdict on the same text.

Editors and check-jsonschema apply the schema to what a YAML 1.2 reader (core schema, as
yaml-language-server uses) makes of a file; `validate` reads scalars as written. Each case
below is one field's value written into an otherwise valid document of its kind; both
verdicts must agree. Cross-document rules (references, unique names) and rules across fields
of one bill (dates in order, payment details fitting the method) are `validate`'s alone.
"""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest
import yaml

from rampctl.manifest.schema import json_schema
from rampctl.manifest.validate import validate_document
from rampctl.manifest.yamlparse import parse_yaml

BASES = {
    "Vendor": (
        "apiVersion: rampctl/v1\nkind: Vendor\nmetadata:\n  name: acme\nspec:\n  name: Acme\n"
    ),
    "AccountingVendor": (
        "apiVersion: rampctl/v1\nkind: AccountingVendor\nmetadata:\n  name: acme\n"
        "spec:\n  remote_id: QB-1\n  name: Acme\n"
    ),
    "Bill": (
        "apiVersion: rampctl/v1\nkind: Bill\nmetadata:\n  name: acme-1\nspec:\n"
        "  vendor: acme\n  entity: Northwind Labs, Inc.\n  invoice_number: INV-1\n"
        "  issue_date: 2025-03-03\n  due_date: 2025-03-31\n"
        "  payment: {method: ACH, source_account: Operating, vendor_account: Acme,\n"
        "    arrival_date: 2025-03-28}\n"
    ),
}
BILL_LINES = "  currency: USD\n  line_items: [{amount: '1'}]\n"

# (kind, YAML lines under `spec:`). Lines replace the base's line for the same key.
CASES: list[tuple[str, str]] = [
    # the five disagreements found in review
    ("Vendor", "active: yes"),
    ("Vendor", "address: {line1: 1 Main St, city: Boston, postal_code: 02134}"),
    ("Vendor", "contact: {email: ap@acme.example, phone: +14155550100}"),
    ("Bill", "line_items: [{amount: 1200.5}]"),
    ("Bill", "inventory_line_items: [{unit_price: '2.50', quantity: \"3\"}]"),
    # booleans
    *(("Vendor", f"active: {v}") for v in ["true", "False", "no", "off", "On", "y", "1", "0"]),
    *(("Vendor", f"active: {v}") for v in ["maybe", "2", "'yes please'", "[true]", "1.0"]),
    *(("AccountingVendor", f"active: {v}") for v in ["TRUE", "n", "nope"]),
    ("Vendor", "protect: yes"),
    ("Vendor", "protect: ~"),
    # text fields
    *(("Vendor", f"description: {v}") for v in ["Hosting", "12", "1.5", "true", "NO", "~", "''"]),
    *(("Vendor", f"name: {v}") for v in ["123", "yes", "~", "''", "[a]", "{a: b}"]),
    ("Vendor", "state: CA"),
    ("Vendor", "external_id: 0042"),
    ("AccountingVendor", "code: 007"),
    ("AccountingVendor", "remote_id: 1234"),
    # postal codes and addresses
    *(
        ("Vendor", f"address: {{line1: 1 Main St, city: Boston, postal_code: {v}}}")
        for v in ["'02134'", "94105", "SW1A 1AA", "1e5", "~"]
    ),
    # phones
    *(
        ("Vendor", f"contact: {{email: ap@acme.example, phone: {v}}}")
        for v in ["'+14155550100'", "'+1 (415) 555-0100'", "+442071838750", "'0800 123'"]
    ),
    *(
        ("Vendor", f"contact: {{email: ap@acme.example, phone: {v}}}")
        for v in ["'+0123456789'", "abc", "'+1'", "+1234567890123456"]
    ),
    # emails, countries, names
    *(("Vendor", f"owner: {v}") for v in ["bob@northwind.example", "Bob@X.Example", "bob", "a@b"]),
    *(("Vendor", f"country: {v}") for v in ["US", "gb", "NO", "XX", "USA", "12"]),
    *(
        ("Vendor", f"accounting_vendor: {v}")
        for v in ["acme-cloud", "Acme", "42", "{remote_id: X}"]
    ),
    *(("Vendor", f"ignore_changes: [{v}]") for v in ["description", "address.line2", "colour"]),
    # bills: amounts, quantities, currencies, dates
    *(
        ("Bill", f"line_items: [{{amount: {v}}}]")
        for v in ["'1200.50'", "1200", "0", "'-5'", "-5", "'1,200'", "'12.3.4'", "abc"]
    ),
    *(("Bill", f"line_items: [{{amount: {v}}}]") for v in ["9999999999999", "'0001200.5'"]),
    *(
        ("Bill", f"inventory_line_items: [{{unit_price: '1', quantity: {v}}}]")
        for v in ["3", "'03'", "-3", "'3.5'", "3.5", "true", "' 3 '"]
    ),
    *(("Bill", f"currency: {v}") for v in ["USD", "eur", "XYZ", "US"]),
    *(("Bill", f"due_date: {v}") for v in ["2025-04-30", "'2025-04-31'", "tomorrow"]),
    *(("Bill", f"vendor: {v}") for v in ["acme", "{id: v-1}", "Acme Inc", "{name: x}"]),
]


class _Yaml12Loader(yaml.SafeLoader):
    """PyYAML with YAML 1.2's core schema: what yaml-language-server's reader makes of text."""


_Yaml12Loader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in [
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("null", r"^(?:~|null|Null|NULL|)$", "~nN\0"),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
]:
    _Yaml12Loader.add_implicit_resolver(
        f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), list(_first)
    )


def _int12(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node))
    return int(text, 0) if text[:2] in ("0o", "0x") else int(text)


_Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _int12)


def _document(kind: str, lines: str) -> str:
    base = BASES[kind] + (BILL_LINES if kind == "Bill" else "")
    key = lines.split(":", 1)[0]
    kept = [line for line in base.splitlines() if not line.startswith(f"  {key}:")]
    return "\n".join(kept) + f"\n  {lines}\n"


def _validate_accepts(text: str) -> bool:
    return not validate_document(parse_yaml(text, "case.yaml")[0]).problems


def _schema_accepts(text: str) -> bool:
    value: Any = yaml.load(text, Loader=_Yaml12Loader)
    return jsonschema.Draft202012Validator(json_schema()).is_valid(value)


def test_every_base_document_is_valid() -> None:
    for kind in BASES:
        text = BASES[kind] + (BILL_LINES if kind == "Bill" else "")
        assert _validate_accepts(text) and _schema_accepts(text), kind


@pytest.mark.parametrize(("kind", "lines"), CASES)
def test_schema_and_validate_agree(kind: str, lines: str) -> None:
    text = _document(kind, lines)
    assert _schema_accepts(text) == _validate_accepts(text), text


def test_the_corpus_has_both_verdicts() -> None:
    verdicts = {_validate_accepts(_document(kind, lines)) for kind, lines in CASES}
    assert verdicts == {True, False}


def test_the_yaml_12_reader_reads_as_editors_do() -> None:
    read = yaml.load(
        "a: yes\nb: 02134\nc: +14155550100\nd: 1200.5\ne: NO\nf: 2025-03-31\n",
        Loader=_Yaml12Loader,
    )
    assert read == {
        "a": "yes",
        "b": 2134,
        "c": 14155550100,
        "d": 1200.5,
        "e": "NO",
        "f": "2025-03-31",
    }
