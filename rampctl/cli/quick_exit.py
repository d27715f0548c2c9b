"""Ending a process that holds a large business without freeing it object by object.

A plan of 100,000 vendors holds millions of small objects (manifests, state, live vendors)
until it ends; freeing them one by one as the command returns and again as the interpreter
shuts down costs a noticeable part of a second after the plan is printed. A command that
has closed everything it opened (state, journal, lock, log, the Ramp client and its rate
window, any GitHub client) can hand what it holds to `keep_until_exit`; `main` then flushes
the output and leaves with `os._exit` (as mypy does), skipping that teardown. Nothing is
left to do at exit for such a command: files are written and closed before it returns, and
`atexit` work (logging's, the thread pools') has nothing left to flush or join.
"""

from __future__ import annotations

import os
import sys

_kept: list[object] = []
_enabled = False


def enable() -> None:
    """Let commands ask for a quick exit: only `main`, which ends the process, does (a run
    in-process, `run`, keeps nothing and frees what its command held as usual)."""
    global _enabled
    _enabled = True


def keep_until_exit(*held: object) -> None:
    """Hold `held` until the process ends, and have `main` end it without freeing them
    (nothing is held unless `enable` was called)."""
    if _enabled:
        _kept.extend(held)


def asked() -> bool:
    """Whether the command asked to end without freeing what it held."""
    return bool(_kept)


def leave(code: int) -> None:
    """Flush stdout and stderr and end the process with `code` at once.

    Returns, doing nothing more, when the output cannot be flushed (a closed pipe): the
    ordinary exit then reports it as it always did.
    """
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code)
