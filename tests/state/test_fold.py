"""Durability through the journal: writes are journaled at once and folded into the state later.

Each test runs on every backend (local file, S3, PostgreSQL): the fold is built on the
backend interface, so it must behave the same on all of them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from rampctl.errors import StateError
from rampctl.state import State, StateStore
from rampctl.state.backend import StateBackend
from rampctl.state.fold import FoldPolicy, JournaledBackend
from tests.state.helpers import vendor, with_vendors

BINDING = ("https://ramp.test", "business-1")
NEVER = FoldPolicy(writes=10**9, seconds=10**9)

Factory = Callable[[], StateBackend]


class Counting:
    """A backend that counts whole-state writes (everything else is passed through)."""

    def __init__(self, inner: StateBackend) -> None:
        self.inner = inner
        self.writes = 0

    def write(self, state: State) -> State:
        self.writes += 1
        return self.inner.write(state)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.fixture(params=["file", "s3", "pg"])
def backends(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Factory]:
    """Each backend in turn, as a factory of instances on one shared state."""
    if request.param == "file":
        yield lambda: StateStore(tmp_path / "rampctl.state.json")
        return
    factory: Callable[[], StateBackend] = request.getfixturevalue(request.param)
    yield factory


def _journaled(factory: Factory, policy: FoldPolicy = NEVER) -> JournaledBackend:
    return JournaledBackend(factory(), policy)


def _record(store: JournaledBackend, *names: str) -> None:
    for name in names:
        store.record(f"vendor/{name}", vendor(f"id-{name}"), binding=BINDING)


def test_writes_are_journaled_and_the_state_is_written_once_per_fold(backends: Factory) -> None:
    counting = Counting(backends())
    store = JournaledBackend(counting, NEVER)  # type: ignore[arg-type]
    base = store.write(with_vendors(store.load(), 5))
    _record(store, *(f"n{i}" for i in range(20)))
    assert counting.writes == 1
    assert backends().load().serial == base.serial  # the stored state is not rewritten per write
    folded = store.fold()
    assert counting.writes == 2
    assert folded.serial == base.serial + 20 and len(folded.resources) == 25
    assert backends().load() == folded
    assert store.fold() == folded and counting.writes == 2  # nothing new: no write


def test_per_write_reads_see_each_write_without_a_copy_of_the_state(tmp_path: Path) -> None:
    store = JournaledBackend(StateStore(tmp_path / "rampctl.state.json"), NEVER)
    store.write(with_vendors(store.load(), 3))
    ids = store.ramp_ids()
    _record(store, "a")
    assert ids["vendor/a"] == "id-a" and "vendor/b" not in ids
    assert store.entry("vendor/v1") == vendor("id-1") and store.entry("vendor/b") is None
    shown = store.current()
    assert store.current() is shown  # one copy per change, not per call
    _record(store, "b")
    assert store.current() is not shown and "vendor/b" in store.current().resources
    assert "vendor/b" not in shown.resources  # a copy handed out does not change
    assert len(ids) == 5 and sorted(ids)[-1] == "vendor/v2"


def test_loading_applies_the_unfolded_journal(backends: Factory) -> None:
    store = _journaled(backends)
    store.write(with_vendors(store.load(), 2))
    _record(store, "a", "b")
    store.record("vendor/v0", None, binding=BINDING)
    # Another process (the run was killed before folding) sees every journaled write.
    view = _journaled(backends).load()
    assert sorted(view.resources) == ["vendor/a", "vendor/b", "vendor/v1"]
    assert view.serial == 4 and view.business_id == BINDING[1]
    assert backends().load().serial == 1  # a plan does not write: the view is in memory


def test_loading_under_the_lock_stores_the_folded_view(backends: Factory) -> None:
    store = _journaled(backends)
    _record(store, "a", "b", "c")  # a first apply killed before any fold: nothing stored
    assert not backends().exists()
    later = _journaled(backends)
    with later.lock(command="apply"):
        view = later.load()
        stored = backends().load()
    assert stored == view and stored.serial == 3 and len(stored.resources) == 3
    assert stored.lineage == store.current().lineage


def test_a_fold_interrupted_before_the_journal_is_cleared_is_not_applied_twice(
    backends: Factory,
) -> None:
    store = _journaled(backends)
    store.write(with_vendors(store.load(), 1))
    _record(store, "a")
    store.record("vendor/a", None, binding=BINDING)
    store.record("vendor/a", vendor("id-a2"), binding=BINDING)
    folded = store.fold()  # the journal still holds the three records (no clear)
    # Someone edits the state after the fold, then the journal is read again.
    edited = _journaled(backends).update(lambda s: s.without_resource("vendor/a"))
    again = _journaled(backends).load()
    assert again == edited and "vendor/a" not in again.resources
    assert edited.serial == folded.serial + 1


def test_folds_happen_every_n_writes(backends: Factory) -> None:
    counting = Counting(backends())
    store = JournaledBackend(counting, FoldPolicy(writes=4, seconds=10**9))  # type: ignore[arg-type]
    _record(store, *(f"n{i}" for i in range(10)))
    assert counting.writes == 2  # after the 4th and the 8th write
    assert backends().load().serial == 8
    assert _journaled(backends).load().serial == 10


def test_a_replaced_state_voids_the_earlier_journal_records(backends: Factory) -> None:
    store = _journaled(backends)
    first = store.write(with_vendors(store.load(), 1))
    _record(store, "a", "b")
    store.put(first, force=True)  # e.g. `state push --force` of an older copy
    view = _journaled(backends).load()
    assert sorted(view.resources) == ["vendor/v0"] and view.serial == first.serial


def test_sensitive_fields_never_reach_the_journal(backends: Factory) -> None:
    store = _journaled(backends)
    leaky = vendor("x", attributes={"bank_account": {"account_number": "123456789"}})
    with pytest.raises(StateError, match="account_number"):
        store.record("vendor/x", leaky, binding=BINDING)
    assert not any("123456789" in str(r) for r in store.journal().records())


def test_a_state_of_another_business_is_not_written_to(backends: Factory) -> None:
    store = _journaled(backends)
    _record(store, "a")
    with pytest.raises(StateError, match="belongs to the Ramp environment"):
        store.record("vendor/b", vendor("b"), binding=("https://other.test", "business-2"))


def test_clearing_the_journal_folds_it_first(backends: Factory) -> None:
    store = _journaled(backends)
    _record(store, "a", "b")
    store.journal().clear()
    assert sorted(backends().load().resources) == ["vendor/a", "vendor/b"]
    assert store.journal().records() == []


def test_leaving_the_lock_folds_even_when_the_run_failed(backends: Factory) -> None:
    store = _journaled(backends)
    with pytest.raises(RuntimeError), store.lock(command="apply"):
        _record(store, "a")
        raise RuntimeError("interrupted")
    assert sorted(backends().load().resources) == ["vendor/a"]


def test_a_gap_in_the_journal_stops_the_replay_there(tmp_path: Path) -> None:
    store = JournaledBackend(StateStore(tmp_path / "s.json"), NEVER)
    base = store.write(State.new())
    journal = store.journal()
    for serial, name in ((2, "a"), (4, "b")):
        entry = vendor(name).model_dump(mode="json")
        journal.append(
            {"type": "state", "lineage": base.lineage, "serial": serial,
             "address": f"vendor/{name}", "entry": entry, "bind": None}
        )  # fmt: skip
    view = JournaledBackend(StateStore(tmp_path / "s.json"), NEVER).load()
    assert sorted(view.resources) == ["vendor/a"] and view.serial == 2


def test_writes_from_many_threads_are_all_kept(tmp_path: Path) -> None:
    store = JournaledBackend(StateStore(tmp_path / "s.json"), FoldPolicy(writes=7, seconds=1e9))
    threads = [
        threading.Thread(target=_record, args=(store, *(f"t{t}-{i}" for i in range(25))))
        for t in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    view = JournaledBackend(StateStore(tmp_path / "s.json"), NEVER).load()
    assert len(view.resources) == 100 and view.serial == 100


@pytest.mark.parametrize(
    ("unfolded", "managed", "elapsed", "due"),
    [(0, 0, 1e9, False), (999, 0, 0, False), (1000, 0, 0, True), (1000, 50_000, 0, False),
     (5000, 50_000, 0, True), (1, 10, 30.0, True)],
)  # fmt: skip
def test_the_default_policy(unfolded: int, managed: int, elapsed: float, due: bool) -> None:
    assert FoldPolicy().due(unfolded=unfolded, managed=managed, elapsed_s=elapsed) is due


def test_folds_by_time_stay_a_small_part_of_the_run() -> None:
    policy = FoldPolicy(writes=1000, seconds=30)
    assert policy.due(unfolded=5, managed=10, elapsed_s=31, fold_s=1.0)
    assert not policy.due(unfolded=5, managed=10, elapsed_s=31, fold_s=2.0)  # 20 x 2 s = 40 s
    assert policy.due(unfolded=5, managed=10, elapsed_s=41, fold_s=2.0)


def test_the_policy_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAMPCTL_FOLD_EVERY", "5")
    monkeypatch.setenv("RAMPCTL_FOLD_SECONDS", "2.5")
    assert FoldPolicy.from_env() == FoldPolicy(writes=5, seconds=2.5)
    monkeypatch.setenv("RAMPCTL_FOLD_EVERY", "0")
    with pytest.raises(StateError, match="RAMPCTL_FOLD_EVERY"):
        FoldPolicy.from_env()
