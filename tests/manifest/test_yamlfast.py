"""The fast reader of the plain shape reads every text it takes exactly as the full reader
does (values, start, key and value positions, in order), through libyaml's events and
through PyYAML's pure-Python parser alike; it takes the shape manifests are written in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rampctl.manifest import yamlparse
from rampctl.manifest.emit import document_text
from rampctl.manifest.yamlfast import read_plain
from rampctl.manifest.yamlparse import ParseFailure, parse_yaml

LOADERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])
TESTS = Path(__file__).resolve().parents[1]


def _full(text: str, loader: Any) -> object:
    """What the full reader makes of `text` with `loader`'s events (values shown with their
    order and types)."""
    try:
        docs = yamlparse._parse(text, "d/f.yaml", loader)
    except (ParseFailure, yaml.YAMLError, UnicodeError) as exc:
        return f"refused: {type(exc).__name__}"
    return [_shape(d.value, d.start, d.keys, d.values) for d in docs]


def _shape(value: Any, start: Any, keys: Any, values: Any) -> object:
    return (repr(value), tuple(start), list(keys.items()), list(values.items()))


def _agrees(text: str) -> bool:
    """Whether the fast reader agrees with both full readers on `text`; True when it took it."""
    plain = read_plain(text, "d/f.yaml")
    if plain is None:
        return False
    fast = [_shape(*document) for document in plain]
    for loader in LOADERS:
        assert _full(text, loader) == fast, (loader.__name__, text)
    return True


VENDOR = (
    "apiVersion: rampctl/v1\nkind: Vendor\nmetadata: {name: vendor-00001}\nspec:\n"
    "  name: Vendor 00001\n  country: US\n  state: CA\n  description: Generated vendor 1\n"
    "  owner: user.u0001@example.test\n"
    "  contact: {email: ap00001@vendor00001.test, first_name: Accounts, last_name: Payable}\n"
    "  accounting_vendor: {remote_id: GEN-00001}\n"
)
TAKEN = [
    VENDOR,
    VENDOR.rstrip("\n"),
    "# managed by rampctl\n\n" + VENDOR + "\n# end\n",
    "a:\nb: ~\nc: null\nd: ''\ne: \"\"\nf: 'it''s'\ng: \"NO\"\nh: 02134\ni: +14155550100\n",
    "a: https://x.example/a?b=c#d\nb: Acme, Inc. [EU] {x}\nc: a#b\nd: 12:30\ne: Café ☕\n",
    "a:\n  - x\n  - 'y'\n  - {k: v}\n  - [p, q]\n  - []\nb: {}\nc:\n    deep:\n        er: 1\n",
    "spec:\n  ignore_changes: [name, description]\n  x:\n  y:\n    - z\n",
    "a: 1\n---\nb: 2\n",
    "a: {b: \"02134\", c: 'it''s, {x}', d: '', e: \"\"}\nf: ['NO', \"a, b\", c, '#']  # g\n",
    "a: b #comment: x\n#\n",
    "a: b # c\nd: 'e' # f\ng: \"h #\"  # i\nj: {k: l}  # m\nn: []  #\no: # p\n  q: r#s # t\n"
    "u: # v\nw:\n  - x # y\n  - z: 1 # a\n    b: {} # c\n",
    "---\n# first\na: 1\n---\n---\n\nb:\n  c: [d]\n---\n",
    "spec:\n  contacts:\n    - email: a@b.example\n      first_name: A\n    - email: c@d.example\n"
    "  lines:\n   - a: 1\n     b:\n       c: 2\n   -   d: {e: f}\n       g:\n   - h:\n"
    "   - i: [j]\n",
]
REFUSED = [
    "",
    "# nothing\n",
    "- a\n",
    "a: 1\na: 2\n",
    "a: &x 1\nb: *x\n",
    "a: !!str 1\n",
    "a: |\n  text\n",
    "a: b\n  c\n",
    "a: b\t# comment\n",
    "a: 'b'# comment\n",
    "a: {b: c}# comment\n",
    "a:# comment\n",
    "a:\n- b\n",
    "---\n# nothing\n---\n",
    "a: 1\n--- \nb: 2\n",
    "a: 1\n...\nb: 2\n",
    "%YAML 1.1\n---\na: 1\n",
    "a: 1\r\nb: 2\r\n",
    "a:\tb\n",
    "a: b\u2028c\n",
    " a: 1\n",
    "a: {b: c, b: d}\n",
    "a: {b: 'c'd}\n",
    'a: ["b\\"c"]\n',
    "a: {'b': c}\n",
    "a: -1\n",
    "a: x:\n",
    "a: 1 \n",
    'a: "\\n"\n',
    "<<: {a: b}\n",
    "a:\n  - b: 1\n   c: 2\n",
    "a:\n  - b: 1\n      c: 2\n",
    "a:\n  - b: 1\n    b: 2\n",
    "a:\n  - - b: 1\n",
    "a:\n  - b: 1\n  c: 2\n",
]


@pytest.mark.parametrize("text", TAKEN)
def test_the_plain_shape_is_taken_and_read_as_the_full_reader_reads_it(text: str) -> None:
    assert _agrees(text)


@pytest.mark.parametrize("text", REFUSED)
def test_anything_else_is_left_to_the_full_reader(text: str) -> None:
    assert read_plain(text, "d/f.yaml") is None


@pytest.mark.parametrize("length", [1023, 1024])
def test_a_key_of_up_to_1024_characters_is_taken(length: int) -> None:
    key = "k" * length
    assert _agrees(f"{key}: v\na:\n  {key}: v\nb: {{{key}: v}}\n")


@pytest.mark.parametrize(
    "text", ["K: v\n", "a:\n  K: v\n", "a: {K: v}\n", "a:\n  - K: v\n", "a: {b: c, K: v}\n"]
)
def test_a_key_yaml_refuses_for_its_length_is_left_to_the_full_reader(text: str) -> None:
    text = text.replace("K", "k" * 1025)
    assert read_plain(text, "d/f.yaml") is None
    assert all(str(_full(text, loader)).startswith("refused") for loader in LOADERS)


def test_what_import_writes_is_taken() -> None:
    text = document_text(
        {
            "apiVersion": "rampctl/v1",
            "kind": "Vendor",
            "metadata": {"name": "acme"},
            "spec": {
                "name": "ACME",
                "country": "NO",
                "description": "",
                "contact": {"email": "a@b.example", "first_name": "A"},
                "ignore_changes": ["description", "owner"],
                "phone": "+14155550100",
            },
        }
    )
    assert _agrees(text)


def test_parse_yaml_answers_the_same_with_and_without_the_fast_reader(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fast = parse_yaml(VENDOR, "d/f.yaml")
    monkeypatch.setattr(yamlparse, "_FAST", False)
    assert parse_yaml(VENDOR, "d/f.yaml") == fast


@pytest.mark.parametrize(
    "path", sorted(p for p in TESTS.rglob("*.yaml") if ".rampctl" not in p.parts), ids=str
)
def test_every_yaml_file_of_the_tests_reads_the_same(path: Path) -> None:
    text = path.read_bytes().decode("utf-8", "surrogateescape")
    _agrees(text)


# -- generated texts: the plain shape, and near misses of it ---------------------------------

_CLEAN_KEYS = st.sampled_from(
    [
        *["apiVersion", "kind", "spec", "a", "b", "c", "yes", "NO", "null", "0x1F", "k.1"],
        *["a/b", "_x", "k" * 1024, "k" * 1025],  # YAML's longest key is 1,024 characters
    ]
)
_MESSY_KEYS = st.one_of(
    _CLEAN_KEYS,
    st.sampled_from(["~", "<<", "a b", "a:b", "-a", "é", "a#", "?a", "'a'", "x-", "x-y"]),
    st.text(st.sampled_from(list("ab1_-.:# ~")), min_size=0, max_size=4),
)
_CLEAN_SCALARS = st.one_of(
    st.text(st.sampled_from(list("ab19 .-_,?[]{}&*!|>'\"%@`~/é:#")), max_size=8).map(
        lambda text: ("v" + text).rstrip(" ")
    ),
    st.sampled_from(["NO", "02134", "null", "~", "12:30", "Acme, Inc.", "https://x.example/a"]),
)
_MESSY_SCALARS = st.one_of(
    _CLEAN_SCALARS,
    st.sampled_from(
        [
            *["NO", "02134", "+14155550100", "null", "~", "", "12:30", "a: b", "a #b", "a#b"],
            *["x:", "https://x.example/a", "Acme, Inc.", "- x", "-x", "it's", "a  b", "?", "%x"],
        ]
    ),
    st.text(
        st.sampled_from(list("ab19 .-_:#,?[]{}&*!|>'\"%@`~\\/\t\r\x85\u2028\xa0\u3000\ufeffé\x00")),
        max_size=8,
    ),
)


@st.composite
def _scalar(draw: st.DrawFn, clean: bool) -> str:
    text = draw(_CLEAN_SCALARS if clean else _MESSY_SCALARS)
    style = draw(st.sampled_from(["plain", "plain", "plain", "single", "double"]))
    if style == "single":
        quote = "''" if clean else draw(st.sampled_from(["''", "'"]))
        return "'" + text.replace("'", quote) + "'"
    if style == "double":
        return f'"{text}"'
    return text


@st.composite
def _flow(draw: st.DrawFn, clean: bool) -> str:
    sep = ", " if clean else draw(st.sampled_from([", ", ",", " , ", ",  "]))
    colon = ": " if clean else draw(st.sampled_from([": ", ":  ", ":"]))
    keys = _CLEAN_KEYS if clean else _MESSY_KEYS
    if draw(st.booleans()):
        items = draw(st.lists(st.tuples(keys, _scalar(clean)), max_size=3))
        return "{" + sep.join(f"{k}{colon}{v}" for k, v in items) + "}"
    return "[" + sep.join(draw(st.lists(_scalar(clean), max_size=3))) + "]"


@st.composite
def _block(draw: st.DrawFn, indent: int, depth: int, clean: bool) -> list[str]:
    """The lines of a block mapping (or sometimes a block list) at `indent`."""
    lines: list[str] = []
    step = draw(st.sampled_from([2, 2, 4, 1, 3]))
    is_list = depth > 0 and draw(st.integers(0, 5)) == 0
    keys = _CLEAN_KEYS if clean else _MESSY_KEYS
    for _ in range(draw(st.integers(1, 4))):
        pad = " " * indent
        head = f"{pad}- " if is_list else f"{pad}{draw(keys)}: "
        kind = draw(st.sampled_from(["scalar", "scalar", "flow", "nested", "empty"]))
        if is_list and draw(st.booleans()):  # a mapping as an item: `- key: ...` and more keys
            dash = "-" + " " * draw(st.sampled_from([1, 1, 1, 2, 3]))
            inner = draw(_block(indent + len(dash), depth + 1, clean))
            inner[0] = pad + dash + inner[0][indent + len(dash) :]
            if not clean and draw(st.booleans()):
                inner[-1] = " " * draw(st.integers(0, 6)) + inner[-1].lstrip(" ")
            lines += inner
        elif kind == "scalar":
            lines.append(head + draw(_scalar(clean)))
        elif kind == "flow":
            lines.append(head + draw(_flow(clean)))
        elif kind == "nested" and depth < 3 and not is_list:
            lines.append(head.rstrip(" "))
            lines += draw(_block(indent + step, depth + 1, clean))
        else:
            lines.append(head.rstrip(" "))
        if draw(st.integers(0, 4)) == 0:  # a comment after what the line holds
            lines[-1] += draw(st.sampled_from([" # c", "  # c: 'd'", " #", "# c", " #c #d"]))
    return lines


_NOISE = st.sampled_from(
    ["", "  ", "# c", "  # c", " ", "\t", " # c", ":", "---", "...", "- x", "  x", "\r", "&a"]
)


@st.composite
def _document(draw: st.DrawFn) -> str:
    clean = draw(st.sampled_from([True, True, False]))
    lines = draw(_block(0, 0, clean))
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):  # more documents
        lines += ["---", *draw(st.sampled_from([[], [], ["# c"], [""]]))]
        lines += draw(_block(0, 0, clean)) if draw(st.integers(0, 4)) else []
    if draw(st.integers(0, 5)) == 0:
        lines.insert(0, "---")
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 1, 2]))):
        at = draw(st.integers(0, len(lines)))
        where = draw(st.sampled_from(["line", "end", "start"]))
        noise = draw(_NOISE)
        if where == "line" or at == len(lines):
            lines.insert(at, noise)
        elif where == "end":
            lines[at] += noise
        else:
            lines[at] = noise + lines[at]
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n"]))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_document())
def test_generated_texts_read_the_same(text: str) -> None:
    _agrees(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(st.sampled_from([*"ab: -#{}[],'\"\n\t~&*!|>?", "é"]), max_size=60))
def test_random_texts_read_the_same(text: str) -> None:
    _agrees(text)


def test_the_generated_texts_reach_both_sides() -> None:
    """The generator makes texts the fast reader takes as well as texts it refuses (so the
    comparisons above are not all of refusals)."""
    seen: list[bool] = []

    @settings(max_examples=300, database=None, derandomize=True)
    @given(text=_document())
    def probe(text: str) -> None:
        seen.append(read_plain(text, "f.yaml") is not None)

    probe()
    assert 0.1 < sum(seen) / len(seen) < 0.9
