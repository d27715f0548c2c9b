"""The state model: new states, binding, resource edits and validation."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from rampctl.errors import StateError
from rampctl.state import FORMAT_VERSION, ResourceState, State
from rampctl.state.model import is_address, sensitive_paths
from tests.state.helpers import vendor

DEMO = "https://demo-api.ramp.com"


def test_new_state_is_empty_unbound_and_has_a_fresh_lineage() -> None:
    first, second = State.new(), State.new()
    assert (first.format_version, first.serial, first.resources) == (FORMAT_VERSION, 0, {})
    assert first.environment is None and first.business_id is None
    assert first.lineage != second.lineage


def test_unbound_state_accepts_any_binding_and_bind_records_it() -> None:
    state = State.new()
    state.check_binding(DEMO, "biz-1")
    bound = state.bind(DEMO, "biz-1")
    assert (bound.environment, bound.business_id) == (DEMO, "biz-1")
    assert state.environment is None  # bind returns a copy
    bound.check_binding(DEMO + "/", "biz-1")  # a trailing slash is the same URL


@pytest.mark.parametrize(
    ("environment", "business", "named"),
    [("https://api.ramp.com", "biz-1", "environment"), (DEMO, "biz-2", "business")],
)
def test_bound_state_refuses_another_environment_or_business(
    environment: str, business: str, named: str
) -> None:
    bound = State.new().bind(DEMO, "biz-1")
    with pytest.raises(StateError, match=named):
        bound.check_binding(environment, business)
    with pytest.raises(StateError):
        bound.bind(environment, business)


def test_with_and_without_resource_return_copies() -> None:
    state = State.new()
    added = state.with_resource("vendor/acme", vendor("v-1"))
    assert "vendor/acme" in added.resources and state.resources == {}
    removed = added.without_resource("vendor/acme")
    assert removed.resources == {} and "vendor/acme" in added.resources
    with pytest.raises(StateError, match="no resource 'vendor/gone'"):
        removed.without_resource("vendor/gone")


def test_with_resources_sets_several_in_one_copy() -> None:
    state = State.new().with_resource("vendor/acme", vendor("v-1"))
    both = state.with_resources({"vendor/acme": vendor("v-2"), "vendor/blue": vendor("v-3")})
    assert {a: r.ramp_id for a, r in both.resources.items()} == {
        "vendor/acme": "v-2",
        "vendor/blue": "v-3",
    }
    assert state.resources["vendor/acme"].ramp_id == "v-1"
    with pytest.raises(StateError, match="'acme' is not an address"):
        state.with_resources({"vendor/blue": vendor(), "acme": vendor()})


def test_dependents_lists_who_depends_on_an_address() -> None:
    state = State.new().with_resource("vendor/acme", vendor("v-1"))
    contact = ResourceState(
        kind="contact", ramp_id="c-1", fingerprint="f", depends_on=["vendor/acme"]
    )
    state = state.with_resource("contact/acme/ada", contact)
    assert state.dependents("vendor/acme") == ["contact/acme/ada"]
    assert state.dependents("contact/acme/ada") == []


@pytest.mark.parametrize("address", ["acme", "vendor/", "/acme", " vendor/acme", ""])
def test_malformed_addresses_are_refused(address: str) -> None:
    assert not is_address(address)
    with pytest.raises(StateError):
        State.new().with_resource(address, vendor())
    raw = State.new().model_dump()
    raw["resources"] = {address: vendor().model_dump()}
    with pytest.raises(ValidationError):
        State.model_validate(raw)


def test_unknown_fields_are_refused() -> None:
    raw = vendor().model_dump() | {"colour": "red"}
    with pytest.raises(ValidationError, match="colour"):
        ResourceState.model_validate(raw)


@pytest.mark.parametrize("value", [{1, 2}, b"bytes", object(), {"nested": ("a", object())}])
def test_attributes_hold_json_values_only(value: object) -> None:
    with pytest.raises(ValidationError):
        vendor(attributes={"x": value})
    with pytest.raises(ValidationError):
        vendor().model_copy(update={"attributes": {"x": value}})


def test_an_entry_copies_and_dumps_like_a_model() -> None:
    entry = vendor("v-9", depends_on=["user/bob"])
    copy = entry.model_copy(update={"protect": True})
    assert copy.protect and not entry.protect and copy.depends_on == ["user/bob"]
    dumped = copy.model_dump(mode="json")
    assert dumped["attributes"] == {"name": "Vendor v-9"} and dumped["key"] is None
    assert ResourceState.model_validate(dumped) == copy


def test_sensitive_paths_finds_keys_at_any_depth() -> None:
    attrs = {"name": "Acme", "bank": [{"Account_Number": "1"}], "x": {"tax_id": "2"}}
    assert sensitive_paths(attrs) == ["bank[0].Account_Number", "x.tax_id"]
    assert sensitive_paths({"name": "Acme", "notes": ["a"]}) == []
