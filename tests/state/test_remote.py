"""The remote backends against real stores: compare-and-swap writes, leases, the journal.

Each test runs on every remote backend; several backend instances on one state stand for
runs on several machines.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable

import pytest

from rampctl.errors import ExitCode, StateError, StateLockedError
from rampctl.state import State
from rampctl.state.lock import LockHolder
from rampctl.state.remote import RemoteBackend
from tests.state.helpers import vendor, with_vendors

Factory = Callable[..., RemoteBackend[object]]


def test_a_new_state_is_created_then_read_back_by_another_machine(remote: Factory) -> None:
    one, two = remote(), remote()
    assert not one.exists() and one.load().serial == 0
    written = one.write(with_vendors(one.load(), 3))
    assert written.serial == 1 and two.exists()
    read = two.load()
    assert read == written and sorted(read.resources) == ["vendor/v0", "vendor/v1", "vendor/v2"]


def test_a_stale_write_is_refused_and_nothing_is_lost(remote: Factory) -> None:
    one, two = remote(), remote()
    one.write(State.new())
    base_one, base_two = one.load(), two.load()
    kept = two.write(base_two.with_resource("vendor/theirs", vendor("t")))
    with pytest.raises(StateError, match="another run wrote it since this run read it"):
        one.write(base_one.with_resource("vendor/mine", vendor("m")))
    stored = remote().load()
    assert stored == kept and "vendor/theirs" in stored.resources
    assert "vendor/mine" not in stored.resources
    again = one.update(lambda s: s.with_resource("vendor/mine", vendor("m")))
    assert set(again.resources) == {"vendor/mine", "vendor/theirs"} and again.serial == 3


def test_two_first_writes_at_once_one_is_refused(remote: Factory) -> None:
    one, two = remote(), remote()
    one.load(), two.load()
    one.write(with_vendors(State.new(), 1))
    with pytest.raises(StateError, match="another run wrote it"):
        two.write(with_vendors(State.new(), 2))
    assert len(remote().load().resources) == 1


def test_an_older_serial_or_another_lineage_is_refused(remote: Factory) -> None:
    one = remote()
    first = one.write(State.new())
    one.write(first)
    with pytest.raises(StateError, match="serial 2 stored, 1 in this run"):
        one.write(first)
    with pytest.raises(StateError, match="lineage"):
        one.write(State.new().model_copy(update={"serial": 5}))


def test_concurrent_updates_through_one_backend_all_land(remote: Factory) -> None:
    one = remote()
    with one.lock(command="apply"):
        threads = [
            threading.Thread(
                target=one.update,
                args=(lambda s, i=i: s.with_resource(f"vendor/v{i}", vendor(f"id-{i}")),),
            )
            for i in range(8)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    stored = remote().load()
    assert len(stored.resources) == 8 and stored.serial == 8


def test_a_held_lock_refuses_another_run_with_exit_5_naming_holder_host_and_age(
    remote: Factory,
) -> None:
    one, two = remote(), remote()
    with one.lock(command="apply"):
        with pytest.raises(StateLockedError) as caught, two.lock(command="state rm vendor/x"):
            pass
        holder = two.holder()
        assert holder is not None and two.is_locked()
    message = caught.value.message
    assert caught.value.exit_code == ExitCode.LOCKED == 5
    assert f"{holder.user}@{holder.host} (pid {holder.pid})" in message
    assert "ago)" in message and 'running "apply"' in message and "lease runs out in" in message
    assert holder.run_id and holder.expires
    assert two.holder() is None and not two.is_locked()  # released at the end of the block


def test_a_waiting_run_gets_the_lock_once_it_is_released(remote: Factory) -> None:
    one, two = remote(heartbeat_s=0.2, lease_s=30), remote(heartbeat_s=0.2, lease_s=30)
    released = threading.Event()

    def hold() -> None:
        with one.lock(command="apply"):
            released.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    _until(one.is_locked)
    released.set()
    with two.lock(command="apply", timeout=30):
        assert two.holder() is not None and two.recovered_holder is None
    holder.join()


def test_an_expired_lease_of_a_killed_run_is_taken_over(remote: Factory) -> None:
    dead, next_run = remote(), remote(lease_s=30)
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)).isoformat()
    gone = LockHolder.current("apply").model_copy(update={"run_id": "dead", "expires": past})
    assert dead.lease_create(gone) is not None
    assert not next_run.is_locked() and next_run.holder() == gone
    with next_run.lock(command="apply"):
        assert next_run.recovered_holder == gone
        holder = next_run.holder()
        assert holder is not None and holder.run_id != "dead"


def test_a_live_lease_is_not_taken_over(remote: Factory) -> None:
    alive, other = remote(), remote()
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=60)).isoformat()
    holder = LockHolder.current("apply").model_copy(update={"run_id": "live", "expires": soon})
    assert alive.lease_create(holder) is not None
    with (
        pytest.raises(StateLockedError, match=r"after waiting 0\.3s"),
        other.lock(command="apply", timeout=0.3),
    ):
        pass
    assert other.holder() == holder


def test_the_heartbeat_renews_the_lease_while_the_run_lives(remote: Factory) -> None:
    one = remote(lease_s=2, heartbeat_s=0.2)
    with one.lock(command="apply"):
        first = one.holder()
        assert first is not None
        _until(lambda: (one.holder() or first).expires != first.expires)
        renewed = one.holder()
        assert renewed is not None and renewed.run_id == first.run_id
        assert renewed.time == first.time  # the lock's age keeps counting from when it was taken
        assert one.is_locked()


def test_a_run_that_lost_its_lease_stops_before_writing_the_state(remote: Factory) -> None:
    one, thief = remote(lease_s=30, heartbeat_s=0.2), remote()
    one.write(State.new())
    with one.lock(command="apply"):
        thief.force_unlock()
        taken = LockHolder.current("apply").model_copy(
            update={"run_id": "thief", "expires": "2999-01-01T00:00:00+00:00"}
        )
        thief.lease_create(taken)
        _until(one._lease.lost.is_set)
        with pytest.raises(StateLockedError, match="lost the state lock"):
            one.update(lambda s: s.with_resource("vendor/late", vendor("late")))
    assert thief.holder() == taken  # the lost run does not release another run's lock
    assert "vendor/late" not in thief.load().resources


def test_force_unlock_removes_any_holder(remote: Factory) -> None:
    one, other = remote(), remote()
    with one.lock(command="apply"):
        removed = other.force_unlock()
        assert removed is not None and removed.command == "apply"
        assert other.holder() is None
        with other.lock(command="state rm"):
            pass


def test_the_journal_lives_with_the_state_and_is_seen_from_another_machine(
    remote: Factory,
) -> None:
    here, there = remote().journal(), remote().journal()
    here.intend(op_id="a", address="vendor/a", action="create", key="k-a")
    here.intend(op_id="b", address="vendor/b", action="create", key="k-b")
    here.outcome(op_id="a", status="done", ramp_id="r-a")
    pending = there.pending()
    assert [e.address for e in pending] == ["vendor/b"] and pending[0].key == "k-b"
    assert [(e.address, e.status, e.ramp_id) for e in there.entries()] == [
        ("vendor/a", "done", "r-a"),
        ("vendor/b", "intended", None),
    ]
    there.clear()
    assert here.entries() == [] and here.pending() == []


def test_put_keeps_serial_and_lineage_and_refuses_another_lineage(remote: Factory) -> None:
    one = remote()
    source = with_vendors(State.new(), 2).model_copy(update={"serial": 41})
    assert one.put(source) == source
    assert remote().load() == source
    older = source.model_copy(update={"serial": 40})
    with pytest.raises(StateError, match="newer than the one being pushed"):
        one.put(older)
    other = with_vendors(State.new(), 1)
    with pytest.raises(StateError, match="lineage"):
        one.put(other)
    assert remote().load() == source
    assert one.put(other, force=True) == other and remote().load() == other


def test_sensitive_fields_never_reach_the_store(remote: Factory) -> None:
    one = remote()
    leaky = State.new().with_resource(
        "vendor/x", vendor("x", attributes={"name": "X", "tax_id": "12-3456789"})
    )
    with pytest.raises(StateError, match="sensitive"):
        one.write(leaky)
    assert not one.exists()


def _until(condition: Callable[[], object], limit_s: float = 20) -> None:
    """Wait for `condition` (a bound on a wait, not an assertion about speed)."""
    deadline = time.monotonic() + limit_s
    while not condition():
        assert time.monotonic() < deadline, "the condition never became true"
        time.sleep(0.05)
