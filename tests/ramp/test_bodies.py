"""Ramp's answers read as strict JSON: NaN and Infinity refused, naming the request only."""

from __future__ import annotations

import httpx
import pytest

from rampctl.errors import OutcomeUncertainError, RampError
from rampctl.ramp.bodies import may_hold_non_finite, read_json

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


def test_a_body_that_is_not_json_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        read_json(answer(b"<html>"), "GET")


@pytest.mark.parametrize(
    ("content", "may"),
    [
        (b'{"a": 1}', False),
        (b'{"a": NaN}', True),
        (b'{"a": -Infinity}', True),
        (b'{"a": "NaN Foods"}', True),  # a word in a string: only read_json tells
    ],
)
def test_the_screen_never_misses_a_non_finite_number(content: bytes, may: bool) -> None:
    assert may_hold_non_finite(content) is may
