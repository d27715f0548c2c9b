"""The desired graph from the manifest cache: a warm graph is the graph a cold load builds,
every corpus case and example included; it is taken whole only while every file (and every
template's rendering) is unchanged; anything wrong with it is a miss."""

from __future__ import annotations

import dataclasses
import os
import pickle
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from rampctl.errors import ManifestError
from rampctl.manifest import cache as cache_module
from rampctl.manifest import graph as graph_module
from rampctl.manifest import load_manifests
from rampctl.manifest import loader as loader_module
from rampctl.manifest.cache import ManifestCache
from rampctl.manifest.graph import load_graph
from rampctl.model.desired import DesiredGraph, build_graph
from tests.manifest.cache_cases import VENDOR, counting_reads, manifest_roots


@pytest.fixture(autouse=True)
def _own_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))


def _view(graph: DesiredGraph) -> Any:
    """Everything a graph holds, comparable: each object with its document's positions."""
    out = {}
    for kind in ("vendors", "accounting_vendors", "bills", "users"):
        for address, obj in getattr(graph, kind).items():
            doc: Any = obj.document
            where = (doc.position, dict(doc.keys), doc.previously)
            out[address] = (dataclasses.replace(obj, document=None), where)
    return (out, graph.digest)


def _result(
    root: Path, cache: ManifestCache | None, variables: dict[str, str] | None = None
) -> Any:
    """What a load decides: the graph, or the problems."""
    try:
        graph = load_graph(root, variables=variables, cache=cache)
    except ManifestError as exc:
        return ("problems", [(str(p), p.address, p.field) for p in exc.problems])
    return ("valid", _view(graph))


def _load(root: Path, folder: Path, **kw: Any) -> Any:
    cache = ManifestCache(folder)
    try:
        return _result(root, cache, **kw)
    finally:
        cache.close()


@pytest.fixture
def no_build(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the graphs built (the warm path builds none)."""
    built: list[int] = []

    def counting(manifests: Any) -> DesiredGraph:
        built.append(1)
        return build_graph(manifests)

    monkeypatch.setattr(graph_module, "build_graph", counting)
    return built


@pytest.mark.parametrize(("name", "root"), manifest_roots(), ids=[n for n, _ in manifest_roots()])
def test_the_cache_never_changes_a_verdict(
    name: str, root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_build: list[int]
) -> None:
    monkeypatch.chdir(root.parent)  # names in messages as the corpus expects them
    uncached = _result(Path(root.name), None)
    cold = _load(Path(root.name), tmp_path / ".rampctl")
    built = len(no_build)
    warm = _load(Path(root.name), tmp_path / ".rampctl")
    assert cold == uncached
    assert warm == cold
    if cold[0] == "valid":
        assert len(no_build) == built  # taken whole from the cache
        try:
            manifests = load_manifests(Path(root.name))
        except ManifestError:
            pytest.fail("load_graph found no problem where load_manifests does")
        assert _view(build_graph(manifests)) == cold[1]


def _project(tmp_path: Path, count: int = 3) -> Path:
    root = tmp_path / "m"
    (root / "vendors").mkdir(parents=True)
    for i in range(count):
        text = VENDOR.format(name=f"v{i}", title=f"Vendor {i}")
        (root / "vendors" / f"v{i}.yaml").write_text(text)
    return root


def _names(result: Any) -> set[str]:
    return {obj.fields.name for obj, _ in result[1][0].values()}


def test_a_changed_file_gives_a_new_graph(tmp_path: Path, no_build: list[int]) -> None:
    root = _project(tmp_path)
    folder = tmp_path / ".rampctl"
    _load(root, folder)
    (root / "vendors" / "v1.yaml").write_text(VENDOR.format(name="v1", title="Renamed"))
    changed = _load(root, folder)
    assert _names(changed) == {"Vendor 0", "Renamed", "Vendor 2"}
    assert len(no_build) == 1  # the kept graph brought up to date: no whole build
    assert _load(root, folder) == changed
    assert len(no_build) == 1
    assert changed == _result(root, None)


def test_an_added_or_removed_file_gives_a_new_graph(tmp_path: Path) -> None:
    root = _project(tmp_path)
    folder = tmp_path / ".rampctl"
    _load(root, folder)
    (root / "vendors" / "v9.yaml").write_text(VENDOR.format(name="v9", title="New"))
    assert "New" in _names(_load(root, folder))
    (root / "vendors" / "v0.yaml").unlink()
    assert _names(_load(root, folder)) == {"Vendor 1", "Vendor 2", "New"}


def test_a_template_is_keyed_by_what_it_renders(tmp_path: Path, no_build: list[int]) -> None:
    """Variables (`vars/`, `--var`) and included partials decide a template's documents."""
    root = _project(tmp_path)
    (root / "vars").mkdir()
    (root / "vars" / "v.yaml").write_text("title: From vars\n")
    (root / "_part.j2").write_text("{{ title }}")
    (root / "t.yaml.j2").write_text(VENDOR.format(name="t", title='{% include "_part.j2" %}'))
    folder = tmp_path / ".rampctl"
    assert "From vars" in _names(_load(root, folder))
    assert "One" in _names(_load(root, folder, variables={"title": "One"}))
    assert "Two" in _names(_load(root, folder, variables={"title": "Two"}))
    assert "From vars" in _names(_load(root, folder))
    (root / "vars" / "v.yaml").write_text("title: Edited vars\n")
    assert "Edited vars" in _names(_load(root, folder))
    (root / "_part.j2").write_text("Partial {{ title }}")
    assert "Partial Edited vars" in _names(_load(root, folder))
    built = len(no_build)
    assert "Partial Edited vars" in _names(_load(root, folder))
    assert len(no_build) == built  # unchanged rendering: the graph is taken whole


def test_a_template_line_moved_moves_its_positions(tmp_path: Path) -> None:
    """Same rendering, other template lines: the positions in the graph follow."""
    root = _project(tmp_path, 0)
    (root / "t.yaml.j2").write_text(VENDOR.format(name="t", title="T"))
    folder = tmp_path / ".rampctl"
    first = _load(root, folder)
    (root / "t.yaml.j2").write_text("{# a comment -#}\n" + VENDOR.format(name="t", title="T"))
    second = _load(root, folder)
    assert second == _result(root, None)
    assert second[1][0]["vendor/t"][1] != first[1][0]["vendor/t"][1]


def test_problems_are_reported_warm_as_cold(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "vendors" / "v1.yaml").write_text(VENDOR.format(name="v0", title="Twice"))
    cold = _load(root, tmp_path / ".rampctl")
    assert cold[0] == "problems"
    assert _load(root, tmp_path / ".rampctl") == cold


def test_a_graph_from_another_version_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_build: list[int]
) -> None:
    root = _project(tmp_path)
    _load(root, tmp_path / ".rampctl")
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda: "another version")
    warm = _load(root, tmp_path / ".rampctl")
    assert len(no_build) == 2
    assert warm == _result(root, None)
    with sqlite3.connect(tmp_path / ".rampctl" / "cache" / "manifests.sqlite") as db:
        codes = {code for (code,) in db.execute("SELECT code FROM scoped")}
    assert codes == {"another version"}  # the other version's graph and index were dropped


def test_a_graph_signed_with_another_key_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_build: list[int]
) -> None:
    root = _project(tmp_path)
    _load(root, tmp_path / ".rampctl")
    path = tmp_path / ".rampctl" / "cache" / "manifests.sqlite"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "someone-else"))
    forger = ManifestCache(tmp_path / "elsewhere")
    with sqlite3.connect(path) as db:
        for scope, value in db.execute("SELECT scope, value FROM scoped").fetchall():
            forged = forger._sign(scope, value[32:]) + value[32:]
            db.execute("UPDATE scoped SET value = ? WHERE scope = ?", (forged, scope))
    forger.close()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    warm = _load(root, tmp_path / ".rampctl")
    assert len(no_build) == 2
    assert warm == _result(root, None)


def test_a_corrupt_graph_is_a_miss(tmp_path: Path, no_build: list[int]) -> None:
    root = _project(tmp_path)
    _load(root, tmp_path / ".rampctl")
    path = tmp_path / ".rampctl" / "cache" / "manifests.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("UPDATE scoped SET value = substr(value, 1, length(value) - 7)")
    warm = _load(root, tmp_path / ".rampctl")
    assert len(no_build) == 2
    assert warm == _result(root, None)


def test_deleting_the_cache_is_safe(tmp_path: Path) -> None:
    root = _project(tmp_path)
    cold = _load(root, tmp_path / ".rampctl")
    shutil.rmtree(tmp_path / ".rampctl")
    assert _load(root, tmp_path / ".rampctl") == cold


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written before a load are not racy (here, without waiting for the window)."""
    monkeypatch.setattr(cache_module, "RACY_NS", 0)


def test_unchanged_files_are_not_read_nor_their_index_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settled: None, no_build: list[int]
) -> None:
    root = _project(tmp_path)
    cold = _load(root, tmp_path / ".rampctl")
    reads = counting_reads(monkeypatch)
    monkeypatch.setattr(ManifestCache, "stat_index", None)  # not even the stat index
    assert _load(root, tmp_path / ".rampctl") == cold
    assert (reads, len(no_build)) == ([], 1)


def test_a_touched_file_is_read_and_the_graph_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settled: None, no_build: list[int]
) -> None:
    """Same bytes, new times: the file is read again, the graph is the one kept, and the
    next run takes it by stat again."""
    root = _project(tmp_path)
    cold = _load(root, tmp_path / ".rampctl")
    path = root / "vendors" / "v1.yaml"
    path.write_bytes(path.read_bytes())
    reads = counting_reads(monkeypatch)
    assert _load(root, tmp_path / ".rampctl") == cold
    assert ([Path(p).name for p in reads], len(no_build)) == (["v1.yaml"], 1)
    assert _load(root, tmp_path / ".rampctl") == cold
    assert len(reads) == 1


def test_a_same_size_edit_in_the_same_tick_gives_a_new_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Git's racy case, for the graph: the stats said to be unchanged (size and
    modification time only, as if the other times had not moved) do not vouch for a file
    written within the racy window of the load that kept the graph."""
    monkeypatch.setattr(loader_module, "stat_signature", lambda st: (st.st_size, st.st_mtime_ns))
    root = _project(tmp_path)
    path = root / "vendors" / "v1.yaml"
    _load(root, tmp_path / ".rampctl")
    before = path.stat()
    path.write_text(VENDOR.format(name="v1", title="Vendor X"))  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert _names(_load(root, tmp_path / ".rampctl")) == {"Vendor 0", "Vendor X", "Vendor 2"}


def test_a_root_with_templates_is_never_taken_by_stat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settled: None
) -> None:
    """A variable given on the command line changes no file: templates are always rendered."""
    root = _project(tmp_path)
    (root / "t.yaml.j2").write_text(VENDOR.format(name="t", title="{{ title }}"))
    assert "One" in _names(_load(root, tmp_path / ".rampctl", variables={"title": "One"}))
    assert "Two" in _names(_load(root, tmp_path / ".rampctl", variables={"title": "Two"}))


def test_entries_behind_a_graph_are_kept_in_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settled: None
) -> None:
    """A graph taken day after day marks the entries it stands for as used, so they are not
    dropped as unused while the graph is the one read."""
    root = _project(tmp_path)
    _load(root, tmp_path / ".rampctl")
    path = tmp_path / ".rampctl" / "cache" / "manifests.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("UPDATE entries SET used = used - 20")
        db.execute("UPDATE scoped SET used = used - 20")
    _load(root, tmp_path / ".rampctl")
    with sqlite3.connect(path) as db:
        days = {u for (u,) in db.execute("SELECT used FROM entries UNION SELECT used FROM scoped")}
    assert len(days) == 1


def test_no_graph_keeps_values_given_with_var(tmp_path: Path) -> None:
    """A `--var` value may be a secret that no manifest file holds: it is never written to
    the cache (the per-file entries never held templates)."""
    root = _project(tmp_path)
    (root / "t.yaml.j2").write_text(VENDOR.format(name="t", title="{{ title }}"))
    folder = tmp_path / ".rampctl"
    assert "Secret-4711" in _names(_load(root, folder, variables={"title": "Secret-4711"}))
    assert "Secret-4711" in _names(_load(root, folder, variables={"title": "Secret-4711"}))
    data = b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())
    assert b"Secret-4711" not in data


@pytest.mark.parametrize("state", ["uncached", "cold", "warm"])
def test_a_file_removed_between_finding_and_reading_is_a_problem_where_it_was(
    state: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path)
    folder = tmp_path / ".rampctl"
    if state == "warm":
        assert _load(root, folder)[0] == "valid"
    found = loader_module.find

    def find_then_remove(at: Path) -> Any:
        result = found(at)
        (root / "vendors" / "v1.yaml").unlink()
        return result

    monkeypatch.setattr(graph_module, "find", find_then_remove)
    outcome = _result(root, None) if state == "uncached" else _load(root, folder)
    message = f"{root}/vendors/v1.yaml:1:1: file not found: it was removed while rampctl read it"
    assert outcome == ("problems", [(message, "", "")])


RAN: list[str] = []


def _record() -> None:
    RAN.append("ran")


class Payload:
    """What a pickle in a kept graph could carry: a call made while it is read."""

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return _record, ()


def test_a_kept_graph_is_plain_data_and_a_signed_pickle_is_never_read(
    tmp_path: Path, no_build: list[int]
) -> None:
    root = _project(tmp_path)
    cold = _load(root, tmp_path / ".rampctl")
    cache = ManifestCache(tmp_path / ".rampctl")
    kept = graph_module._Kept(cache, loader_module.find(root))
    head = kept.head()
    assert head is not None and head.chunks
    for number, chunk_key in head.chunks.items():
        part = cache.get_scoped(kept.chunk_scope(number))
        assert part is not None and b"pickle" not in bytes(part)
        # signed with the user's own key, under the part's own key
        cache.put_scoped(kept.chunk_scope(number), chunk_key.encode() + pickle.dumps(Payload()))
    cache.close()
    built = len(no_build)
    assert _load(root, tmp_path / ".rampctl") == cold  # built again, not read from the pickle
    assert len(no_build) == built + 1
    assert RAN == []


def test_a_load_that_goes_on_from_the_stat_key_stats_each_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settled: None
) -> None:
    root = _project(tmp_path, 4)
    folder = tmp_path / ".rampctl"
    _load(root, folder)
    (root / "vendors" / "v1.yaml").write_text(VENDOR.format(name="v1", title="Edited"))
    stats: list[str] = []
    real = os.stat

    def counting(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        if str(path).endswith(".yaml"):
            stats.append(str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", counting)
    edited = _load(root, folder)
    assert len(stats) == 4  # the stat key's, taken again by the stat index
    assert edited == _result(root, None)
    stats.clear()
    reads = counting_reads(monkeypatch)
    assert _load(root, folder) == edited  # and the stat key kept with it is the files' own
    assert (len(stats), reads) == (4, [])
