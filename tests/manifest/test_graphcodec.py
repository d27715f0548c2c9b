"""The kept graph's plain-data form: what it writes reads back as the same graph, shared
objects stay shared, and nothing but rampctl's own graph classes is ever built from it."""

from __future__ import annotations

import dataclasses
import marshal
from pathlib import Path
from typing import Any

import pytest

from rampctl.manifest import graphcodec
from rampctl.manifest.graph import load_graph
from rampctl.model.desired import DesiredGraph

REPO = Path(__file__).resolve().parents[2]


def _view(graph: DesiredGraph) -> Any:
    """Everything a graph holds, comparable (documents compare by identity)."""
    out = {}
    for kind in ("vendors", "accounting_vendors", "bills", "users"):
        for address, obj in getattr(graph, kind).items():
            doc = obj.document
            where = (doc.position, dict(doc.keys), doc.previously)
            out[address] = (type(obj), dataclasses.replace(obj, document=None), where)
    return (out, graph.digest)


@pytest.mark.parametrize(
    "root", ["manifests", "examples/templated", "examples/multi-entity", "examples/bills"]
)
def test_a_graph_reads_back_as_it_was(root: str) -> None:
    graph = load_graph(REPO / root)
    assert _view(graphcodec.loads(graphcodec.dumps(graph))) == _view(graph)


def test_key_layouts_stay_shared() -> None:
    graph = graphcodec.loads(graphcodec.dumps(load_graph(REPO / "manifests")))
    layouts = {id(v.document.keys.paths) for v in graph.accounting_vendors.values()}
    assert len(layouts) < len(graph.accounting_vendors)


def test_a_class_outside_the_list_is_refused() -> None:
    data = marshal.dumps((1, ("os:system",), (7, 0, ["true"])))
    with pytest.raises(KeyError):
        graphcodec.loads(data)


def test_a_value_of_an_unknown_type_is_not_written() -> None:
    graph = load_graph(REPO / "manifests")
    graph.vendors["odd"] = object()  # type: ignore[assignment]
    with pytest.raises(graphcodec.Unsupported):
        graphcodec.dumps(graph)
