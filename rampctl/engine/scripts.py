"""Plan warnings for names that mix scripts: a Cyrillic "A" (U+0410) among Latin letters looks like
another vendor's name but is not (see `rampctl.model.characters`)."""

from __future__ import annotations

from dataclasses import replace

from rampctl.engine.changes import Action, Change
from rampctl.model.characters import mixed_script_note

_NAMED = (Action.CREATE, Action.UPDATE, Action.ADOPT)


def warn_mixed_scripts(changes: list[Change]) -> list[Change]:
    """The changes, with a warning on each create, update or adoption whose name mixes
    scripts (the warning is added to any reason the change already gives)."""
    return [_warned(change) for change in changes]


def _warned(change: Change) -> Change:
    note = mixed_script_note(change.name) if change.action in _NAMED else None
    if note is None:
        return change
    warning = f"warning: the name {note}"
    reason = f"{change.reason}; {warning}" if change.reason else warning
    return replace(change, reason=reason)
