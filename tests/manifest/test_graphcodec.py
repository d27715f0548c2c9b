"""The kept graph's plain-data form: what it writes reads back as the same graph, shared
objects stay shared, and nothing but rampctl's own graph classes is ever built from it."""

from __future__ import annotations

import dataclasses
import marshal
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from rampctl.manifest import graphcodec
from rampctl.manifest.graph import load_graph
from rampctl.manifest.position import KeyPositions, Position
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
    data = marshal.dumps((2, ("os:system",), [(1, 0, [(0, ["true"])])], 0))
    with pytest.raises(KeyError):
        graphcodec.loads(data)


def test_a_value_of_an_unknown_type_is_not_written() -> None:
    graph = load_graph(REPO / "manifests")
    graph.vendors["odd"] = object()  # type: ignore[assignment]
    with pytest.raises(graphcodec.Unsupported):
        graphcodec.dumps(graph)


def test_a_reference_to_a_node_not_built_before_is_refused() -> None:
    # An Origin group whose fields name node 5, in a graph of one constant.
    columns = [(1, [5]), (0, [None]), (0, [()])]
    data = marshal.dumps(
        (2, ("rampctl.manifest.document:Origin",), [(0, 0, [1]), (1, 0, columns)], 1)
    )
    with pytest.raises(ValueError, match="not built before"):
        graphcodec.loads(data)


def test_a_column_of_values_that_are_not_plain_data_is_refused() -> None:
    columns = [(0, [b"bytes"]), (0, [None]), (0, [()])]
    data = marshal.dumps((2, ("rampctl.manifest.document:Origin",), [(1, 0, columns)], 0))
    with pytest.raises(ValueError, match="not plain data"):
        graphcodec.loads(data)


def test_objects_in_containers_and_shared_values_read_back_shared() -> None:
    graph = load_graph(REPO / "examples" / "bills")
    some = next(iter(graph.vendors.values()))
    twice = dataclasses.replace(graph, users={}, bills={"a": some, "b": some})  # type: ignore[dict-item]
    back = graphcodec.loads(graphcodec.dumps(twice))
    assert back.bills["a"] is back.bills["b"]
    assert _view(back)[0][some.address] == _view(twice)[0][some.address]


def test_fields_every_object_of_a_group_leaves_at_its_default_read_as_the_default(
    tmp_path: Path,
) -> None:
    for name in ("a", "b"):
        text = (
            f"apiVersion: rampctl/v1\nkind: Vendor\nmetadata: {{name: {name}}}\nspec: {{name: X}}\n"
        )
        (tmp_path / f"{name}.yaml").write_text(text)
    graph = load_graph(tmp_path)
    back = graphcodec.loads(graphcodec.dumps(graph))
    vendor = back.vendors["vendor/a"]
    assert "protect" not in vars(vendor)
    assert vendor.protect is False
    assert _view(back) == _view(graph)


def test_a_default_is_left_out_only_when_every_value_is_it_and_of_its_type() -> None:
    assert graphcodec._all_default([None, None], None)
    assert not graphcodec._all_default([0, 0], False)  # equal, but not the default
    assert not graphcodec._all_default([None, "x"], None)
    assert not graphcodec._all_default([None], graphcodec._MISSING)


def test_a_part_of_plain_data_alone_comes_back_as_it_was() -> None:
    # The part of a graph whose files declare no object: four empty maps.
    empty: tuple[dict[str, object], ...] = ({}, {}, {}, {})
    assert graphcodec.loads_value(graphcodec.dumps_value(empty)) == empty


def test_mixed_and_nested_plain_values_read_back_as_they_were() -> None:
    """Columns the one-pass check cannot settle (nested tuples, mixed types, an object
    beside plain values) are checked value by value, and read back the same."""
    keys = KeyPositions("f.yaml", (("a",), ("a", 0)), (1, 1, 2, 3), ("f.yaml", "g.yaml"))
    nested = KeyPositions("g.yaml", (("b",),), (4, 5))
    value = [keys, nested, (("x", 1), frozenset({"y"})), Position("f.yaml", 1, 1), "z", 2]
    back = graphcodec.loads_value(graphcodec.dumps_value(value))
    assert [dict(k) for k in back[:2]] == [dict(keys), dict(nested)]
    assert [k.files for k in back[:2]] == [keys.files, None]
    assert back[2:] == value[2:]
    assert type(back[3]) is Position


def test_key_positions_holding_a_value_that_is_not_plain_are_not_written() -> None:
    odd = KeyPositions("f.yaml", (("a",),), (1, Decimal(1)))  # type: ignore[arg-type]
    with pytest.raises(graphcodec.Unsupported):
        graphcodec.dumps_value([odd])
