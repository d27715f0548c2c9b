"""Positions, field paths and the compact key positions every document keeps."""

from __future__ import annotations

import pickle

import pytest

from rampctl.manifest.position import (
    KeyPositions,
    Places,
    Position,
    format_path,
    parse_path,
)

KEYS = {
    ("spec",): Position("m/a.yaml", 4, 1),
    ("spec", "name"): Position("m/a.yaml", 5, 3),
    ("spec", "ignore_changes", 1): Position("m/a.yaml", 9, 5),
}


def test_key_positions_read_as_the_positions_they_were_made_from() -> None:
    compact = KeyPositions.of("m/a.yaml", KEYS)
    assert dict(compact) == KEYS
    assert compact == KEYS
    assert list(compact) == list(KEYS)
    assert compact[("spec", "name")] == Position("m/a.yaml", 5, 3)
    assert ("spec", "owner") not in compact
    with pytest.raises(KeyError):
        compact[("spec", "owner")]
    assert compact.files is None  # every key in the document's own file


def test_keys_written_in_another_file_keep_their_file() -> None:
    keys = {**KEYS, ("spec", "owner"): Position("m/_partials/owner.yaml.j2", 2, 7)}
    compact = KeyPositions.of("m/a.yaml", keys)
    assert dict(compact) == keys
    assert compact[("spec", "owner")].file == "m/_partials/owner.yaml.j2"


def test_documents_with_one_layout_share_its_paths() -> None:
    first = KeyPositions.of("m/a.yaml", KEYS)
    moved = {path: Position("m/b.yaml", p.line + 1, p.col) for path, p in KEYS.items()}
    second = KeyPositions.of("m/b.yaml", moved)
    assert second.paths is first.paths
    assert second[("spec",)] == Position("m/b.yaml", 5, 1)


def test_key_positions_pickle() -> None:
    compact = KeyPositions.of("m/a.yaml", KEYS)
    assert dict(pickle.loads(pickle.dumps(compact))) == KEYS


def test_paths_format_and_parse_back() -> None:
    for path in (("spec", "address", "city"), ("spec", "ignore_changes", 1)):
        assert parse_path(format_path(path)) == path


@pytest.mark.parametrize("count", [3, 64, 65, 500])
def test_places_read_as_positions_by_scan_or_index(count: int) -> None:
    paths = tuple(("k", n) for n in range(count))
    places = tuple(x for n in range(count) for x in (n + 1, 2 * n + 1))
    recorded = Places("m/a.yaml", paths, places)
    assert len(recorded) == count
    assert list(recorded) == list(paths)
    assert recorded[("k", count - 1)] == Position("m/a.yaml", count, 2 * count - 1)
    assert recorded.get(("k", count)) is None
    with pytest.raises(KeyError):
        recorded[("other",)]


def test_key_positions_of_recorded_places_share_their_layout() -> None:
    paths = tuple(KEYS)
    places = tuple(x for p in KEYS.values() for x in (p.line, p.col))
    compact = KeyPositions.of_places(Places("m/a.yaml", paths, places))
    assert compact == KEYS
    assert compact.paths is KeyPositions.of("m/a.yaml", KEYS).paths
