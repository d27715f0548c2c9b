"""Human and Markdown renderings of a plan."""

from __future__ import annotations

from rampctl.engine.changes import Action, Change, FieldChange
from rampctl.engine.plan import Plan
from rampctl.engine.safety import SafetyReport
from rampctl.render import human, markdown
from rampctl.render.values import MASK, show
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


def test_sensitive_values_are_masked() -> None:
    assert show("bank.account_number", "123456789") == MASK
    assert show("tax_id", "12-3456789") == MASK
    assert "123456789" not in show("bank", {"account_number": "123456789", "nickname": "Main"})
    assert show("postal_code", "02134") == '"02134"'


def test_unsafe_plan_says_why() -> None:
    plan = _plan([_change("vendor/c", Action.DELETE)], safety=SafetyReport(reasons=("too many",)))
    assert "Unsafe: too many; apply needs --allow-deletes." in human.render(plan).plain


def test_markdown_puts_summary_then_deletes_first() -> None:
    plan = _plan([_change("vendor/a", Action.CREATE), _change("vendor/z", Action.DELETE)])
    text = markdown.render(plan)
    assert text.startswith("### rampctl plan\n\n**Plan: 1 to create, 1 to delete.**")
    assert text.index("vendor/z") < text.index("vendor/a")
    assert "<details open>" in text


def test_markdown_is_cut_under_the_cap_with_a_note() -> None:
    changes = [
        _change(
            f"vendor/v{i:05}",
            Action.UPDATE,
            fields=(FieldChange(path="description", before="x" * 40, after="y" * 40),),
        )
        for i in range(3000)
    ]
    text = markdown.render(_plan(changes))
    assert len(text) <= markdown.MAX_CHARS
    assert "Output truncated" in text
    assert text.count("<details") == text.count("</details>")


def test_sensitive_values_are_masked_in_every_rendering() -> None:
    change = _change(
        "vendor/a",
        Action.UPDATE,
        fields=(
            FieldChange(path="bank.account_number", before="111122223333", after="999988887777"),
        ),
    )
    plan = _plan([change])
    for text in (human.render(plan).plain, markdown.render(plan), plan.dumps()):
        assert "111122223333" not in text
        assert "999988887777" not in text
        assert MASK in text
