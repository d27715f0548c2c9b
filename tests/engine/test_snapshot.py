"""The live snapshot read in the background while local files load."""

from __future__ import annotations

import gc
import sys
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from rampctl.engine import snapshot as snapshot_module
from rampctl.engine.snapshot import Snapshot, SnapshotPrefetch, read_snapshot
from rampctl.engine.view import vendor_view
from rampctl.errors import RampError
from rampctl.ramp.client import RampClient
from rampctl.ramp.limiter import Priority, current_priority
from rampctl.ramp.models import Business, User, Vendor
from rampctl.ramp.scopes import READ_SCOPES
from rampctl.sandbox.embedded import running_sandbox
from tests.ramp.conftest import sandbox_config


def test_once_read_what_the_run_holds_is_kept_out_of_garbage_collections(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read: dict[str, Any] = {"vendors": [["a cycle"]]}
    monkeypatch.setattr(snapshot_module, "read_snapshot", lambda client, **_: read)
    gc.unfreeze()
    try:
        assert SnapshotPrefetch(client=None).result() is read  # type: ignore[arg-type]
        collected = {id(o) for o in gc.get_objects()}  # frozen objects are not walked
        assert id(read) not in collected and id(read["vendors"]) not in collected
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


@pytest.fixture
def demo() -> Iterator[Any]:
    """The demo business in a sandbox over HTTP."""
    with running_sandbox(seed="demo") as running:
        yield running


def test_views_of_the_picked_vendors_are_worked_out_while_the_pages_arrive(demo: Any) -> None:
    with RampClient(sandbox_config(demo), scopes=READ_SCOPES) as client:
        live = SnapshotPrefetch(client).result(views_of=lambda v: v.name < "M")
    picked = {vid for vid, v in live.vendors.items() if v.name < "M"}
    assert picked and picked != set(live.vendors)
    assert set(live.vendor_views) == picked
    for vid, (vendor, view) in live.vendor_views.items():
        assert vendor is live.vendors[vid]
        assert dict(view) == vendor_view(vendor, live.users)


def test_a_failed_read_is_raised_by_a_result_that_works_out_views(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def failing(client: Any, **_: Any) -> Any:
        raise RampError("Ramp is unreachable")

    monkeypatch.setattr(snapshot_module, "read_snapshot", failing)
    with pytest.raises(RampError, match="unreachable"):
        SnapshotPrefetch(client=None).result(views_of=lambda v: True)  # type: ignore[arg-type]


def test_overlapping_reads_leave_the_switch_interval_as_they_found_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The shorter hand-over lasts while any read runs and is undone when the last ends."""
    release = {name: threading.Event() for name in ("first", "second")}

    def reading(client: str, **_: Any) -> dict[str, Any]:
        release[client].wait(10)
        return {}

    monkeypatch.setattr(snapshot_module, "read_snapshot", reading)
    before = sys.getswitchinterval()
    first = SnapshotPrefetch(client="first")  # type: ignore[arg-type]
    second = SnapshotPrefetch(client="second")  # type: ignore[arg-type]
    assert sys.getswitchinterval() == snapshot_module.READING_SWITCH_INTERVAL_S
    release["first"].set()
    first.wait(10)
    assert sys.getswitchinterval() == snapshot_module.READING_SWITCH_INTERVAL_S
    release["second"].set()
    second.wait(10)
    assert sys.getswitchinterval() == before


class _NotingTransport(httpx.HTTPTransport):
    """Notes the priority class each API request of a list was sent in (by list path)."""

    def __init__(self) -> None:
        super().__init__()
        self.levels: dict[str, set[Priority]] = defaultdict(set)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/developer/v1")
        if path != "/token":
            self.levels[path].add(current_priority())
        return super().handle_request(request)


def test_the_vendor_walk_and_users_go_first_and_long_side_lists_are_paced() -> None:
    """The plan waits for the last vendor page (and plans no page before the users are in):
    those lists are critical in the rate limiter, every page of them; the accounting
    vendors and entities, needed only at the end, are background."""
    transport = _NotingTransport()
    with (
        running_sandbox(seed="250") as running,
        RampClient(sandbox_config(running), scopes=READ_SCOPES, transport=transport) as client,
    ):
        live = read_snapshot(client)
    assert len(live.vendors) == 250  # three pages: two of them read ahead, in a thread
    assert transport.levels == {
        "/business": {Priority.NORMAL},
        "/users": {Priority.CRITICAL},
        "/vendors": {Priority.CRITICAL},
        "/accounting/all-connections": {Priority.BACKGROUND},
        "/accounting/vendors": {Priority.BACKGROUND},
        "/entities": {Priority.BACKGROUND},
    }


def _vendor(vid: str, key: str | None = None, link: str | None = None) -> Vendor:
    return Vendor(id=vid, name=vid, external_vendor_id=key, accounting_vendor_remote_id=link)


class _PagedRamp:
    """A Ramp whose vendor list comes in these pages (and nothing else in the business)."""

    def __init__(self, pages: list[list[Vendor]]) -> None:
        self.pages = pages

    def get_business(self) -> Business:
        return Business(id="biz")

    def list_users(self) -> list[User]:
        return [User(id="u1", email=" Ada@Example.test ")]

    def list_vendors(self) -> list[Vendor]:
        return [vendor for page in self.pages for vendor in page]

    def list_vendors_by_page(self, on_page: Callable[[list[Vendor]], None]) -> list[Vendor]:
        for page in self.pages:
            on_page(page)
        return self.list_vendors()

    def list_accounting_connections(self) -> list[Any]:
        return []

    def list_entities(self) -> list[Any]:
        return []

    def run_concurrently(self, calls: dict[str, Callable[[], Any]]) -> dict[str, Any]:
        return {name: call() for name, call in calls.items()}


PAGED_BUSINESSES: dict[str, list[list[Vendor]]] = {
    "empty": [],
    "empty pages": [[], []],
    "one page": [[_vendor("v1", "a", "L1"), _vendor("v2"), _vendor("v3", " b ")]],
    "duplicate keys across pages": [
        [_vendor("v1", "dup", "L1"), _vendor("v2", " dup", "L2")],
        [_vendor("v3", "dup ", "L1"), _vendor("v4", "   ", "")],
        [_vendor("v5", "dup", "L2"), _vendor("v6", "other")],
    ],
    "a vendor listed twice": [
        [_vendor("v1", "old-key", "L1"), _vendor("v2", "k", "L2")],
        [_vendor("v3", "k", "L1"), _vendor("v1", "k", "L3")],
        [_vendor("v4", "new-key"), _vendor("v2", "k", "L2")],
    ],
}


@pytest.mark.parametrize("case", PAGED_BUSINESSES)
@pytest.mark.parametrize("paged", [True, False], ids=["page by page", "whole list"])
def test_a_snapshot_indexed_as_the_pages_arrive_is_the_one_built_from_the_whole_list(
    case: str, paged: bool
) -> None:
    ramp = _PagedRamp(PAGED_BUSINESSES[case])
    handed: list[list[Vendor]] = []
    on_vendors = handed.append if paged else None
    live = read_snapshot(ramp, on_vendors=on_vendors)  # type: ignore[arg-type]
    whole = Snapshot(
        business=Business(id="biz"),
        users={u.id: u for u in ramp.list_users()},
        vendors={v.id: v for v in ramp.list_vendors()},
        accounting_vendors={},
        entities={},
    )
    assert live == whole
    assert list(live.vendors.items()) == list(whole.vendors.items())
    assert list(live.vendors_by_key.items()) == list(whole.vendors_by_key.items())
    assert list(live.vendor_by_link.items()) == list(whole.vendor_by_link.items())
    for index in (live.vendors_by_key, live.vendor_by_link, live.vendors):
        assert type(index) is dict
    for listed in live.vendors_by_key.values():
        assert type(listed) is list
        assert all(v is live.vendors[v.id] for v in listed)
    assert all(v is live.vendors[v.id] for v in live.vendor_by_link.values())
    assert handed == (ramp.pages if paged else [])
