"""SIGINT/SIGTERM during apply: the first stops new writes, a second exits at once."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from rampctl.cli.ui import err_console


class StopRequest:
    """Set by the first signal; holds its number for the exit code."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.signum: int | None = None

    def handle(self, signum: int, frame: FrameType | None) -> None:
        """Signal handler: remember the first signal, exit at once on the second."""
        del frame
        if self.event.is_set():
            os._exit(128 + signum)
        self.signum = signum
        self.event.set()
        err_console().print(
            f"{signal.Signals(signum).name}: finishing writes in flight, starting no new one "
            "(send it again to exit at once)",
            markup=False,
        )


@contextmanager
def stop_on_signals() -> Iterator[StopRequest]:
    """Install the handlers for the block (main thread only), restoring the old ones after."""
    request = StopRequest()
    if threading.current_thread() is not threading.main_thread():
        yield request
        return
    previous = {s: signal.signal(s, request.handle) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield request
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
