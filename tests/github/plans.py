"""Plans built directly, for the GitHub renderings."""

from __future__ import annotations

from rampctl.engine.changes import Action, FieldChange
from rampctl.engine.plan import Plan
from tests.plans import change


def small_plan() -> Plan:
    """One delete and one create."""
    return Plan(
        changes=[
            change(
                "vendor/new-co",
                Action.CREATE,
                fields=(FieldChange(path="name", before=None, after="New Co"),),
            ),
            change("vendor/old-co", Action.DELETE),
        ]
    )  # type: ignore[call-arg]


def huge_plan(count: int = 1500) -> Plan:
    """Far more than fits in one GitHub comment."""
    return Plan(
        changes=[
            change(
                f"vendor/vendor-{index:05d}",
                Action.CREATE,
                fields=(
                    FieldChange(path="name", before=None, after=f"Vendor {index}"),
                    FieldChange(path="description", before=None, after="x" * 60),
                ),
            )
            for index in range(count)
        ]
    )  # type: ignore[call-arg]


def empty_plan() -> Plan:
    """No changes."""
    return Plan(changes=[])  # type: ignore[call-arg]
