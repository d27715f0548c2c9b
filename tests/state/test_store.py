"""StateStore: loading, validation errors, atomic versioned writes, backup, concurrency."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest

from rampctl.errors import StateError
from rampctl.state import State, StateStore, batches
from rampctl.state import store as store_module
from tests.state.helpers import vendor, with_vendors


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_missing_file_loads_as_one_new_state(store: StateStore) -> None:
    assert not store.exists()
    first = store.load()
    assert first.serial == 0 and first.resources == {}
    assert store.load().lineage == first.lineage  # stable until written
    assert not store.exists()  # loading never creates the file


def test_write_bumps_serial_without_touching_the_argument(store: StateStore) -> None:
    state = store.load().with_resource("vendor/acme", vendor("v-1"))
    written = store.write(state)
    assert (state.serial, written.serial) == (0, 1)
    assert written.lineage == state.lineage
    again = StateStore(store.path).load()
    assert again == written
    assert again.resources["vendor/acme"].ramp_id == "v-1"


def test_written_state_shares_nothing_with_the_argument(store: StateStore) -> None:
    state = store.load().with_resource("vendor/acme", vendor("v-1"))
    written = store.write(state)
    state.resources["vendor/acme"].attributes["name"] = "changed later"
    assert written.resources["vendor/acme"].attributes["name"] == "Vendor v-1"


def test_files_are_private_and_the_backup_is_the_previous_version(store: StateStore) -> None:
    first = store.write(store.load().with_resource("vendor/a", vendor("v-a")))
    assert not store.backup_path.exists()  # nothing to back up the first time
    second = store.write(first.with_resource("vendor/b", vendor("v-b")))
    assert _mode(store.path) == 0o600 and _mode(store.backup_path) == 0o600
    backup = json.loads(store.backup_path.read_text())
    assert backup["serial"] == first.serial and set(backup["resources"]) == {"vendor/a"}
    assert json.loads(store.path.read_text())["serial"] == second.serial
    leftovers = [p.name for p in store.path.parent.iterdir() if p.name.endswith((".tmp", ".link"))]
    assert leftovers == []


def test_file_is_stable_readable_json(store: StateStore) -> None:
    state = with_vendors(store.load(), 3).bind("https://demo-api.ramp.com", "biz-1")
    store.write(state)
    doc = json.loads(store.path.read_text())
    assert list(doc)[:3] == ["format_version", "serial", "lineage"]
    assert list(doc["resources"]) == sorted(doc["resources"])
    assert doc["environment"] == "https://demo-api.ramp.com" and doc["business_id"] == "biz-1"


def test_a_state_of_another_lineage_is_refused(store: StateStore) -> None:
    store.write(store.load())
    stranger = State.new()
    with pytest.raises(StateError, match="lineage"):
        store.write(stranger)
    assert store.load().serial == 1


def test_a_write_based_on_an_older_serial_is_refused(store: StateStore) -> None:
    base = store.write(store.load())
    other_run = StateStore(store.path)
    other_run.write(other_run.load().with_resource("vendor/x", vendor("v-x")))
    with pytest.raises(StateError, match="serial 2 on disk, 1 in this run"):
        store.write(base.with_resource("vendor/y", vendor("v-y")))
    assert set(StateStore(store.path).load().resources) == {"vendor/x"}


def test_a_state_bound_elsewhere_cannot_overwrite_the_file(store: StateStore) -> None:
    bound = store.write(store.load().bind("https://demo-api.ramp.com", "biz-1"))
    moved = bound.model_copy(update={"business_id": "biz-2"})
    with pytest.raises(StateError, match="belongs to Ramp business biz-1") as caught:
        store.write(moved)
    assert "the state being written to biz-2" in str(caught.value)
    assert store.write(bound).business_id == "biz-1"


def test_sensitive_attributes_are_never_written(store: StateStore) -> None:
    leaky = vendor("v-1", attributes={"name": "Acme", "bank": {"routing_number": "021000021"}})
    with pytest.raises(StateError, match=r"bank\.routing_number") as caught:
        store.write(store.load().with_resource("vendor/acme", leaky))
    assert "021000021" not in str(caught.value)
    assert not store.exists()


def test_an_invalid_state_is_refused_before_writing(store: StateStore) -> None:
    state = store.load()
    state.resources["no-kind"] = vendor()  # a caller bypassing with_resource
    with pytest.raises(StateError, match="no-kind"):
        store.write(state)
    assert not store.exists()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"{not json", "not valid JSON"),
        (b"[]", "not a JSON object"),
        (b'{"serial": 1}', "no format_version"),
        (b'{"format_version": "one"}', "not a non-negative integer"),
        (b'{"format_version": 99}', "newer than this rampctl reads"),
        (b'{"format_version": 1, "serial": 1', "not valid JSON"),
        (b'{"format_version": 1, "serial": -1}', "serial: Input should be greater than"),
    ],
)
def test_corrupt_files_raise_a_state_error_naming_the_problem(
    store: StateStore, content: bytes, problem: str
) -> None:
    store.path.write_bytes(content)
    with pytest.raises(StateError, match=problem) as caught:
        store.load()
    assert str(store.path) in str(caught.value)


def test_validation_errors_name_the_field(store: StateStore) -> None:
    doc = store.load().with_resource("vendor/acme", vendor()).model_dump()
    del doc["resources"]["vendor/acme"]["ramp_id"]
    doc["resources"]["vendor/acme"]["colour"] = "red"
    store.path.write_text(json.dumps(doc))
    with pytest.raises(StateError) as caught:
        store.load()
    message = str(caught.value)
    assert "resources.vendor/acme.ramp_id: Field required" in message
    assert "resources.vendor/acme.colour: Extra inputs are not permitted" in message


def test_a_current_document_loads_the_same_read_straight_or_through_upgrade(
    store: StateStore,
) -> None:
    written = store.write(store.load().with_resource("vendor/acme", vendor()))
    loaded = store.load()  # as written: format_version first, read straight from the JSON
    doc = json.loads(store.path.read_bytes())
    store.path.write_text(json.dumps({"serial": doc.pop("serial"), **doc}))
    assert loaded == written == store.load()  # another key first: read through `upgrade`


def test_a_corrupt_file_points_at_the_backup(store: StateStore) -> None:
    store.write(store.write(store.load()))
    store.path.write_text("garbage")
    with pytest.raises(StateError, match=r"previous version is in .*backup"):
        store.load()
    restored = store.restore_backup()
    assert restored.serial == 1 and store.load().serial == 1


def test_concurrent_updates_from_threads_lose_nothing(store: StateStore) -> None:
    store.write(store.load())

    def add(index: int) -> None:
        store.update(lambda s: s.with_resource(f"vendor/t{index}", vendor(f"id-{index}")))

    threads = [threading.Thread(target=add, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = StateStore(store.path).load()
    assert final.serial == 17
    assert set(final.resources) == {f"vendor/t{i}" for i in range(16)}


def test_update_on_a_missing_file_keeps_the_loaded_lineage(store: StateStore) -> None:
    loaded = store.load()
    written = store.update(lambda s: s.with_resource("vendor/a", vendor()))
    assert written.lineage == loaded.lineage and written.serial == 1


def test_paths_of_companion_files(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "prod.json")
    names = [p.name for p in (store.backup_path, store.journal_path, store.lock_path)]
    assert names == ["prod.json.backup", "prod.json.journal", "prod.json.lock"]
    assert store.journal().path == store.journal_path


def _keeps_attributes(path: Path) -> bool:
    """Whether extended attributes are kept where `path` is (a file rampctl wrote there)."""
    getxattr = getattr(os, "getxattr", None)
    try:
        return getxattr is not None and bool(getxattr(path, store_module.OWN_WRITING_ATTRIBUTE))
    except OSError:
        return False


def test_a_state_rampctl_wrote_is_not_read_again_as_strict_json(
    store: StateStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = store.write(with_vendors(State.new(), 3))
    if not _keeps_attributes(store.path):
        pytest.skip("extended attributes are not kept here")

    def refuse(*args: object, **kwargs: object) -> bool:
        raise AssertionError("read again")

    monkeypatch.setattr(batches, "_as_written", refuse)
    monkeypatch.setattr(batches, "_strict", refuse)
    assert StateStore(store.path).load() == written


def test_a_state_changed_after_rampctl_wrote_it_is_checked_in_full(store: StateStore) -> None:
    store.write(with_vendors(State.new(), 3))
    kept = _keeps_attributes(store.path)
    line = b'\n      "protect": false,'
    edited = store.path.read_bytes().replace(line, line * 2, 1)
    with open(store.path, "r+b") as handle:  # the same file, its attributes kept
        handle.write(edited)
    assert _keeps_attributes(store.path) == kept
    with pytest.raises(StateError, match='the key "protect" appears twice'):
        StateStore(store.path).load()


def test_a_copied_state_is_checked_in_full(store: StateStore, tmp_path: Path) -> None:
    store.write(with_vendors(State.new(), 3))
    line = b'\n      "kind": "vendor",'
    copy = tmp_path / "copy.state.json"
    copy.write_bytes(store.path.read_bytes().replace(line, line * 2, 1))
    assert not _keeps_attributes(copy)
    with pytest.raises(StateError, match='the key "kind" appears twice'):
        StateStore(copy).load()
