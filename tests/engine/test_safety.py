"""Safety rules: the share and minimum thresholds, protected objects, empty manifests."""

from __future__ import annotations

from rampctl.engine.changes import Action, Change, Level
from rampctl.engine.safety import SafetySettings, check


def _removals(count: int, *, protect: bool = False) -> list[Change]:
    return [
        Change(
            address=f"vendor/v{i}",
            kind="vendor",
            action=Action.DELETE,
            name=f"V{i}",
            ramp_id=f"id{i}",
            level=Level.VENDOR_REMOVALS,
            protect=protect,
        )
        for i in range(count)
    ]


def test_removing_more_than_a_quarter_of_ten_managed_is_unsafe() -> None:
    settings = SafetySettings()
    assert check(_removals(2), managed=10, desired=8, settings=settings).safe
    report = check(_removals(3), managed=10, desired=7, settings=settings)
    assert not report.safe
    assert (
        "3 of 10 managed objects would be deleted or deactivated (more than 25%)" in report.reasons
    )


def test_share_rule_needs_a_minimum_of_managed_objects() -> None:
    assert check(_removals(5), managed=9, desired=4, settings=SafetySettings()).safe
    assert not check(
        _removals(5), managed=9, desired=4, settings=SafetySettings(min_managed=5)
    ).safe


def test_removing_a_protected_object_is_unsafe() -> None:
    report = check(_removals(1, protect=True), managed=100, desired=99, settings=SafetySettings())
    assert report.reasons == ("protected object would be removed: vendor/v0",)


def test_empty_manifests_against_a_non_empty_state_is_unsafe() -> None:
    report = check([], managed=3, desired=0, settings=SafetySettings())
    assert report.reasons == ("no manifests, but the state manages 3 objects",)
