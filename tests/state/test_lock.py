"""The state lock: fail fast or wait, holder note, recovery after a killed run, force unlock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rampctl.errors import ExitCode, StateError, StateLockedError
from rampctl.state import LockHolder, StateStore

HOLD_IN_CHILD = """
import sys, time
from pathlib import Path
from rampctl.state import StateStore
with StateStore(Path(sys.argv[1])).lock(command="apply --auto-approve"):
    print("locked", flush=True)
    time.sleep(60)
"""


def _take(store: StateStore, timeout: float = 0) -> None:
    """Take and release the lock of `store` as a `plan` run would."""
    with store.lock(command="plan", timeout=timeout):
        pass


@pytest.fixture
def child_holding(store: StateStore) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the lock of `store` until it is killed."""
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD_IN_CHILD, str(store.path)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "locked"
    yield child
    child.kill()
    child.wait()
    child.stdout.close()


def test_a_second_run_fails_fast_naming_the_holder(store: StateStore) -> None:
    # Held throughout: a run that waited instead of failing would never return.
    with store.lock(command="apply"), pytest.raises(StateLockedError) as caught:
        _take(StateStore(store.path))
    message = str(caught.value)
    assert f"pid {os.getpid()}" in message and 'running "apply"' in message
    assert "rampctl state unlock" in message
    assert caught.value.exit_code == ExitCode.LOCKED


def test_the_holder_note_exists_only_while_held(store: StateStore) -> None:
    with store.lock(command="state rm vendor/x"):
        holder = store.holder()
        assert holder is not None and holder.pid == os.getpid()
        assert holder.command == "state rm vendor/x"
        assert store.is_locked()
    assert store.holder() is None and not store.is_locked()
    with store.lock(command="again"):  # reusable after release
        pass


def test_the_lock_is_released_when_the_block_raises(store: StateStore) -> None:
    with pytest.raises(RuntimeError), store.lock(command="apply"):
        raise RuntimeError("boom")
    assert not store.is_locked()


def test_a_waiting_run_gets_the_lock_when_the_holder_finishes(store: StateStore) -> None:
    held = threading.Event()
    finished = threading.Event()

    def hold_briefly() -> None:
        with StateStore(store.path).lock(command="apply"):
            held.set()
            time.sleep(0.3)
            finished.set()

    thread = threading.Thread(target=hold_briefly)
    thread.start()
    held.wait()
    with store.lock(command="plan", timeout=60):
        assert finished.is_set()  # got the lock only once the holder was done with it
    thread.join()


def test_waiting_gives_up_after_the_timeout(store: StateStore) -> None:
    with store.lock(command="apply"):
        started = time.monotonic()
        with pytest.raises(StateLockedError, match=r"after waiting 0\.3s"):
            _take(StateStore(store.path), timeout=0.3)
        assert time.monotonic() - started >= 0.3


def test_a_negative_timeout_is_refused(store: StateStore) -> None:
    with pytest.raises(StateError, match="negative"), store.lock(command="x", timeout=-1):
        pass  # pragma: no cover - never reached


def test_a_lock_left_by_a_killed_run_is_recovered(
    store: StateStore, child_holding: subprocess.Popen[str]
) -> None:
    assert store.is_locked()
    with pytest.raises(StateLockedError, match=f"pid {child_holding.pid}"):
        _take(store)
    os.kill(child_holding.pid, signal.SIGKILL)
    child_holding.wait()
    assert store.holder() is not None  # the dead run's note is still there
    with store.lock(command="apply", timeout=5):
        recovered = store.recovered_holder
        assert recovered is not None and recovered.pid == child_holding.pid
        assert recovered.command == "apply --auto-approve"
        current = store.holder()
        assert current is not None and current.pid == os.getpid()


def test_force_unlock_breaks_a_hung_holder(
    store: StateStore, child_holding: subprocess.Popen[str]
) -> None:
    holder = store.holder()
    assert holder is not None and holder.is_alive_here() is True
    assert store.force_unlock() == holder
    assert store.holder() is None and not store.lock_path.exists()
    with store.lock(command="apply"):
        assert store.recovered_holder is None


def test_holder_liveness(tmp_path: Path) -> None:
    me = LockHolder.current("apply")
    assert me.is_alive_here() is True
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    gone = me.model_copy(update={"pid": int(dead.stdout)})
    assert gone.is_alive_here() is False
    elsewhere = me.model_copy(update={"host": "another-host.invalid"})
    assert elsewhere.is_alive_here() is None
