"""Progress on a terminal: a spinner while reading Ramp, a bar while applying; log lines in CI."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rampctl.cli.ui import err_console, plain
from rampctl.engine.changes import Change


class ApplyProgress:
    """ApplyHooks for the CLI: done/total and the current object."""

    def __init__(self, total: int, *, no_color: bool) -> None:
        self.console = err_console()
        self.animate = self.console.is_terminal and not (no_color or plain())
        self.total = total
        self.done = 0
        self._lock = threading.Lock()
        self._bar: Progress | None = None
        self._task = None

    def __enter__(self) -> ApplyProgress:
        if self.animate:
            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("applying", total=self.total)  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()

    def started(self, change: Change) -> None:
        """Show the object being written."""
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, description=f"{change.action} {change.address}")

    def finished(self, change: Change, error: str | None, *, uncertain: bool = False) -> None:
        """Advance the bar, or log one line (the message itself is in the apply report)."""
        with self._lock:
            self.done += 1
            done = self.done
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task)
            return
        status = "ok" if error is None else "UNCERTAIN" if uncertain else "FAILED"
        self.console.print(
            f"[{done}/{self.total}] {change.action} {change.address}: {status}",
            markup=False,
            highlight=False,
        )


@contextmanager
def reading(what: str) -> Iterator[None]:
    """A spinner with elapsed time on a terminal while a long read runs; nothing otherwise."""
    console = err_console()
    if not console.is_terminal or plain():  # a spinner moves the cursor with escape codes
        yield
        return
    started = time.monotonic()
    with console.status(f"{what}…") as status:
        stop = threading.Event()

        def tick() -> None:
            while not stop.wait(0.5):
                status.update(f"{what}… {time.monotonic() - started:.0f} s")

        ticker = threading.Thread(target=tick, daemon=True)
        ticker.start()
        try:
            yield
        finally:
            stop.set()
            ticker.join()
