"""The human rendering of a plan: grouped by action, with symbols and a summary line."""

from __future__ import annotations

from rampctl.engine.changes import Action, Change, FieldChange
from rampctl.engine.plan import Plan
from rampctl.engine.safety import SafetyReport
from rampctl.render import human
from tests.plans import change as _change


def _plan(changes: list[Change], **kw: object) -> Plan:
    return Plan(changes=changes, **kw)  # type: ignore[arg-type]


def test_human_plan_groups_by_action_with_symbols_and_summary() -> None:
    plan = _plan(
        [
            _change(
                "vendor/b",
                Action.UPDATE,
                fields=(FieldChange(path="description", before="Old", after="New"),),
            ),
            _change(
                "vendor/a",
                Action.CREATE,
                fields=(FieldChange(path="name", before=None, after="A"),),
            ),
            _change("vendor/c", Action.DELETE),
            _change("vendor/d", Action.MANUAL, reason="cannot rename"),
        ]
    )
    text = human.render(plan).plain
    assert (
        text.index("+ vendor/a")
        < text.index("~ vendor/b")
        < text.index("- vendor/c")
        < text.index("! vendor/d")
    )
    assert '      description: "Old" -> "New"' in text
    assert '      name: "A"' in text
    assert "cannot rename" in text
    assert text.rstrip().endswith(
        "Plan: 1 to create, 1 to update, 1 to delete, 1 needing a manual change in Ramp."
    )


def test_no_changes_says_so() -> None:
    assert human.render(_plan([])).plain.strip() == "No changes. Ramp matches the manifests."


def test_unsafe_plan_says_why() -> None:
    plan = _plan([_change("vendor/c", Action.DELETE)], safety=SafetyReport(reasons=("too many",)))
    assert "Unsafe: too many; apply needs --allow-deletes." in human.render(plan).plain
