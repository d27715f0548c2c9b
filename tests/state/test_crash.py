"""Crash safety: a writer SIGKILLed at any point leaves a loadable state, old or new, never less."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from rampctl.state import StateStore
from tests.state.helpers import vendor, with_vendors

# Writes the state once with one more vendor; the hook named by argv[2] pauses the writer
# (prints "paused" and sleeps) at that point so the test can kill it there.
PAUSING_WRITER = """
import os, sys, time
from pathlib import Path
from rampctl.state import ResourceState, StateStore
from rampctl.state import files, store as store_module

path, point = Path(sys.argv[1]), sys.argv[2]

def pause(*args, **kwargs):
    print("paused", flush=True)
    time.sleep(60)

real_replace = os.replace
def replace(src, dst):
    if Path(dst) == path:
        pause()
    real_replace(src, dst)

hooks = {
    "temp-written": lambda: setattr(os, "fsync", pause),
    "before-backup": lambda: setattr(os, "link", pause),
    "before-rename": lambda: setattr(os, "replace", replace),
    "after-rename": lambda: setattr(store_module, "fsync_dir", pause),
}
store = StateStore(path)
state = store.load()
extra = ResourceState(kind="vendor", ramp_id="new", fingerprint="f")
hooks[point]()
store.write(state.with_resource("vendor/new", extra))
print("finished", flush=True)
"""

# Writes the state over and over, printing each serial once it is on disk.
LOOPING_WRITER = """
import sys
from pathlib import Path
from rampctl.state import ResourceState, StateStore
store = StateStore(Path(sys.argv[1]))
state = store.load()
for index in range(100000):
    entry = ResourceState(kind="vendor", ramp_id=f"id-{index}", fingerprint="f")
    state = store.write(state.with_resource(f"vendor/loop{index % 50}", entry))
    print(state.serial, flush=True)
"""


def _seed(path: Path) -> int:
    store = StateStore(path)
    state = store.write(with_vendors(store.load(), 20))
    return store.write(state.with_resource("vendor/seed", vendor("seed"))).serial


@pytest.mark.parametrize(
    ("point", "lands", "backed_up"),
    [
        ("temp-written", False, False),
        ("before-backup", False, False),
        ("before-rename", False, True),
        ("after-rename", True, True),
    ],
)
def test_killed_between_steps_leaves_the_old_or_the_new_state(
    tmp_path: Path, point: str, lands: bool, backed_up: bool
) -> None:
    path = tmp_path / "rampctl.state.json"
    before = _seed(path)
    child = subprocess.Popen(
        [sys.executable, "-c", PAUSING_WRITER, str(path), point], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "paused"
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stdout.close()
    state = StateStore(path).load()
    assert state.serial == (before + 1 if lands else before)
    assert ("vendor/new" in state.resources) is lands
    assert len(state.resources) == 21 + lands
    backup = json.loads(StateStore(path).backup_path.read_text())
    assert backup["serial"] == (before if backed_up else before - 1)
    with StateStore(path).lock(command="apply"):  # the next run clears the leftovers
        names = [p.name for p in tmp_path.iterdir()]
    assert not [n for n in names if n.endswith((".tmp", ".link"))], names


def test_a_later_write_after_a_crash_works_and_serials_only_grow(tmp_path: Path) -> None:
    path = tmp_path / "rampctl.state.json"
    _seed(path)
    serials: list[int] = []
    for round_ in range(3):
        child = subprocess.Popen(
            [sys.executable, "-c", LOOPING_WRITER, str(path)], stdout=subprocess.PIPE, text=True
        )
        assert child.stdout is not None
        for _ in range(5 + 7 * round_):  # let it write a few times, then kill it mid-stream
            last = int(child.stdout.readline())
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        state = StateStore(path).load()
        assert state.serial >= last
        serials.append(state.serial)
    assert serials == sorted(set(serials))
    store = StateStore(path)
    assert store.write(store.load()).serial == serials[-1] + 1
