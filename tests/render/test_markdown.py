"""The Markdown rendering of a plan (pull-request comments): deletes first, size-capped."""

from __future__ import annotations

from rampctl.engine.changes import Action, Change, FieldChange
from rampctl.engine.plan import Plan
from rampctl.render import markdown
from tests.plans import change as _change


def _plan(changes: list[Change], **kw: object) -> Plan:
    return Plan(changes=changes, **kw)  # type: ignore[arg-type]


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
