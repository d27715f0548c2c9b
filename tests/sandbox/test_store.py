"""The SQLite store: keyset pages, filters, tombstones, transactions."""

from __future__ import annotations

from pathlib import Path

import pytest

from rampctl.sandbox.store import Filter, Store


def _store(path: Path | None = None) -> Store:
    store = Store(path)
    store.insert_many(
        "thing",
        [
            (f"t{i}", "p" if i % 2 else None, {"id": f"t{i}", "n": i, "on": i % 3 == 0})
            for i in range(10)
        ],
    )
    return store


def test_pages_follow_creation_order_and_skip_tombstones() -> None:
    store = _store()
    assert [r["n"] for r in store.page("thing", limit=3)] == [0, 1, 2]
    store.delete("thing", "t3")
    assert [r["n"] for r in store.page("thing", start="t2", limit=3)] == [4, 5, 6]
    assert [r["n"] for r in store.page("thing", start="t3", limit=2)] == [
        4,
        5,
    ]  # deleted cursor still works
    assert store.has_start("thing", "t3") and not store.has_start("thing", "zz")


def test_filters_and_parents() -> None:
    store = _store()
    assert [r["n"] for r in store.find("thing", [Filter(path="$.on", op="=", value=True)])] == [
        0,
        3,
        6,
        9,
    ]
    assert [r["n"] for r in store.find("thing", [Filter(path="$.n", op="IN", value=[1, 8])])] == [
        1,
        8,
    ]
    assert store.count("thing", parent="p") == 5
    with pytest.raises(ValueError):
        Filter(path="$.n", op="; DROP", value=1).sql()


def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    store = _store(tmp_path / "s.db")
    with pytest.raises(RuntimeError), store.transaction():
        store.put("thing", "t0", {"id": "t0", "n": 100})
        raise RuntimeError("boom")
    assert store.get("thing", "t0") == {"id": "t0", "n": 0, "on": True}
    store.close()
    again = Store(tmp_path / "s.db")
    assert again.count("thing") == 10
    again.close()


def _many_vendors(count: int) -> Store:
    store = Store()
    store.insert_many(
        "vendor", [(f"v{i}", None, {"id": f"v{i}", "is_active": i % 3 > 0}) for i in range(count)]
    )
    store.insert_many("bill", [(f"b{i}", f"v{i}", {"amount": i}) for i in range(count)])
    return store


@pytest.mark.parametrize(
    "filters", [(), (Filter(path="$.is_active", op="=", value=True),)], ids=["all", "filtered"]
)
@pytest.mark.parametrize("start", [None, "v500"])
def test_a_page_reads_the_index_in_order_without_sorting(
    filters: tuple[Filter, ...], start: str | None
) -> None:
    store = _many_vendors(2000)
    plan = store.page_plan("vendor", filters, start=start, limit=100)
    assert any("USING INDEX objects_page" in step for step in plan), plan
    assert not any("TEMP B-TREE" in step for step in plan), plan  # no sort of the table


def test_indexed_pages_walk_every_live_object_once_in_creation_order() -> None:
    store = _many_vendors(450)
    store.delete("vendor", "v7")
    seen: list[str] = []
    start: str | None = None
    while page := store.page("vendor", start=start, limit=100):
        seen += [row["id"] for row in page]
        start = seen[-1]
    assert seen == [f"v{i}" for i in range(450) if i != 7]
