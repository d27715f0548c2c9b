"""Values as the renderings show them: sensitive ones masked in every rendering."""

from __future__ import annotations

from rampctl.engine.changes import Action, Change, FieldChange
from rampctl.engine.plan import Plan
from rampctl.render import human, markdown
from rampctl.render.values import MASK, show
from tests.plans import change as _change


def _plan(changes: list[Change], **kw: object) -> Plan:
    return Plan(changes=changes, **kw)  # type: ignore[arg-type]


def test_sensitive_values_are_masked() -> None:
    assert show("bank.account_number", "123456789") == MASK
    assert show("tax_id", "12-3456789") == MASK
    assert "123456789" not in show("bank", {"account_number": "123456789", "nickname": "Main"})
    assert show("postal_code", "02134") == '"02134"'


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
