"""A state document is read as strict JSON: no repeated key, no NaN or Infinity, on every path."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from rampctl.errors import StateError
from rampctl.state import State, StateStore
from rampctl.state.journal import Journal
from rampctl.state.remote import RemoteBackend
from rampctl.state.store import parse_document, serialise
from tests.state.helpers import vendor, with_vendors


def _written(count: int) -> bytes:
    return serialise(with_vendors(State.new(), count))[1]


def _ours(data: bytes) -> bytes:
    return data


def _compact(data: bytes) -> bytes:
    return json.dumps(json.loads(data)).encode()


LAYOUTS = [pytest.param(_ours, id="batched"), pytest.param(_compact, id="whole")]


def _refused(data: bytes) -> str:
    with pytest.raises(StateError) as caught:
        parse_document(data)
    return str(caught.value)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_an_address_written_twice_across_batches_is_refused(
    layout: Callable[[bytes], bytes],
) -> None:
    data = layout(_written(2500)).replace(b'"vendor/v1700": {', b'"vendor/v1": {', 1)
    assert len(json.loads(data)["resources"]) == 2499  # what a lenient reader keeps
    message = _refused(data)
    assert "the address vendor/v1 appears twice in resources" in message


def test_the_lines_of_both_are_named_in_rampctls_layout() -> None:
    data = _written(3).replace(b'"vendor/v2": {', b'"vendor/v0": {', 1)
    lines = data.decode().splitlines()
    where = [n for n, line in enumerate(lines, start=1) if '"vendor/v0": {' in line]
    assert f"(lines {where[0]} and {where[1]})" in _refused(data)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(
    ("edit", "named"),
    [
        ((b'"ramp_id": "id-1",', b'"ramp_id": "id-1", "ramp_id": "id-9",'), "resources.vendor/v1"),
        ((b'"name": "Vendor id-2"', b'"name": "a", "name": "b"'), "vendor/v2.attributes"),
        ((b'"serial": 0,', b'"serial": 0, "serial": 7,'), "at the top level"),
    ],
)
def test_a_key_repeated_in_any_object_is_refused(
    layout: Callable[[bytes], bytes], edit: tuple[bytes, bytes], named: str
) -> None:
    data = layout(_written(3))
    assert edit[0] in data
    message = _refused(data.replace(edit[0], edit[1], 1))
    assert "appears twice" in message and named in message


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity", b"1e999"])
def test_a_non_finite_number_is_refused(layout: Callable[[bytes], bytes], constant: bytes) -> None:
    data = layout(_written(3)).replace(b'"Vendor id-1"', constant, 1)
    message = _refused(data)
    assert "resources.vendor/v1.attributes.name is" in message
    assert "not a JSON number" in message


def test_nan_inside_a_string_is_only_text() -> None:
    state = with_vendors(State.new(), 1).with_resource(
        "vendor/nan", vendor(attributes={"name": "NaN Infinity Corp", "n": 1.5})
    )
    assert parse_document(serialise(state)[1]) == state


def test_the_store_names_the_file_and_writes_nothing(store: StateStore) -> None:
    store.write(with_vendors(State.new(), 3))
    data = store.path.read_bytes().replace(b'"vendor/v2": {', b'"vendor/v0": {', 1)
    store.path.write_bytes(data)
    with pytest.raises(StateError) as caught:
        store.load()
    assert str(store.path) in str(caught.value) and "vendor/v0 appears twice" in str(caught.value)
    assert store.path.read_bytes() == data


def test_remote_state_is_read_as_strictly(remote: Callable[..., RemoteBackend[object]]) -> None:
    backend = remote()
    written = backend.write(with_vendors(backend.load(), 3))
    data, version = backend.read_stored() or (b"", None)
    edited = data.replace(b'"vendor/v2": {', b'"vendor/v0": {', 1)
    backend.write_stored(edited, written, version)
    with pytest.raises(StateError, match=r"the state at .* unusable: the address vendor/v0"):
        remote().load()
    nan = data.replace(b'"Vendor id-1"', b"NaN", 1)
    try:
        backend.write_stored(nan, written, (backend.read_stored() or (b"", None))[1])
    except StateError as exc:  # PostgreSQL's json type refuses NaN itself
        assert "invalid input syntax for type json" in str(exc)
        return
    with pytest.raises(StateError, match="is NaN, which is not a JSON number"):
        remote().load()


def test_an_entry_cannot_hold_nan() -> None:
    with pytest.raises(ValueError, match="finite number"):
        vendor(attributes={"amount": float("nan")})


def test_nan_put_in_behind_validation_is_never_written(store: StateStore) -> None:
    state = with_vendors(State.new(), 2)
    state.resources["vendor/v1"].attributes["amount"] = float("inf")
    with pytest.raises(StateError, match=r"refusing to write an invalid state: .*Infinity"):
        store.write(state)
    assert not store.exists()


def test_nan_is_never_journaled(store: StateStore) -> None:
    journal: Journal = store.journal()
    with pytest.raises(StateError, match="NaN or Infinity"):
        journal.append({"type": "state", "entry": {"amount": float("nan")}})
    assert journal.records() == []
