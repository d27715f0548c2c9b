"""Field-level comparison: what a manifest changes, what Ramp changed since the last apply."""

from __future__ import annotations

from types import MappingProxyType

from rampctl.engine.changes import FieldChange
from rampctl.engine.diff import diff_fields, drift_fields

RECORDED = {
    "name": "Acme",
    "address": {"city": "Oakland", "postal_code": "94607"},
    "contacts": ["c1", "c2"],
    "description": None,
}


def test_nothing_drifted_when_ramp_holds_what_was_recorded() -> None:
    live = MappingProxyType({**RECORDED, "address": dict(RECORDED["address"]), "extra": 1})
    assert drift_fields(RECORDED, live) == []


def test_drift_names_each_changed_field_and_nested_part() -> None:
    live = {
        **RECORDED,
        "name": "Acme Inc.",
        "address": {"city": "Berkeley", "postal_code": "94607"},
        "contacts": ["c1"],
    }
    assert drift_fields(RECORDED, live) == [
        FieldChange(path="address.city", before="Oakland", after="Berkeley"),
        FieldChange(path="contacts", before=["c1", "c2"], after=["c1"]),
        FieldChange(path="name", before="Acme", after="Acme Inc."),
    ]


def test_a_recorded_empty_field_ramp_no_longer_returns_has_not_drifted() -> None:
    live = {k: v for k, v in RECORDED.items() if k != "description"}
    assert drift_fields(RECORDED, live) == []


def test_diff_compares_only_the_managed_fields_and_parts() -> None:
    live = {"name": "Acme", "address": {"city": "Oakland", "line1": "1 Main St"}, "state": "CA"}
    wanted = {"name": "Acme", "address": {"city": "Berkeley"}}
    assert diff_fields(live, wanted) == [
        FieldChange(path="address.city", before="Oakland", after="Berkeley")
    ]


def test_no_change_when_ramp_holds_every_managed_value() -> None:
    live = MappingProxyType({"name": "Acme", "address": {"city": "Oakland"}, "state": "CA"})
    assert diff_fields(live, {"name": "Acme", "address": {"city": "Oakland"}}) == []
    assert diff_fields(live, {"name": "Acme", "owner": None}) == []  # absent live is empty
    assert diff_fields(live, {"owner": "bob@example.com"}) == [
        FieldChange(path="owner", before=None, after="bob@example.com")
    ]
