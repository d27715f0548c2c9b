"""Apply order and failure handling: fail-fast, --continue-on-error, dependents, the journal."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from rampctl.engine.apply import ApplySettings, apply_changes, waves
from rampctl.engine.changes import Action, Change, Level
from rampctl.engine.record import StateRecorder
from rampctl.errors import RampError
from rampctl.ramp.models import Vendor, VendorUpdate
from rampctl.state.journal import Journal
from rampctl.state.store import StateStore
from tests.engine.conftest import snapshot, vendor


class FakeClient:
    """Answers vendor PATCHes, failing for the ids it is told to."""

    def __init__(self, failing: set[str]) -> None:
        self.failing = failing
        self.sent: list[str] = []
        self._lock = threading.Lock()

    def update_vendor(self, vendor_id: str, body: VendorUpdate) -> Vendor:
        with self._lock:
            self.sent.append(vendor_id)
        if vendor_id in self.failing:
            raise RampError("refused", method="PATCH", path=f"/vendors/{vendor_id}", status=400)
        return vendor(vendor_id, f"Vendor {vendor_id}", **body.to_body())


class Hooks:
    def started(self, change: Change) -> None:
        del change

    def finished(self, change: Change, error: str | None, *, uncertain: bool = False) -> None:
        del change, error, uncertain


def _update(vid: str, level: int, depends_on: tuple[str, ...] = ()) -> Change:
    return Change(
        address=f"vendor/{vid}",
        kind="vendor",
        action=Action.UPDATE,
        name=vid,
        ramp_id=vid,
        key=vid,
        request={"description": "new"},
        level=level,
        depends_on=depends_on,
    )


def _run(tmp_path: Path, failing: set[str], *, continue_on_error: bool) -> tuple[Any, FakeClient]:
    changes = [
        _update("a", Level.VENDORS),
        _update("b", Level.VENDORS),
        _update("c", Level.VENDOR_REMOVALS),
        _update("d", Level.VENDOR_REMOVALS, depends_on=("vendor/a",)),
    ]
    snap = snapshot([vendor(v, f"Vendor {v}") for v in "abcd"])
    store = StateStore(tmp_path / "state.json")
    client = FakeClient(failing)
    recorder = StateRecorder(store=store, snapshot=snap, graph=None, environment="test")
    report = apply_changes(
        client=client,  # type: ignore[arg-type]
        changes=changes,
        recorder=recorder,
        journal=Journal(store.journal_path),
        hooks=Hooks(),
        settings=ApplySettings(parallelism=1, continue_on_error=continue_on_error),
        stop=threading.Event(),
    )
    return report, client


def test_fail_fast_starts_nothing_after_a_failure(tmp_path: Path) -> None:
    report, client = _run(tmp_path, {"a"}, continue_on_error=False)
    assert report.failed.keys() == {"vendor/a"}
    assert sorted(report.not_started) == ["vendor/b", "vendor/c", "vendor/d"]
    assert client.sent == ["a"]
    assert not report.ok


def test_continue_on_error_finishes_independent_changes_only(tmp_path: Path) -> None:
    report, client = _run(tmp_path, {"a"}, continue_on_error=True)
    assert report.failed.keys() == {"vendor/a"}
    assert sorted(report.done) == ["vendor/b", "vendor/c"]
    assert report.not_started == ["vendor/d"]  # it depends on the failed vendor/a
    assert "d" not in client.sent
    state = StateStore(tmp_path / "state.json").load()
    assert sorted(state.resources) == ["vendor/b", "vendor/c"]  # written after each success
    pending = Journal(tmp_path / "state.json.journal").entries()
    assert {e.address: e.status for e in pending}["vendor/a"] == "failed"


def test_a_clean_run_clears_the_journal(tmp_path: Path) -> None:
    report, _ = _run(tmp_path, set(), continue_on_error=False)
    assert report.ok and len(report.done) == 4
    assert Journal(tmp_path / "state.json.journal").entries() == []


class BlockingClient(FakeClient):
    """Its first write requests a stop, then every write waits until `release` is set."""

    def __init__(self, stop: threading.Event) -> None:
        super().__init__(set())
        self.stop = stop
        self.release = threading.Event()

    def update_vendor(self, vendor_id: str, body: VendorUpdate) -> Vendor:
        with self._lock:
            self.sent.append(vendor_id)
        self.stop.set()
        self.release.wait(10)
        return vendor(vendor_id, f"Vendor {vendor_id}", **body.to_body())


def test_a_stop_reports_every_change_and_starts_no_new_write(tmp_path: Path) -> None:
    changes = [_update(f"v{i:03d}", Level.VENDORS) for i in range(200)]
    store = StateStore(tmp_path / "state.json")
    stop = threading.Event()
    client = BlockingClient(stop)
    try:
        report = _stopped_apply(client, changes, store, Journal(store.journal_path), stop)
        # The journal as a stopped run leaves it, while the uncertain writes still hang
        # (once released, a write that ends records its outcome, and is no longer pending).
        pending = {e.address for e in Journal(store.journal_path).pending()}
        sent = [f"vendor/{vid}" for vid in client.sent]
    finally:
        client.release.set()
        _join_writers()
    assert 1 <= len(report.uncertain) <= 3  # in flight when the grace ran out
    assert sorted(report.uncertain) == sorted(sent)
    assert set(report.uncertain).isdisjoint(report.not_started)
    assert len(report.uncertain) + len(report.not_started) == 200  # each change accounted for
    assert pending == set(report.uncertain)  # the next run resolves them by key


def _stopped_apply(
    client: Any, changes: list[Change], store: StateStore, journal: Journal, stop: threading.Event
) -> Any:
    """Apply `changes` three at a time with no grace after `stop` is set."""
    return apply_changes(
        client=client,
        changes=changes,
        recorder=StateRecorder(
            store=store,
            snapshot=snapshot([vendor(c.name, c.name) for c in changes]),
            graph=None,
            environment="test",
        ),
        journal=journal,
        hooks=Hooks(),
        settings=ApplySettings(parallelism=3, stop_grace_s=0),
        stop=stop,
    )


def _join_writers() -> None:
    """Wait for the write threads a stopped apply left behind."""
    for thread in threading.enumerate():
        if thread.name.startswith("apply-"):
            thread.join(10)


class SlowJournal(Journal):
    """Each intent but the first waits until `go` is set (a journal slow to write)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.go = threading.Event()
        self.waiting = threading.Semaphore(0)
        self._first = threading.Lock()

    def intend(self, *, op_id: str, address: str, action: str, key: str | None) -> None:
        first = self._first.acquire(blocking=False)
        super().intend(op_id=op_id, address=address, action=action, key=key)
        if not first:
            self.waiting.release()
            self.go.wait(10)


class StoppingClient(FakeClient):
    """Once `ready` says the other workers are journaling, its first write requests a stop;
    every write then waits until `release` is set."""

    def __init__(self, stop: threading.Event, ready: threading.Semaphore, others: int) -> None:
        super().__init__(set())
        self.stop = stop
        self.ready = ready
        self.others = others
        self.release = threading.Event()
        self.first_thread: int | None = None

    def update_vendor(self, vendor_id: str, body: VendorUpdate) -> Vendor:
        with self._lock:
            self.sent.append(vendor_id)
            first = len(self.sent) == 1
        if first:
            self.first_thread = threading.get_ident()
            for _ in range(self.others):
                self.ready.acquire(timeout=10)
            self.stop.set()
        self.release.wait(10)
        return vendor(vendor_id, f"Vendor {vendor_id}", **body.to_body())


def test_a_write_journaled_but_not_sent_when_a_stop_runs_out_is_not_started_and_never_sent(
    tmp_path: Path,
) -> None:
    """Workers still writing their intent when the stop's grace runs out: each change is
    reported (not started), none of them is sent afterwards, and none stays pending."""
    changes = [_update(f"v{i:03d}", Level.VENDORS) for i in range(10)]
    store = StateStore(tmp_path / "state.json")
    stop = threading.Event()
    journal = SlowJournal(store.journal_path)
    client = StoppingClient(stop, journal.waiting, others=2)
    try:
        report = _stopped_apply(client, changes, store, journal, stop)
        journal.go.set()  # the two slow intents end after the run was left
        for thread in threading.enumerate():
            if thread.name.startswith("apply-") and thread.ident != client.first_thread:
                thread.join(10)
        pending = {e.address for e in Journal(store.journal_path).pending()}
        sent = list(client.sent)
    finally:
        journal.go.set()
        client.release.set()
        _join_writers()
    assert list(report.uncertain) == [f"vendor/{vid}" for vid in sent]
    assert len(sent) == 1  # the two journaled late were never sent
    assert len(report.uncertain) + len(report.not_started) == 10  # each change accounted for
    assert pending == set(report.uncertain)


def _user(name: str, *needs: str) -> Change:
    return Change(
        address=f"user/{name}", kind="user", action=Action.CREATE, name=name, depends_on=needs
    )


def test_waves_run_a_change_after_those_of_its_level_it_depends_on() -> None:
    amy, ben, cal = _user("amy", "user/ben"), _user("ben", "user/cal"), _user("cal")
    other = _user("dot", "vendor/elsewhere")  # a dependency outside the level does not wait
    assert waves([amy, ben, cal, other]) == [[cal, other], [ben], [amy]]


def test_waves_keep_an_independent_level_whole() -> None:
    level = [_user("amy"), _user("ben", "user/zed")]
    assert waves(level) == [level]


def test_waves_end_even_on_a_cycle() -> None:
    amy, ben = _user("amy", "user/ben"), _user("ben", "user/amy")
    assert waves([amy, ben]) == [[amy, ben]]
