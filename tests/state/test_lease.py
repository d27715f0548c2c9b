"""Lease settings from the environment, and when a lease counts as run out."""

from __future__ import annotations

import datetime as dt

import pytest

from rampctl.errors import ConfigError
from rampctl.state.lease import LeaseSettings, expired, locked_error
from rampctl.state.lock import LockHolder


def _holder(expires: str | None) -> LockHolder:
    return LockHolder.current("apply").model_copy(update={"run_id": "r", "expires": expires})


def test_defaults_are_a_two_minute_lease_renewed_every_20_seconds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("RAMPCTL_LOCK_LEASE", raising=False)
    monkeypatch.delenv("RAMPCTL_LOCK_HEARTBEAT", raising=False)
    assert LeaseSettings.from_env() == LeaseSettings(lease_s=120, heartbeat_s=20)


def test_a_short_lease_gets_a_heartbeat_that_fits_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAMPCTL_LOCK_LEASE", "3")
    monkeypatch.delenv("RAMPCTL_LOCK_HEARTBEAT", raising=False)
    assert LeaseSettings.from_env() == LeaseSettings(lease_s=3, heartbeat_s=0.5)


@pytest.mark.parametrize(
    ("lease", "heartbeat", "problem"),
    [
        ("soon", "", "RAMPCTL_LOCK_LEASE='soon' is not a number"),
        ("0", "", "must be more than 0"),
        ("10", "6", "must be at most half of RAMPCTL_LOCK_LEASE=10"),
    ],
)
def test_bad_lease_settings_are_refused(
    monkeypatch: pytest.MonkeyPatch, lease: str, heartbeat: str, problem: str
) -> None:
    monkeypatch.setenv("RAMPCTL_LOCK_LEASE", lease)
    monkeypatch.setenv("RAMPCTL_LOCK_HEARTBEAT", heartbeat)
    with pytest.raises(ConfigError, match=problem):
        LeaseSettings.from_env()


def test_a_lease_runs_out_at_its_expiry_and_one_without_expiry_counts_as_run_out() -> None:
    now = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
    assert not expired(_holder("2026-01-01T12:00:01+00:00"), now=now)
    assert expired(_holder("2026-01-01T12:00:00+00:00"), now=now)
    assert expired(_holder(None), now=now) and expired(_holder("garbage"), now=now)


def test_the_locked_error_names_holder_host_age_and_the_lease_left() -> None:
    ends = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=95)).isoformat()
    started = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=130)).isoformat()
    holder = _holder(ends).model_copy(update={"user": "ci", "host": "runner-7", "time": started})
    error = locked_error(holder, 0)
    assert error.exit_code == 5
    assert f"ci@runner-7 (pid {holder.pid}) since {started} (2m1" in error.message
    assert "lease runs out in 1m3" in error.message
