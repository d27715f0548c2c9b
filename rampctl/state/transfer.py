"""Moving a state between backends (`state push` / `state pull`), serial and lineage kept."""

from __future__ import annotations

from rampctl.errors import StateError
from rampctl.state.backend import StateBackend
from rampctl.state.model import State
from rampctl.words import count


def copy_state(
    source: StateBackend, target: StateBackend, *, force: bool, command: str, timeout: float
) -> State:
    """Copy the state of `source` into `target`, both locked; return what `target` now holds.

    Refuses (StateError) when `source` has no state, when it has writes of an interrupted
    apply still unresolved (they would be forgotten), or, unless `force`, when `target` holds
    a state of another lineage or a newer serial.
    """
    if source.location == target.location:
        raise StateError(f"the source and the destination are both {source.location}")
    with (
        source.lock(command=command, timeout=timeout),
        target.lock(command=command, timeout=timeout),
    ):
        if not source.exists():
            raise StateError(f"there is no state at {source.location} to copy")
        pending = source.journal().pending()
        if pending and not force:
            raise StateError(
                f"the state at {source.location} has {count(len(pending), 'write')} of an "
                "interrupted apply unresolved; run apply against it first (or pass --force)"
            )
        state = source.load()
        return target.put(state, force=force)
