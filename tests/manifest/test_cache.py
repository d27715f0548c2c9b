"""The manifest cache: a warm load gives exactly what a cold one gives, every corpus case
included; only changed files are read again; anything wrong with the cache is a miss."""

from __future__ import annotations

import os
import pickle
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from rampctl.errors import ManifestError
from rampctl.manifest import cache as cache_module
from rampctl.manifest import load_manifests
from rampctl.manifest import loader as loader_module
from rampctl.manifest.cache import ManifestCache
from rampctl.manifest.document import Document
from rampctl.manifest.position import KeyPositions, Position
from rampctl.manifest.validate import Checked
from tests.manifest.cache_cases import VENDOR, counting_reads, manifest_roots


@pytest.fixture(autouse=True)
def _own_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))


def _result(
    root: Path, cache: ManifestCache | None, variables: dict[str, str] | None = None
) -> Any:
    """Everything a load decides: each document in full and every problem, or the problems."""
    try:
        loaded = load_manifests(root, variables=variables, cache=cache)
    except ManifestError as exc:
        return ("problems", [(str(p), p.address, p.field) for p in exc.problems])
    documents = [
        (d.kind, d.name, d.address, d.spec, d.position, d.keys, d.previously)
        for d in loaded.documents
    ]
    return ("valid", documents, loaded.digest, loaded.files)


def _load(root: Path, folder: Path, **kw: Any) -> tuple[Any, ManifestCache]:
    cache = ManifestCache(folder)
    try:
        return _result(root, cache, **kw), cache
    finally:
        cache.close()


@pytest.mark.parametrize(("name", "root"), manifest_roots(), ids=[n for n, _ in manifest_roots()])
def test_warm_load_gives_what_a_cold_one_gives(
    name: str, root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(root.parent)  # names in messages as the corpus expects them
    uncached = _result(Path(root.name), None)
    cold, first = _load(Path(root.name), tmp_path / ".rampctl")
    warm, second = _load(Path(root.name), tmp_path / ".rampctl")
    assert cold == uncached
    assert warm == cold
    assert second.misses == 0
    assert second.hits == first.misses
    database = tmp_path / ".rampctl" / "cache" / "manifests.sqlite"
    if first.misses:
        with sqlite3.connect(database) as db:
            formats = {value[32:33] for (value,) in db.execute("SELECT value FROM entries")}
        assert formats == {b"M"}  # every outcome in the marshal form, none pickled


def test_warm_documents_share_what_their_layout_shares(tmp_path: Path) -> None:
    """Every document lives as long as the run: read back from the cache, documents written
    alike share their key paths and their specs' fields-sets instead of a copy each."""
    root = _project(tmp_path, 3)
    cache = ManifestCache(tmp_path / ".rampctl")
    load_manifests(root, cache=cache)
    cache.close()
    cache = ManifestCache(tmp_path / ".rampctl")
    first, second, _ = load_manifests(root, cache=cache).documents
    cache.close()
    assert cache.hits == 3
    assert isinstance(first.keys, KeyPositions)
    assert isinstance(second.keys, KeyPositions)
    assert first.keys.paths is second.keys.paths
    assert first.spec.model_fields_set is second.spec.model_fields_set
    assert second.position_of("spec.name") == Position(f"{root}/vendors/v1.yaml", 6, 3)


def _project(tmp_path: Path, count: int = 3) -> Path:
    root = tmp_path / "m"
    (root / "vendors").mkdir(parents=True)
    for i in range(count):
        text = VENDOR.format(name=f"v{i}", title=f"Vendor {i}")
        (root / "vendors" / f"v{i}.yaml").write_text(text)
    return root


def test_only_changed_files_are_read_again(tmp_path: Path) -> None:
    root = _project(tmp_path, 10)
    folder = tmp_path / ".rampctl"
    _load(root, folder)
    (root / "vendors" / "v3.yaml").write_text(VENDOR.format(name="v3", title="Renamed"))
    result, cache = _load(root, folder)
    assert (cache.hits, cache.misses) == (9, 1)
    assert result == _result(root, None)
    assert any(d[3].name == "Renamed" for d in result[1])


def test_a_renamed_file_is_not_read_from_its_old_name(tmp_path: Path) -> None:
    root = _project(tmp_path)
    folder = tmp_path / ".rampctl"
    _load(root, folder)
    (root / "vendors" / "v1.yaml").rename(root / "vendors" / "w1.yaml")
    result, cache = _load(root, folder)
    assert cache.misses == 1
    assert result == _result(root, None)
    assert any(str(d[4]).endswith("w1.yaml:1:1") for d in result[1])


def test_an_invalid_file_is_cached_with_its_problems(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "vendors" / "v1.yaml").write_text(VENDOR.format(name="v1", title="") + "  bogus: 1\n")
    cold, _ = _load(root, tmp_path / ".rampctl")
    warm, cache = _load(root, tmp_path / ".rampctl")
    assert cold[0] == "problems"
    assert warm == cold
    assert cache.hits == 3


def test_entries_from_another_version_are_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path)
    _load(root, tmp_path / ".rampctl")
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda: "another version")
    result, cache = _load(root, tmp_path / ".rampctl")
    assert (cache.hits, cache.misses) == (0, 3)
    assert result == _result(root, None)
    with sqlite3.connect(tmp_path / ".rampctl" / "cache" / "manifests.sqlite") as db:
        codes = {code for (code,) in db.execute("SELECT code FROM entries")}
    assert codes == {"another version"}  # the other version's entries were dropped


def test_corrupt_entries_are_ignored_and_rewritten(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _load(root, tmp_path / ".rampctl")
    path = tmp_path / ".rampctl" / "cache" / "manifests.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("UPDATE entries SET value = substr(value, 1, length(value) - 7)")
    result, cache = _load(root, tmp_path / ".rampctl")
    assert (cache.hits, cache.misses) == (0, 3)
    assert result == _result(root, None)
    _, again = _load(root, tmp_path / ".rampctl")
    assert again.hits == 3


def test_a_cache_file_that_is_not_a_database_is_replaced(tmp_path: Path) -> None:
    root = _project(tmp_path)
    path = tmp_path / ".rampctl" / "cache" / "manifests.sqlite"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a database" * 100)
    result, _ = _load(root, tmp_path / ".rampctl")
    assert result == _result(root, None)
    _, again = _load(root, tmp_path / ".rampctl")
    assert again.hits == 3


def test_entries_signed_with_another_key_are_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache someone else wrote (committed to the repository, say) is never believed."""
    root = _project(tmp_path)
    _load(root, tmp_path / ".rampctl")
    path = tmp_path / ".rampctl" / "cache" / "manifests.sqlite"
    with sqlite3.connect(path) as db:  # a forged entry: same key, another signer's value
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "someone-else"))
        forger = ManifestCache(tmp_path / "elsewhere")
        for (key,) in db.execute("SELECT key FROM entries").fetchall():
            forger.put(key, cache_module.FileOutcome())  # no documents at all
            db.execute("UPDATE entries SET value = ? WHERE key = ?", (forger._pending[key], key))
        forger.close()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    result, cache = _load(root, tmp_path / ".rampctl")
    assert cache.hits == 0
    assert len(result[1]) == 3


def test_templates_are_not_cached(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "t.yaml.j2").write_text(VENDOR.format(name="t", title="{{ title }}"))
    first, _ = _load(root, tmp_path / ".rampctl", variables={"title": "One"})
    second, cache = _load(root, tmp_path / ".rampctl", variables={"title": "Two"})
    assert cache.hits == 3  # the plain files only
    assert [d[3].name for d in first[1] if d[1] == "t"] == ["One"]
    assert [d[3].name for d in second[1] if d[1] == "t"] == ["Two"]


def test_deleting_the_cache_is_safe(tmp_path: Path) -> None:
    root = _project(tmp_path)
    cold, _ = _load(root, tmp_path / ".rampctl")
    shutil.rmtree(tmp_path / ".rampctl")
    again, cache = _load(root, tmp_path / ".rampctl")
    assert again == cold
    assert cache.misses == 3


class Odd(BaseModel):
    """A model the compact form does not know (outside rampctl): such outcomes are not kept."""

    tags: frozenset[str]


def test_values_the_compact_form_does_not_know_are_not_kept(tmp_path: Path) -> None:
    where = Position("m/x.yaml", 3, 1)
    document = Document(
        kind="Vendor",
        name="x",
        address="vendor/x",
        spec=Odd(tags=frozenset({"a"})),  # type: ignore[arg-type]
        position=where,
        keys={("spec",): where},
    )
    outcome = cache_module.FileOutcome(checked=[Checked(document=document)])
    writer = ManifestCache(tmp_path)
    writer.put("k", outcome)
    writer.save()
    writer.close()
    reader = ManifestCache(tmp_path)
    assert reader.lookup(["k"]) == {}
    reader.close()


RAN: list[str] = []


def _record() -> None:
    RAN.append("ran")


class Payload:
    """What a pickle in a cache file could carry: a call made while it is read."""

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return _record, ()


def test_a_signed_pickle_in_the_cache_is_never_read(tmp_path: Path) -> None:
    writer = ManifestCache(tmp_path)
    blob = b"P" + pickle.dumps(Payload())
    writer._pending["k"] = writer._sign("k", blob) + blob
    writer.save()
    writer.close()
    reader = ManifestCache(tmp_path)
    assert reader.lookup(["k"]) == {}
    reader.close()
    assert RAN == []


def test_a_cache_another_run_is_writing_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path)
    _load(root, tmp_path / ".rampctl")
    (root / "vendors" / "v0.yaml").write_text(VENDOR.format(name="v0", title="Changed"))
    monkeypatch.setattr(ManifestCache, "timeout", 0.05)
    path = tmp_path / ".rampctl" / "cache" / "manifests.sqlite"
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another run in the middle of writing
    try:
        result, _ = _load(root, tmp_path / ".rampctl")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert result == _result(root, None)
    _, again = _load(root, tmp_path / ".rampctl")
    assert (again.hits, again.misses) == (2, 1)  # the database was kept, not replaced


def test_files_whose_stat_is_unchanged_are_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path, 5)
    monkeypatch.setattr(cache_module, "RACY_NS", 0)  # written before the load: not racy
    cold, _ = _load(root, tmp_path / ".rampctl")
    reads = counting_reads(monkeypatch)
    warm, cache = _load(root, tmp_path / ".rampctl")
    assert (reads, cache.hits) == ([], 5)
    assert warm == cold
    (root / "vendors" / "v2.yaml").write_text(VENDOR.format(name="v2", title="Edited"))
    edited, _ = _load(root, tmp_path / ".rampctl")
    assert [Path(p).name for p in reads] == ["v2.yaml"]
    assert edited == _result(root, None)


def test_a_same_size_edit_in_the_same_timestamp_tick_is_not_missed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Git's racy case: a file written again within its timestamp's tick keeps its size and
    times. Such a file was written too close to the load for its stat to vouch for it, so
    it is read again (here the change and inode times are left out of the stat, as if they
    had not moved either)."""
    monkeypatch.setattr(loader_module, "stat_signature", lambda st: (st.st_size, st.st_mtime_ns))
    root = _project(tmp_path, 2)
    path = root / "vendors" / "v1.yaml"
    _load(root, tmp_path / ".rampctl")
    before = path.stat()
    path.write_text(VENDOR.format(name="v1", title="Vendor X"))  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # same tick
    assert path.stat().st_size == before.st_size
    result, cache = _load(root, tmp_path / ".rampctl")
    assert cache.misses == 1
    assert {d[3].name for d in result[1]} == {"Vendor 0", "Vendor X"}


def test_a_file_with_its_time_set_back_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit that keeps the size and sets the modification time back (as `touch -r` or
    an archive tool may) still moves the change time, which cannot be set back."""
    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    root = _project(tmp_path, 2)
    path = root / "vendors" / "v1.yaml"
    _load(root, tmp_path / ".rampctl")
    before = path.stat()
    path.write_text(VENDOR.format(name="v1", title="Vendor X"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    result, cache = _load(root, tmp_path / ".rampctl")
    assert cache.misses == 1
    assert {d[3].name for d in result[1]} == {"Vendor 0", "Vendor X"}


def test_a_file_replaced_by_another_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    root = _project(tmp_path, 2)
    _load(root, tmp_path / ".rampctl")
    path = root / "vendors" / "v1.yaml"
    other = root / "v1.new"
    other.write_text(VENDOR.format(name="v1", title="Vendor Y"))
    os.utime(other, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns))
    other.replace(path)  # same size and times, another inode
    result, _ = _load(root, tmp_path / ".rampctl")
    assert {d[3].name for d in result[1]} == {"Vendor 0", "Vendor Y"}


def test_racy_means_written_within_the_window_before_the_load() -> None:
    second = 1_000_000_000
    started = 100 * second

    def st(mtime: int, ctime: int) -> os.stat_result:
        return os.stat_result((0,) * 10 + (0.0, 0.0, 0.0, 0, mtime, ctime))

    assert cache_module.is_racy(st(started - second, started - 10 * second), started)
    assert cache_module.is_racy(st(started - 10 * second, started - second), started)
    assert cache_module.is_racy(st(started + second, started + second), started)  # future
    assert not cache_module.is_racy(st(started - 3 * second, started - 3 * second), started)


def _entry_count(folder: Path) -> int:
    with sqlite3.connect(folder / "cache" / "manifests.sqlite") as db:
        count: int = db.execute("SELECT count(*) FROM entries").fetchone()[0]
    return count


def test_entries_of_removed_and_changed_files_are_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    root, folder = _project(tmp_path, 5), tmp_path / ".rampctl"
    _load(root, folder)
    assert _entry_count(folder) == 5
    (root / "vendors" / "v4.yaml").unlink()
    (root / "vendors" / "v2.yaml").write_text(VENDOR.format(name="v2", title="Edited"))
    result, _ = _load(root, folder)
    assert result == _result(root, None)
    assert _entry_count(folder) == 4  # v0, v1, v3 and the new v2; none of v4 or the old v2
    warm, cache = _load(root, folder)
    assert (warm, cache.hits, cache.misses) == (result, 4, 0)


def test_the_cache_file_is_compacted_once_most_of_it_is_free(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    monkeypatch.setattr(cache_module, "VACUUM_MIN_BYTES", 64 << 10)
    root, folder = tmp_path / "m", tmp_path / ".rampctl"
    (root / "vendors").mkdir(parents=True)
    for i in range(120):
        text = VENDOR.format(name=f"v{i}", title=f"Vendor {i} " + "x" * 2000)
        (root / "vendors" / f"v{i}.yaml").write_text(text)
    _load(root, folder)
    database = folder / "cache" / "manifests.sqlite"
    full = database.stat().st_size
    for i in range(10, 120):
        (root / "vendors" / f"v{i}.yaml").unlink()
    result, _ = _load(root, folder)
    assert result == _result(root, None)
    assert _entry_count(folder) == 10
    assert database.stat().st_size < full / 3


def test_a_cache_file_an_earlier_rampctl_made_is_used_as_it_is(tmp_path: Path) -> None:
    """A new cache file has larger pages and relaxed syncing; one made before (4 KiB
    pages) is read and written as it is, and gives the same outcome."""
    database = tmp_path / ".rampctl" / "cache" / "manifests.sqlite"
    database.parent.mkdir(parents=True)
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA page_size=4096")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(cache_module._SCHEMA)
    root = _project(tmp_path)
    cold, first = _load(root, tmp_path / ".rampctl")
    warm, second = _load(root, tmp_path / ".rampctl")
    assert (first.misses, second.hits) == (3, 3)
    assert warm == cold == _result(root, None)
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA page_size").fetchone() == (4096,)
    fresh = tmp_path / "fresh"
    _load(root, fresh)
    with sqlite3.connect(fresh / "cache" / "manifests.sqlite") as db:
        assert db.execute("PRAGMA page_size").fetchone() == (16384,)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
