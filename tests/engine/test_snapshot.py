"""The live snapshot read in the background while local files load."""

from __future__ import annotations

import gc
import sys
import threading
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from rampctl.engine import snapshot as snapshot_module
from rampctl.engine.snapshot import SnapshotPrefetch, read_snapshot
from rampctl.engine.view import vendor_view
from rampctl.errors import RampError
from rampctl.ramp.client import RampClient
from rampctl.ramp.limiter import Priority, current_priority
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
