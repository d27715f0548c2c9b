"""Ramp's answers read as strict JSON: NaN and Infinity refused, naming the request only."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rampctl.errors import OutcomeUncertainError, RampError
from rampctl.ramp.bodies import may_hold_non_finite, read_json, validated
from rampctl.ramp.models import Vendor

URL = "http://127.0.0.1:9/developer/v1/vendors/v1"


def answer(content: bytes, method: str = "GET") -> httpx.Response:
    request = httpx.Request(method, URL)
    return httpx.Response(200, content=content, request=request, headers={"x-trace-id": "t-1"})


def test_a_json_answer_reads_as_json_reads_it() -> None:
    content = b'{"name": "NaN Foods", "note": "Infinity pool", "n": 1.5, "m": [1e3]}'
    assert read_json(answer(content), "GET") == {
        "name": "NaN Foods",
        "note": "Infinity pool",
        "n": 1.5,
        "m": [1000.0],
    }


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
def test_a_read_answered_with_a_non_finite_number_is_refused(number: str) -> None:
    content = b'{"name": "Secret Vendor", "spend": {"amount": %s}}' % number.encode()
    with pytest.raises(RampError) as refused:
        read_json(answer(content), "GET")
    assert not isinstance(refused.value, OutcomeUncertainError)
    text = str(refused.value)
    assert text == (
        "GET /developer/v1/vendors/v1: Ramp's answer holds NaN or Infinity, which are not "
        "JSON numbers; rampctl refuses it (HTTP 200) [x-trace-id t-1]"
    )
    assert "Secret" not in text and "spend" not in text


def test_a_write_answered_with_a_non_finite_number_is_uncertain() -> None:
    content = b'{"id": "v1", "name": "Secret Vendor", "spend": NaN}'
    with pytest.raises(OutcomeUncertainError) as refused:
        read_json(answer(content, "PATCH"), "PATCH")
    text = str(refused.value)
    assert text.startswith("PATCH /developer/v1/vendors/v1: Ramp's answer holds NaN or Infinity")
    assert "looks the object up by its key" in text and "Secret" not in text


def test_a_read_answered_with_a_body_that_is_not_json_is_refused() -> None:
    with pytest.raises(RampError) as refused:
        read_json(answer(b"<html>"), "GET")
    assert not isinstance(refused.value, OutcomeUncertainError)
    assert str(refused.value) == (
        "GET /developer/v1/vendors/v1: Ramp answered with a body that is not JSON; rampctl "
        "refuses it (HTTP 200) [x-trace-id t-1]"
    )


@pytest.mark.parametrize("content", [b"<html>", b'{"id": "v1"', b"\xff\xfe{}"])
def test_a_write_answered_with_a_body_that_is_not_json_is_uncertain(content: bytes) -> None:
    with pytest.raises(OutcomeUncertainError) as refused:
        read_json(answer(content, "POST"), "POST")
    text = str(refused.value)
    assert text.startswith("POST /developer/v1/vendors/v1: Ramp answered with a body that is not")
    assert "looks the object up by its key" in text


@pytest.mark.parametrize(
    "number", [b"1e400", b"-1e400", b"1" * 400 + b".0", b"2E+999", b"1" * 300 + b"e10"]
)
@pytest.mark.parametrize(
    ("method", "error"), [("GET", RampError), ("PATCH", OutcomeUncertainError)]
)
def test_a_number_that_overflows_a_float_is_refused_as_infinity_is(
    number: bytes, method: str, error: type[RampError]
) -> None:
    content = b'{"name": "Secret Vendor", "spend": {"amount": %s}}' % number
    assert may_hold_non_finite(content)
    with pytest.raises(error) as refused:
        read_json(answer(content, method), method)
    text = str(refused.value)
    assert "Ramp's answer holds a number too large for a float" in text
    assert "Secret" not in text and "spend" not in text


@pytest.mark.parametrize(("method", "error"), [("GET", RampError), ("POST", OutcomeUncertainError)])
def test_an_answer_nested_too_deeply_is_refused(method: str, error: type[RampError]) -> None:
    content = b'{"id": "v1", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    with pytest.raises(error) as refused:
        read_json(answer(content, method), method)
    assert "Ramp's answer is nested too deeply to read" in str(refused.value)


@pytest.mark.parametrize(("method", "error"), [("GET", RampError), ("POST", OutcomeUncertainError)])
def test_an_answer_that_does_not_fit_the_model_names_fields_never_values(
    method: str, error: type[RampError]
) -> None:
    data = {"id": "v1", "name": "Acme", "is_active": "TAXID-12-3456789"}
    with pytest.raises(error) as refused:
        validated(Vendor, data, answer(b"{}", method), method)
    text = str(refused.value)
    assert text.startswith(
        f"{method} /developer/v1/vendors/v1: Ramp's answer does not fit rampctl's Vendor "
        "(is_active: Input should be a valid boolean"
    )
    assert "[x-trace-id t-1]" in text
    assert "TAXID" not in text
    assert refused.value.__cause__ is None and refused.value.__context__ is None


@pytest.mark.parametrize(
    ("content", "may"),
    [
        (b'{"a": 1}', False),
        (b'{"a": NaN}', True),
        (b'{"a": -Infinity}', True),
        (b'{"a": "NaN Foods"}', True),  # a word in a string: only read_json tells
        (b'{"a": 1e400}', True),
        (b'{"a": 1.5e-300, "b": 1e30}', False),
        (b'{"id": "96bdb464-a560-51d0-2e375e9c12ba", "n": 1e2, "m": 12345}', False),
        (b'{"note": "part 2e375-a"}', False),  # an exponent's shape inside a string
        (b'{"note": "2e375 units"}', True),  # one that ends where a number would
        (b"[1E+400]", True),
        (b'{"a": 1e0400\n}', True),
        (b"1e400", True),
    ],
)
def test_the_screen_never_misses_a_non_finite_number(content: bytes, may: bool) -> None:
    assert may_hold_non_finite(content) is may


#: A JSON number as Ramp could write one, at times of a magnitude a float cannot hold.
NUMBERS = st.from_regex(
    r"-?(0|[1-9][0-9]{0,3})(\.[0-9]{1,3})?([eE][+-]?[0-9]{1,4})?", fullmatch=True
)
HUGE = st.builds(lambda n, tail: "1" * n + tail, st.integers(200, 320), st.sampled_from(["", ".5"]))
SPACE = st.sampled_from(["", " ", "\n", "\t", "\r\n  "])
#: Strings holding what looks like numbers: ids with exponents inside, words, digits.
TEXTS = st.from_regex(r"[0-9a-fA-F eE+.:,-]{0,12}", fullmatch=True) | st.uuids().map(str)


@st.composite
def documents(draw: st.DrawFn, depth: int = 0) -> str:
    """A JSON text written by hand: numbers as written (overflowing ones too), strings that
    look like numbers, spacing wherever JSON allows it."""
    kind = draw(st.integers(0, 3 if depth < 3 else 1))
    if kind == 0:
        return draw(NUMBERS | HUGE | st.sampled_from(["1e400", "-2E+309", "1e0308"]))
    if kind == 1:
        return '"' + draw(TEXTS) + '"'
    items = draw(st.lists(documents(depth + 1), max_size=4))
    if kind == 2:
        return "[" + ",".join(draw(SPACE) + i + draw(SPACE) for i in items) + "]"
    keys = [draw(TEXTS) for _ in items]
    pairs = (
        f'"{k}"{draw(SPACE)}:{draw(SPACE)}{v}{draw(SPACE)}'
        for k, v in zip(keys, items, strict=True)
    )
    return "{" + ",".join(pairs) + "}"


@settings(max_examples=500, deadline=None)
@given(documents(), SPACE, SPACE)
def test_the_screen_passes_no_answer_that_holds_a_number_too_large(
    text: str, before: str, after: str
) -> None:
    content = (before + text + after).encode()
    try:
        read_json(answer(content), "GET")
    except RampError as refused:
        assert "too large" in str(refused)
        assert may_hold_non_finite(content)
