"""Named crash points for crash-safety tests: kill the process at an exact apply boundary.

`RAMPCTL_CRASH_AT=<point>:<n>` makes the n-th arrival at `<point>` kill the
process with SIGKILL, as a power cut or an OOM kill would. Unset (always, outside
tests), a crash point does nothing.
"""

from __future__ import annotations

import os
import signal
import threading

ENV = "RAMPCTL_CRASH_AT"
POINTS = ("before_send", "after_invite", "after_send", "after_state", "after_fold")
_counts: dict[str, int] = {}
_lock = threading.Lock()


def crash_point(name: str) -> None:
    """Die here if the environment asks for it (see the module docstring).

    `name` must be one of POINTS, the boundaries crash tests may name.
    """
    if name not in POINTS:
        raise ValueError(f"unknown crash point {name!r}; known: {', '.join(POINTS)}")
    wanted = os.environ.get(ENV)
    if not wanted:
        return
    point, _, nth = wanted.partition(":")
    if point != name:
        return
    with _lock:
        _counts[name] = _counts.get(name, 0) + 1
        if _counts[name] == int(nth or "1"):
            os.kill(os.getpid(), signal.SIGKILL)
