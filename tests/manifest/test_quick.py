"""The quick validators give what the full ones give: the same model (classes, values and
fields set) or the same errors, whatever characters the text holds."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from rampctl.manifest import quick
from rampctl.manifest.specs import MANIFEST_MODELS
from rampctl.model.characters import forbidden_character


def _view(value: Any) -> Any:
    if isinstance(value, BaseModel):
        fields = {k: _view(v) for k, v in value.__dict__.items()}
        return (type(value), fields, sorted(value.model_fields_set))
    if isinstance(value, list):
        return [_view(v) for v in value]
    return (type(value), value)


def _outcome(validate: Any, value: Any) -> Any:
    try:
        return ("valid", _view(validate(value)))
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        return ("errors", [(e["type"], e["loc"], e["msg"], repr(e["input"])) for e in errors])


def test_every_kind_has_a_quick_validator_without_the_printable_check() -> None:
    validators = quick.quick_validators()
    assert set(validators) == set(MANIFEST_MODELS.values())
    assert "_printable" not in repr(validators[MANIFEST_MODELS["Vendor"]])
    assert "_printable" in repr(MANIFEST_MODELS["Vendor"].__pydantic_validator__)


def test_newlines_and_tabs_are_taken_quickly_where_the_field_takes_them() -> None:
    quick_vendor = quick.quick_validators()[MANIFEST_MODELS["Vendor"]]
    described = quick_vendor.validate_python(_vendor("Acme", description="two\nlines\tand a tab"))
    assert described.spec.description == "two\nlines\tand a tab"
    with pytest.raises(ValidationError):  # the full validator says what is wrong
        quick_vendor.validate_python(_vendor("two\nlines"))


def test_the_pattern_holds_only_characters_every_field_takes() -> None:
    spans = re.findall(r"\\x\{([0-9A-F]+)\}-\\x\{([0-9A-F]+)\}", quick.plain_pattern())
    taken = {chr(c) for low, high in spans for c in range(int(low, 16), int(high, 16) + 1)}
    assert "A" in taken and "ü" in taken and "Ω" in taken
    for char in taken:
        assert forbidden_character(char + char.lower() + char.upper()) is None
    considered = {chr(c) for low, high in quick.PLAIN_RANGES for c in range(low, high + 1)}
    left_out = considered - taken
    assert "\u00ad" in left_out and "\u0378" in left_out  # a soft hyphen; unassigned
    assert all(forbidden_character(c + c.lower() + c.upper()) for c in left_out)


def _vendor(name: Any, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "rampctl/v1",
        "kind": "Vendor",
        "metadata": {"name": "acme"},
        "spec": {"name": name, **spec},
    }


@pytest.mark.parametrize(
    "text",
    ["Acme", "Müller GmbH", "Ωmega", "two\nlines", "zero\u200bwidth", "a\u00adb", "日本", "x\x7f"],
)
def test_text_of_every_kind(text: str) -> None:
    model = MANIFEST_MODELS["Vendor"]
    for value in (
        _vendor(text),
        _vendor("Acme", description=text),
        _vendor("Acme", contact={"email": "a@x.example", "first_name": text}),
        _vendor("Acme", accounting_vendor=text),
        _vendor("Acme", ignore_changes=[text]),
    ):
        expected = _outcome(model.model_validate, value)
        assert _outcome(lambda v: quick.validated(model, v), value) == expected


_TEXT = st.one_of(
    st.text(max_size=6),
    st.text(alphabet=st.characters(max_codepoint=0x52F), max_size=6),
    st.sampled_from(["Acme", " acme ", "a@x.example", "US", "+1 415 555 0100", "USD"]),
)


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(sorted(MANIFEST_MODELS)),
    fields=st.dictionaries(
        st.sampled_from(
            [
                "name",
                "country",
                "state",
                "description",
                "owner",
                "email",
                "first_name",
                "last_name",
                "role",
                "remote_id",
                "code",
                "memo",
                "entity",
                "vendor",
            ]
        ),
        _TEXT,
    ),
    name=_TEXT,
)
def test_generated_documents_validate_as_the_full_validator_validates_them(
    kind: str, fields: dict[str, str], name: str
) -> None:
    model = MANIFEST_MODELS[kind]
    value = {"apiVersion": "rampctl/v1", "kind": kind, "metadata": {"name": name}, "spec": fields}
    expected = _outcome(model.model_validate, value)
    assert _outcome(lambda v: quick.validated(model, v), value) == expected
