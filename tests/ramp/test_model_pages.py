"""List pages read into typed items in one pass: the same items, or the same error, as
reading the JSON and then validating item by item; shared fields-sets."""

from __future__ import annotations

import json
import types
import typing
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from rampctl.errors import RampError
from rampctl.ramp import model_pages
from rampctl.ramp.bodies import validated
from rampctl.ramp.model_pages import ModelPages, share_fields_sets
from rampctl.ramp.models import (
    AccountingVendor,
    Bill,
    Entity,
    User,
    Vendor,
    VendorBankAccount,
    VendorContact,
)
from rampctl.ramp.pagination import envelope

URL = "http://127.0.0.1:9/developer/v1/vendors"
MODELS: tuple[type[BaseModel], ...] = (
    Vendor,
    User,
    AccountingVendor,
    Entity,
    VendorContact,
    VendorBankAccount,
    Bill,
)


def page(content: bytes) -> httpx.Response:
    return httpx.Response(200, content=content, request=httpx.Request("GET", URL))


def item_by_item(model: type[BaseModel], response: httpx.Response) -> object:
    """What reading a page has always given: the JSON, then each item validated."""
    data, next_url = envelope(response)
    return [
        validated(model, item, response, "GET", at=f"data.{n}") for n, item in enumerate(data)
    ], next_url


def outcome(read: typing.Callable[[], object]) -> object:
    """The items (with their types and fields-sets) and next link, or the error raised."""
    try:
        result = read()
    except Exception as exc:  # compared whole: type and message
        return ("raised", type(exc), str(exc))
    assert isinstance(result, tuple)
    items, next_url = result
    shapes = [(type(i), i.model_dump(), i.model_fields_set) for i in items]
    return ("read", items, shapes, next_url)


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


def rarely(usual: st.SearchStrategy[Any], odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly `usual`, rarely `odd` (`one_of` would draw either about as often)."""
    return st.randoms(use_true_random=False).flatmap(lambda r: odd if r.random() > 0.95 else usual)


def plausible(annotation: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values of the type `annotation` names (a field's), or rarely anything JSON."""
    if depth > 2:
        return JSON
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        right = st.one_of(*(plausible(a, depth) for a in args))
    elif origin is list:
        right = st.lists(plausible(args[0], depth + 1), max_size=2)
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        right = item(annotation, depth + 1)
    else:
        right = {
            str: st.text(max_size=10) | st.sampled_from(["NaN Foods", 'a"\\b', "\u00e9"]),
            int: st.integers() | st.sampled_from([1.0, "7", 2.5]),
            bool: st.booleans() | st.sampled_from(["true", 0, 1, "no"]),
            type(None): st.none(),
        }.get(annotation, JSON)
    return rarely(right, JSON)


def item(model: type[BaseModel], depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    """An item of `model` as Ramp might send it: its required fields (but rarely), any
    others, some of them odd, and fields rampctl does not know."""
    fields = {name: plausible(f.annotation, depth) for name, f in model.model_fields.items()}
    required = {n: fields.pop(n) for n, f in model.model_fields.items() if f.is_required()}
    extra = {"some_future_field": JSON, "total_spend_ytd": JSON}
    whole = st.fixed_dictionaries(required, optional={**fields, **extra})
    return rarely(whole, st.fixed_dictionaries({}, optional={**required, **fields}))


Case = tuple[type[BaseModel], bytes]


@st.composite
def pages(draw: st.DrawFn) -> Case:
    """A list page of one model's items as Ramp might send it, at times not a page at all."""
    model = draw(st.sampled_from(MODELS))
    body: Any = {"data": draw(st.lists(item(model), max_size=4))}
    link = st.sampled_from([None, URL + "?start=a", URL + "?start=a"]) | st.text(max_size=5)
    odd_page = JSON | st.fixed_dictionaries({"next": JSON})
    body["page"] = draw(rarely(st.fixed_dictionaries({"next": link}), odd_page))
    not_a_page = st.sampled_from([body["data"], {"items": []}, "x", {"data": "x"}])
    body = draw(rarely(st.just(body), not_a_page))
    return model, json.dumps(body, ensure_ascii=draw(st.booleans())).encode()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pages())
def test_one_pass_reads_what_item_by_item_reading_reads(case: Case) -> None:
    model, content = case
    fast = outcome(lambda: ModelPages(model)(page(content)))
    assert fast == outcome(lambda: item_by_item(model, page(content)))


@pytest.mark.parametrize(
    "content",
    [
        b'{"data": [{"id": "a", "name": "x", "name": "y"}]}',  # the last repeat wins, as in json
        b'{"data": [], "data": [{"id": "a", "name": "x"}], "page": {"next": null}}',
        b'{"data": [{"id": "a", "name": "\\ud800"}]}',  # a lone surrogate
        b'\xef\xbb\xbf{"data": []}',  # a byte-order mark
        b'{"data": [{"id": "a", "name": "x", "contacts": "ab"}]}',
        b'{"data": [{"id": "a", "name": "x", "pending_update": {"fields": {"n": 1e400}}}]}',
        b'{"data": [{"id": "a", "name": "NaN Foods", "description": "Infinity pool"}]}',
        b'{"data": [{"id": "a"}], "page": {"next": 3}}',
        b'{"data": [{"id": "a", "name": "x"}], "page": {"next": 3}}',
        b'{"data": [{"id": "a", "name": "x"}], "page": "next"}',
        b"[]",
        b"not json",
    ],
)
def test_edge_cases_read_as_item_by_item(content: bytes) -> None:
    fast = outcome(lambda: ModelPages(Vendor)(page(content)))
    assert fast == outcome(lambda: item_by_item(Vendor, page(content)))


def test_an_invalid_item_is_named_as_item_by_item_reading_names_it() -> None:
    content = b'{"data": [{"id": "a", "name": "x"}, {"id": "b"}]}'
    with pytest.raises(RampError) as raised:
        ModelPages(Vendor)(page(content))
    assert str(raised.value) == (
        "GET /developer/v1/vendors: Ramp's answer does not fit rampctl's Vendor (data.1.name: "
        "Field required); rampctl refuses it (HTTP 200)"
    )


def test_a_page_holding_a_number_that_overflows_a_float_is_refused() -> None:
    content = b'{"data": [{"id": "a", "name": "x", "pending_update": {"fields": {"x": 1e400}}}]}'
    with pytest.raises(RampError, match="a number too large for a float"):
        ModelPages(Vendor)(page(content))


def test_a_page_nested_too_deeply_is_refused() -> None:
    deep = b"[" * 5000 + b"]" * 5000
    content = b'{"data": [{"id": "a", "name": "x", "pending_update": {"fields": {"x": %s}}}]}'
    with pytest.raises(RampError, match="nested too deeply"):
        ModelPages(Vendor)(page(content % deep))


def test_a_valid_page_is_read_in_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_second_reading(response: httpx.Response) -> None:
        raise AssertionError("read item by item")

    monkeypatch.setattr(model_pages, "envelope", no_second_reading)
    content = json.dumps({"data": [{"id": "a", "name": "x"}], "page": {"next": URL}}).encode()
    items, next_url = ModelPages(Vendor)(page(content))
    assert [v.id for v in items] == ["a"] and next_url == URL


def test_a_page_of_uuid_ids_is_read_in_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ids such as `...-2e375e9c...` hold an exponent's shape inside a string."""

    def no_second_reading(response: httpx.Response) -> None:
        raise AssertionError("read item by item")

    monkeypatch.setattr(model_pages, "envelope", no_second_reading)
    ids = ["96bdb464-a560-51d0-b2bf-2e375e9c12ba", "f9bd90f0-f887-52d5-9efd-c779c6e123ab"]
    amounts = {"amount": 123400, "currency_code": "USD"}
    data = [{"id": i, "name": "x", "total_spend_ytd": amounts} for i in ids]
    content = json.dumps({"data": data, "page": {"next": None}}).encode()
    items, _ = ModelPages(Vendor)(page(content))
    assert [v.id for v in items] == ids


@pytest.mark.parametrize("number", [b"NaN", b"Infinity", b"-Infinity"])
def test_a_non_finite_number_anywhere_in_a_page_is_refused(number: bytes) -> None:
    content = b'{"data": [{"id": "a", "name": "Secret", "total_spend_ytd": %s}]}' % number
    with pytest.raises(RampError, match="holds NaN or Infinity") as refused:
        ModelPages(Vendor)(page(content))
    assert refused.value.path == "/developer/v1/vendors" and "Secret" not in str(refused.value)


def test_items_of_one_shape_share_one_fields_set_and_others_their_own() -> None:
    a, b = {"id": "a", "name": "x"}, {"id": "b", "name": "y", "state": "CA"}
    items = [Vendor.model_validate(v) for v in (a, b, a, b, a)]
    share_fields_sets(items)
    assert items[0].model_fields_set is items[2].model_fields_set is items[4].model_fields_set
    assert items[1].model_fields_set is items[3].model_fields_set
    assert items[1].model_fields_set == {"id", "name", "state"}


class _Loose(BaseModel):
    """A model whose items may change after validation (not frozen)."""

    name: str


def test_a_model_that_is_not_frozen_keeps_its_own_fields_sets() -> None:
    items = [_Loose(name="a"), _Loose(name="b")]
    share_fields_sets(items)
    assert items[0].model_fields_set is not items[1].model_fields_set
