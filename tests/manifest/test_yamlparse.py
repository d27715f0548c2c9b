"""Lossless, bounded YAML parsing: scalars stay text, positions are exact, limits hold,
and random input only ever fails with the manifest error type."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rampctl.errors import ManifestError
from rampctl.manifest import load_manifests
from rampctl.manifest.position import Position
from rampctl.manifest.yamlparse import ParseFailure, parse_yaml


@pytest.mark.parametrize(
    "text",
    [
        "NO",
        "no",
        "Yes",
        "off",
        "02134",
        "011000015",
        "+14155550100",
        "12:30",
        "1e3",
        "0x1F",
        "2024-01-01",
        "1_000",
        ".inf",
        "-.5",
        "0o17",
        "=",
        "true",
    ],
)
def test_plain_scalars_stay_text(text: str) -> None:
    [doc] = parse_yaml(f"value: {text}\nlist: [{text}]\n", "f.yaml")
    assert doc.value == {"value": text, "list": [text]}


@pytest.mark.parametrize("text", ["", "~", "null", "Null", "NULL"])
def test_plain_nulls_become_none(text: str) -> None:
    [doc] = parse_yaml(f"value: {text}\n", "f.yaml")
    assert doc.value == {"value": None}


@pytest.mark.parametrize("text", ["'null'", '"~"', "!!str null", "''"])
def test_quoted_or_tagged_nulls_stay_text(text: str) -> None:
    [doc] = parse_yaml(f"value: {text}\n", "f.yaml")
    assert isinstance(doc.value["value"], str)


def test_keys_stay_text() -> None:
    [doc] = parse_yaml("yes: 1\nNO: 2\n010: 3\n", "f.yaml")
    assert doc.value == {"yes": "1", "NO": "2", "010": "3"}


def test_block_scalars_keep_their_text() -> None:
    [doc] = parse_yaml("a: |\n  line one\n  line two\nb: >\n  folded\n  text\n", "f.yaml")
    assert doc.value == {"a": "line one\nline two\n", "b": "folded text\n"}


def test_positions_of_keys_values_and_documents() -> None:
    text = (
        "# c\napiVersion: v\nspec:\n  contact: {email: a@b.example}\n  ignore: [x, y]\n---\nk: v\n"
    )
    first, second = parse_yaml(text, "dir/f.yaml")
    assert first.start == Position("dir/f.yaml", 2, 1)
    assert first.keys[("spec", "contact", "email")] == Position("dir/f.yaml", 4, 13)
    assert first.values[("spec", "contact", "email")] == Position("dir/f.yaml", 4, 20)
    assert first.keys[("spec", "ignore", 1)] == Position("dir/f.yaml", 5, 15)
    assert second.start == Position("dir/f.yaml", 7, 1)


def test_empty_documents_are_skipped() -> None:
    assert parse_yaml("---\n# only a comment\n---\n", "f.yaml") == []


def test_small_number_of_aliases_is_allowed() -> None:
    [doc] = parse_yaml("a: &owner bob@x.example\nb: *owner\nc: [*owner, *owner]\n", "f.yaml")
    assert doc.value["c"] == ["bob@x.example", "bob@x.example"]


def test_recursive_alias_is_bounded() -> None:
    with pytest.raises(ParseFailure) as info:
        parse_yaml("a: &a [*a]\n", "f.yaml")
    assert "nesting deeper than" in info.value.problems[0].message


def test_alias_doubling_is_refused_before_it_expands() -> None:
    text = "a0: &a0 [x, x]\n" + "".join(
        f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]\n" for i in range(1, 31)
    )
    tracemalloc.start()
    try:
        with pytest.raises(ParseFailure):
            parse_yaml(text, "f.yaml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024 * 1024


_YAML_ALPHABET = st.sampled_from(list(":-[]{}&*!|>'\"#%@`,?\n\t ~<=abkNOyes0129.+\\\x00\ue000é"))
_FRAGMENTS = st.sampled_from(
    [
        "apiVersion: rampctl/v1\n",
        "kind: Vendor\n",
        "kind: AccountingVendor\n",
        "metadata:\n",
        "  name: acme\n",
        "spec:\n",
        "  name: Acme\n",
        "  contact: {email: a@b.example}\n",
        "  accounting_vendor: acme\n",
        "  accounting_vendor: {remote_id: QB-1}\n",
        "---\n",
        "  active: maybe\n",
        "  - x\n",
        "&a ",
        "*a\n",
        "!!binary ",
        "<<: *a\n",
        "\t",
        "  ignore_changes: [name]\n",
        "{{ x }}\n",
        "? [a]\n: b\n",
    ]
)
_TEXTS = st.one_of(
    st.text(_YAML_ALPHABET, max_size=300),
    st.lists(_FRAGMENTS, max_size=25).map("".join),
    st.text(max_size=200),
)


@settings(max_examples=250, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXTS)
def test_random_text_only_raises_parse_failure(text: str) -> None:
    try:
        parse_yaml(text, "f.yaml")
    except ParseFailure as exc:
        assert all(p.line >= 1 and p.col >= 1 for p in exc.problems)


@settings(
    max_examples=120,
    deadline=3000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    data=st.one_of(
        _TEXTS.map(lambda t: t.encode("utf-8", "surrogatepass")), st.binary(max_size=200)
    )
)
def test_random_manifest_files_only_raise_manifest_error(data: bytes, tmp_path: Path) -> None:
    root = tmp_path / "fuzz"
    root.mkdir(exist_ok=True)
    for name, suffix in (("m", ".yaml"), ("t", ".yaml.j2")):
        (root / (name + suffix)).write_bytes(data)
    try:
        result = load_manifests(root)
    except ManifestError as exc:
        assert exc.problems
        assert all(p.line >= 1 and p.col >= 1 for p in exc.problems)
    else:
        assert all(d.spec is not None for d in result.documents)
