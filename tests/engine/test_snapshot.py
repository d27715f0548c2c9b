"""The live snapshot read in the background while local files load."""

from __future__ import annotations

import gc
from typing import Any

import pytest

from rampctl.engine import snapshot as snapshot_module
from rampctl.engine.snapshot import SnapshotPrefetch


def test_once_read_what_the_run_holds_is_kept_out_of_garbage_collections(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read: dict[str, Any] = {"vendors": [["a cycle"]]}
    monkeypatch.setattr(snapshot_module, "read_snapshot", lambda client: read)
    gc.unfreeze()
    try:
        assert SnapshotPrefetch(client=None).result() is read  # type: ignore[arg-type]
        collected = {id(o) for o in gc.get_objects()}  # frozen objects are not walked
        assert id(read) not in collected and id(read["vendors"]) not in collected
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
