"""Lossless, bounded YAML parsing: scalars stay text, positions are exact, limits hold,
and random input only ever fails with the manifest error type."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rampctl.errors import ManifestError
from rampctl.manifest import load_manifests, yamlparse
from rampctl.manifest.position import Position
from rampctl.manifest.yamlparse import ParseFailure, RawDocument, parse_yaml

pytestmark = pytest.mark.usefixtures("yaml_events")


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


_SAMPLES = {
    "manifest": (
        "# yaml-language-server: $schema=rampctl.schema.json\n"
        "apiVersion: rampctl/v1\nkind: Vendor\nmetadata: {name: acme}\nspec:\n"
        "  name: Acme, Inc.\n  tax_id: 02134\n  active: NO\n  note: ~\n"
        "  ignore_changes: [name, 'description']\n"
        "  address:\n    line1: |\n      1 Main St\n    city: >-\n      San\n      Francisco\n"
        '---\nk: "v"\n'
    ),
    "aliases": "a: &x {p: 1, q: [2, 3]}\nb: *x\nc: [*x, &y z, *y]\n",
    "alias as key": "a: &k name\n*k : v\n",
    "collection alias as key": "a: &k [1]\n? *k\n: v\nb: c\n",
    "duplicate key": "a: 1\nb: 2\na: 3\nc: {d: [e, {f: g, f: h}]}\n",
    "duplicate key with anchored value": "a: 1\na: &x [1]\nb: *x\n",
    "merge key": "base: &b {x: 1}\nthing:\n  <<: *b\n  y: 2\n",
    "complex keys": "? [a, b]\n: 1\n? {c: d}\n: 2\ne: 3\n",
    "tags": "a: !vault x\nb: !!int 3\nc: !!python/object:os.system y\nd: !!str 4\ne: ! null\n",
    "explicit null": "a: !!null x\nb: !!merge c\n",
    "too many aliases": "a: &a x\n" + "".join(f"b{i}: *a\n" for i in range(40)),
    "too deep": "a: " + "[" * 60 + "]" * 60 + "\n",
    "deep through aliases": "a: &a " + "[" * 40 + "]" * 40 + "\nb: " + "[" * 10 + "*a" + "]" * 10,
    "self alias": "a: &a [*a]\n",
    "self alias as key": "a: &a {? *a : 1}\n",
    "too many values": "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n" for i in range(1, 9)),
    "undefined alias": "a: *nope\n",
    "duplicate anchor": "a: &x 1\nb: &x 2\n",
    "several documents": "a: 1\n---\n---\nb: [1, 2]\n...\n---\n~\n",
    "items": "a: [x, ~, '', {b: [c, NULL, [d]]}]\nb:\n  - e\n  - {f: g}\n  - [h, ~]\n  -\n",
    "top-level list": "- a\n- {b: c}\n- [d]\n",
}


def _outcome(text: str, loader: type) -> object:
    try:
        return [_shape(d) for d in yamlparse._parse(text, "f.yaml", loader)]
    except ParseFailure as exc:
        return [str(p) for p in exc.problems]
    except yaml.YAMLError as exc:  # libyaml's events: parse_yaml describes it the same way
        return [str(yamlparse._syntax_problem("f.yaml", text, exc))]


def _shape(doc: RawDocument) -> object:
    return (doc.value, doc.start, doc.keys, doc.values)


@pytest.mark.skipif(getattr(yaml, "CSafeLoader", None) is None, reason="libyaml not installed")
@pytest.mark.parametrize("name", sorted(_SAMPLES))
def test_libyaml_and_pure_python_events_build_the_same(name: str) -> None:
    text = _SAMPLES[name]
    assert _outcome(text, yaml.CSafeLoader) == _outcome(text, yaml.SafeLoader)


def test_aliases_expand_with_the_anchors_positions() -> None:
    [doc] = parse_yaml(_SAMPLES["aliases"], "f.yaml")
    inner = {"p": "1", "q": ["2", "3"]}
    assert doc.value == {"a": inner, "b": inner, "c": [inner, "z", "z"]}
    assert doc.keys[("b", "q", 1)] == Position("f.yaml", 1, 21)
    assert doc.values[("c", 0, "p")] == Position("f.yaml", 1, 11)
    assert doc.keys[("c", 2)] == Position("f.yaml", 3, 9)


def test_alias_of_text_can_be_a_key() -> None:
    [doc] = parse_yaml(_SAMPLES["alias as key"], "f.yaml")
    assert doc.value == {"a": "name", "name": "v"}


@pytest.mark.parametrize(
    ("name", "problems"),
    [
        (
            "duplicate key",
            [
                "f.yaml:3:1: duplicate key 'a' (first at line 1)",
                "f.yaml:4:19: duplicate key 'f' (first at line 4)",
            ],
        ),
        ("merge key", ["f.yaml:3:3: merge keys (<<) are not supported; use a template instead"]),
        (
            "complex keys",
            ["f.yaml:1:3: keys must be plain text", "f.yaml:3:3: keys must be plain text"],
        ),
        ("collection alias as key", ["f.yaml:1:4: keys must be plain text"]),
        (
            "tags",
            [
                "f.yaml:1:4: tag '!vault' is not allowed; values are read as text",
                "f.yaml:2:4: tag '!!int' is not allowed; values are read as text",
                "f.yaml:3:4: tag '!!python/object:os.system' is not allowed; "
                "values are read as text",
            ],
        ),
        ("too many aliases", ["f.yaml:34:6: more than 32 aliases in one file"]),
        ("too deep", ["f.yaml:1:51: nesting deeper than 48 levels"]),
        ("deep through aliases", ["f.yaml:1:45: nesting deeper than 48 levels"]),
        ("self alias", ["f.yaml:1:4: nesting deeper than 48 levels"]),
        ("self alias as key", ["f.yaml:1:4: keys must be plain text"]),
        ("too many values", ["f.yaml:1:16: more than 100000 values in one file"]),
        ("undefined alias", ["f.yaml:1:4: YAML syntax error: found undefined alias 'nope'"]),
        (
            "duplicate anchor",
            [
                "f.yaml:2:4: YAML syntax error: second occurrence "
                "(found duplicate anchor 'x'; first occurrence)"
            ],
        ),
    ],
)
def test_problems_on_every_path(name: str, problems: list[str]) -> None:
    with pytest.raises(ParseFailure) as info:
        parse_yaml(_SAMPLES[name], "f.yaml")
    assert [str(p) for p in info.value.problems] == problems


def test_several_documents_and_empty_ones() -> None:
    first, second = parse_yaml(_SAMPLES["several documents"], "f.yaml")
    assert (first.value, second.value) == ({"a": "1"}, {"b": ["1", "2"]})
    assert second.start == Position("f.yaml", 4, 1)


def test_items_and_nested_collections_keep_their_positions() -> None:
    [doc] = parse_yaml(_SAMPLES["items"], "f.yaml")
    assert doc.value == {
        "a": ["x", None, "", {"b": ["c", None, ["d"]]}],
        "b": ["e", {"f": "g"}, ["h", None], None],
    }
    assert list(doc.keys) == [
        ("a",),
        ("a", 0),
        ("a", 1),
        ("a", 2),
        ("a", 3),
        ("a", 3, "b"),
        ("a", 3, "b", 0),
        ("a", 3, "b", 1),
        ("a", 3, "b", 2),
        ("a", 3, "b", 2, 0),
        ("b",),
        ("b", 0),
        ("b", 1),
        ("b", 1, "f"),
        ("b", 2),
        ("b", 2, 0),
        ("b", 2, 1),
        ("b", 3),
    ]
    assert doc.keys[("a", 3, "b", 2, 0)] == Position("f.yaml", 1, 30)
    assert doc.values[("a", 3, "b", 2)] == Position("f.yaml", 1, 29)
    assert doc.values[("b", 1, "f")] == Position("f.yaml", 4, 9)
    assert doc.keys[("b", 3)] == Position("f.yaml", 6, 4)


def test_a_document_with_many_values_finds_each_position() -> None:
    text = "".join(f"k{i}: [v{i}]\n" for i in range(200))
    [doc] = parse_yaml(text, "f.yaml")
    assert len(doc.keys) == 400
    assert doc.keys[("k150",)] == Position("f.yaml", 151, 1)
    assert doc.values[("k150", 0)] == Position("f.yaml", 151, 8)
    assert ("k200",) not in doc.keys


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b'a: "\xff"\n', (1, 5, 0xFF)),
        (b'\xef\xbb\xbfa: 1\nb: "\xff"\n', (2, 5, 0xFF)),  # after a BOM: the BOM shifts nothing
        (b'\xef\xbb\xbfa: "\xff"\n', (1, 5, 0xFF)),  # the BOM is not a column
        ('a: "ééé'.encode() + b'\xff"\n', (1, 8, 0xFF)),  # columns count characters, not bytes
    ],
)
def test_a_byte_that_is_not_utf8_is_named_where_an_editor_shows_it(
    data: bytes, where: tuple[int, int, int]
) -> None:
    line, col, byte = where
    with pytest.raises(yamlparse.ParseFailure) as failure:
        yamlparse.decode(data, "m/v.yaml")
    (problem,) = failure.value.problems
    assert (problem.line, problem.col) == (line, col)
    assert problem.message == f"not valid UTF-8 (byte 0x{byte:02X})"
