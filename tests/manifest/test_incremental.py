"""A kept graph brought up to date file by file gives exactly what a whole load gives: the
same graph, or the same problems at the same positions, whatever was edited."""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rampctl.errors import ManifestError
from rampctl.manifest import graph as graph_module
from rampctl.manifest import incremental
from rampctl.manifest.cache import ManifestCache
from rampctl.manifest.graph import load_graph
from rampctl.manifest.loader import find, prepare
from rampctl.model.desired import DesiredGraph

NAMES = ["a", "b", "c", "d", "tmpl", "av-x"]
LINKS = ["av-x", "av-y", "av-missing"]
REMOTES = ["R1", "R2", "R3", " R1"]
TITLES = ["Acme", "Beta Co", "Gamma", "Delta"]
TEMPLATE = (
    "apiVersion: rampctl/v1\nkind: Vendor\nmetadata:\n  name: tmpl\nspec:\n  name: {{ title }}\n"
)


def _vendor(name: str, title: str) -> dict[str, Any]:
    return {
        "apiVersion": "rampctl/v1",
        "kind": "Vendor",
        "metadata": {"name": name},
        "spec": {"name": title},
    }


def _accounting(name: str, remote: str) -> dict[str, Any]:
    spec = {"remote_id": remote, "name": name.upper()}
    return {
        "apiVersion": "rampctl/v1",
        "kind": "AccountingVendor",
        "metadata": {"name": name},
        "spec": spec,
    }


@dataclasses.dataclass
class Project:
    """Manifest files as documents (or raw text), and the template's variable."""

    files: dict[str, list[dict[str, Any]] | str]
    title: str = "Templated"

    def write(self, root: Path) -> None:
        for path in root.rglob("*"):
            if path.is_file():
                path.unlink()
        for rel, docs in self.files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            text = docs if isinstance(docs, str) else yaml.safe_dump_all(docs, sort_keys=False)
            path.write_text(text)
        (root / "vars").mkdir(exist_ok=True)
        (root / "vars" / "v.yaml").write_text(yaml.safe_dump({"title": self.title}))


def _initial() -> Project:
    files: dict[str, list[dict[str, Any]] | str] = {
        "av.yaml": [_accounting("av-x", "R9"), _accounting("av-y", "R8")],
        "a.yaml": [_vendor("a", "Acme")],
        "b.yaml": [_vendor("b", "Beta Co")],
        "sub/c.yaml": [_vendor("c", "Gamma")],
        "t.yaml.j2": TEMPLATE,
    }
    return Project(files=files)


def _vendor_docs(project: Project) -> list[dict[str, Any]]:
    return [
        d
        for docs in project.files.values()
        if not isinstance(docs, str)
        for d in docs
        if d["kind"] == "Vendor"
    ]


def _edit(project: Project, data: st.DataObject) -> None:
    """One random edit: of a field, a name, a link, a file, or the template's variable."""
    draw = data.draw
    kind = draw(
        st.sampled_from(
            ["describe", "rename", "key", "link", "move", "delete", "add", "var", "remote", "break"]
        )
    )
    vendors = _vendor_docs(project)
    if kind in ("describe", "rename", "key", "link", "move") and vendors:
        doc = draw(st.sampled_from(vendors))
        spec, metadata = doc["spec"], doc["metadata"]
        if kind == "describe":
            spec["description"] = draw(st.sampled_from(TITLES))
        elif kind == "rename":
            metadata["name"] = draw(st.sampled_from([*NAMES, "e", "f"]))
        elif kind == "key":
            spec["external_id"] = draw(st.sampled_from(NAMES))
        elif kind == "link":
            choice = draw(st.sampled_from([*LINKS, *REMOTES, None]))
            if choice is None:
                spec.pop("accounting_vendor", None)
            else:
                spec["accounting_vendor"] = choice if choice in LINKS else {"remote_id": choice}
        else:
            metadata["previously"] = [draw(st.sampled_from([*NAMES, "old"]))]
    elif kind == "delete" and project.files:
        del project.files[draw(st.sampled_from(sorted(project.files)))]
    elif kind == "add":
        rel = draw(st.sampled_from(["n.yaml", "sub/n.yaml", "z.yaml"]))
        docs = [_vendor(draw(st.sampled_from([*NAMES, "e"])), draw(st.sampled_from(TITLES)))]
        if draw(st.booleans()):
            docs.append(_vendor(draw(st.sampled_from([*NAMES, "g"])), "Second"))
        project.files[rel] = docs
    elif kind == "var":
        project.title = draw(st.sampled_from([*TITLES, ""]))
    elif kind == "remote" and isinstance(project.files.get("av.yaml"), list):
        av = draw(st.sampled_from(project.files["av.yaml"]))  # type: ignore[arg-type]
        av["spec"]["remote_id"] = draw(st.sampled_from(REMOTES))
    elif kind == "break":
        rel = draw(st.sampled_from(["a.yaml", "b.yaml", "x.yaml"]))
        project.files[rel] = draw(st.sampled_from(["a: [b\n", "kind: Vendor\n"]))


def _view(graph: DesiredGraph) -> Any:
    """Everything a graph holds, in order, comparable (documents compare by identity)."""
    out = []
    for kind in ("vendors", "accounting_vendors", "bills", "users"):
        for address, obj in getattr(graph, kind).items():
            doc: Any = obj.document
            where = (doc.position, dict(doc.keys), doc.previously)
            out.append((address, dataclasses.replace(obj, document=None), where))
    return (out, graph.digest)


def _result(root: Path, cache: ManifestCache | None) -> Any:
    try:
        return ("valid", _view(load_graph(root, cache=cache)))
    except ManifestError as exc:
        return ("problems", [(str(p), p.address, p.field) for p in exc.problems])


@contextmanager
def _own_cache_key(folder: Path) -> Iterator[None]:
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(folder)
    try:
        yield
    finally:
        if before is None:
            del os.environ["XDG_CACHE_HOME"]
        else:
            os.environ["XDG_CACHE_HOME"] = before


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), edits=st.integers(min_value=1, max_value=4))
def test_an_updated_graph_is_what_a_whole_load_gives(data: st.DataObject, edits: int) -> None:
    project = _initial()
    with tempfile.TemporaryDirectory() as tmp, _own_cache_key(Path(tmp) / "key"):
        root, folder = Path(tmp) / "m", Path(tmp) / ".rampctl"
        root.mkdir()
        for _ in range(edits + 1):
            project.write(root)
            cache = ManifestCache(folder)
            try:
                warm = _result(root, cache)
            finally:
                cache.close()
            assert warm == _result(root, None)
            _edit(project, data)


def _graph_and_documents(root: Path) -> tuple[DesiredGraph, list[Any]]:
    graph = load_graph(root)
    prepared = prepare(find(root))
    documents = prepared.conclude(prepared.read(None)).documents
    return graph, documents


def test_a_change_of_another_kind_is_left_to_a_whole_load(tmp_path: Path) -> None:
    root = tmp_path / "m"
    _initial().write(root)
    graph, documents = _graph_and_documents(root)
    accounting = [d for d in documents if d.kind == "AccountingVendor"]
    assert incremental.update_graph(graph, {accounting[0].address}, accounting[:1], "") is None
    vendor = next(d for d in documents if d.address == "vendor/a")
    assert incremental.update_graph(graph, {"vendor/a"}, [vendor], "new").digest == "new"


def test_a_few_changed_files_are_read_and_the_graph_is_not_rebuilt(
    tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "key"))
    project = _initial()
    root = tmp_path / "m"
    project.write(root)
    cache = ManifestCache(tmp_path / ".rampctl")
    load_graph(root, cache=cache)
    built: list[int] = []
    real = graph_module.build_graph
    monkeypatch.setattr(graph_module, "build_graph", lambda m: built.append(1) or real(m))
    project.files["b.yaml"][0]["spec"]["description"] = "Edited"  # type: ignore[index]
    project.files["n.yaml"] = [_vendor("e", "New")]
    project.write(root)
    updated = load_graph(root, cache=cache)
    cache.close()
    assert built == []
    assert list(updated.vendors) == ["vendor/a", "vendor/b", "vendor/e", "vendor/c", "vendor/tmpl"]
    assert _view(updated) == _view(load_graph(root))
