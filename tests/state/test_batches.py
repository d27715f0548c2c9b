"""Validating a state file in rampctl's own layout a batch of entries at a time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rampctl.errors import StateError
from rampctl.state import State, StateStore, batches
from rampctl.state.batches import validate_in_batches
from rampctl.state.store import parse_document, serialise
from tests.state.helpers import vendor, with_vendors

TRICKY = 'a value with\n    "lines": {\n  },\n  }\n that look like the layout'


def _written(count: int) -> bytes:
    state = with_vendors(State.new(), count)
    state = state.with_resource("vendor/tricky", vendor("id-t", attributes={"note": TRICKY}))
    return serialise(state.model_copy(update={"capabilities": {"resources": {"a": 1}}}))[1]


@pytest.mark.parametrize("batch", [1, 2, 3, 1000])
def test_batches_give_the_state_the_whole_document_gives(batch: int) -> None:
    data = _written(7)
    state = validate_in_batches(data, batch)
    assert state is not None
    assert state == State.model_validate_json(data)
    assert state.resources["vendor/tricky"].attributes["note"] == TRICKY
    assert serialise(state)[1] == data  # and it is written back byte for byte


@pytest.mark.parametrize(
    "layout",
    [
        lambda doc: json.dumps(doc),  # compact: one line
        lambda doc: json.dumps(doc, indent=4),  # another indentation
        lambda doc: json.dumps({**doc, "resources": {}}, indent=2),  # nothing managed
    ],
)
def test_other_layouts_are_validated_whole(layout: object) -> None:
    assert callable(layout)
    text = layout(json.loads(_written(3)))
    assert validate_in_batches(text.encode()) is None
    assert parse_document(text.encode()) == State.model_validate_json(text)


def test_an_invalid_entry_in_rampctls_layout_is_named(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "rampctl.state.json")
    store.write(with_vendors(State.new(), 3))
    text = store.path.read_text().replace('"ramp_id": "id-1"', '"ramp_id": ""', 1)
    store.path.write_text(text.replace('"kind": "vendor"', '"kind": "vendor", "colour": 1', 1))
    with pytest.raises(StateError) as caught:
        store.load()
    assert "resources.vendor/v1.ramp_id: String should have at least 1 character" in str(
        caught.value
    )
    assert "resources.vendor/v0.colour: Extra inputs are not permitted" in str(caught.value)


def test_an_object_named_by_no_address_is_refused_in_rampctls_layout(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "rampctl.state.json")
    store.write(with_vendors(State.new(), 2))
    store.path.write_text(store.path.read_text().replace('"vendor/v1"', '"v1"'))
    with pytest.raises(StateError, match="'v1' is not an address"):
        store.load()


def _strict_readings(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The parts of a document `validate_in_batches` reads as strict JSON, from now on."""
    read: list[bytes] = []
    strict_reading = batches._strict

    def counted(piece: bytes, data: bytes) -> bool:
        read.append(piece)
        return strict_reading(piece, data)

    monkeypatch.setattr(batches, "_strict", counted)
    return read


def test_batches_as_rampctl_writes_them_are_not_read_again_as_strict_json(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = _written(2500)
    read = _strict_readings(monkeypatch)
    assert validate_in_batches(data) == State.model_validate_json(data)
    assert len(read) == 1 and b'"resources": {}' in read[0]  # the document's own fields only


def test_a_batch_not_as_rampctl_writes_it_is_read_as_strict_json(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = _written(2500).replace(b'"ramp_id": "id-1700",', b'"ramp_id":  "id-1700",', 1)
    read = _strict_readings(monkeypatch)
    assert validate_in_batches(data) == State.model_validate_json(data)
    assert len(read) == 2 and b'"ramp_id":  "id-1700"' in read[1]


@pytest.mark.parametrize("line", [b'"kind": "vendor",', b'"protect": false,'])
def test_a_line_written_twice_is_refused_even_with_the_same_value(line: bytes) -> None:
    data = _written(3).replace(b"\n      " + line, (b"\n      " + line) * 2, 1)
    key = line.split(b":")[0].decode()
    with pytest.raises(StateError, match=f"the key {key} appears twice in resources.vendor/"):
        parse_document(data)
