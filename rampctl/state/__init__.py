"""The state file: format and upgrades, atomic writes, the run lock and the apply journal."""

from rampctl.state.journal import Journal, JournalEntry
from rampctl.state.lock import LockHolder
from rampctl.state.model import FORMAT_VERSION, ResourceState, State
from rampctl.state.store import StateStore

__all__ = [
    "FORMAT_VERSION",
    "Journal",
    "JournalEntry",
    "LockHolder",
    "ResourceState",
    "State",
    "StateStore",
]
