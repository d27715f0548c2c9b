"""Plan changes built directly, for tests of what renders and posts a plan."""

from __future__ import annotations

from rampctl.engine.changes import Action, Change, Level


def change(address: str, action: Action, **kw: object) -> Change:
    """One vendor change."""
    return Change(
        address=address,
        kind="vendor",
        action=action,
        name=address.title(),
        ramp_id="r",
        level=Level.VENDORS,
        **kw,
    )  # type: ignore[arg-type]
