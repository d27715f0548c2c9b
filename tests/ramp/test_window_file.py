"""The rate-limit window carried across runs of the same credentials."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from rampctl.ramp.config import ClientConfig
from rampctl.ramp.window_file import (
    NO_WINDOW_VAR,
    carried_limiter,
    read_window,
    save_window,
    window_path,
)

SECRET = "s3cret-value-never-on-disk"


def _config(base_url: str = "https://api.ramp.com", client_id: str = "ramp_id_1") -> ClientConfig:
    return ClientConfig(base_url=base_url, client_id=client_id, client_secret=SECRET)


@pytest.fixture(autouse=True)
def _user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.delenv(NO_WINDOW_VAR, raising=False)
    return tmp_path / "user-cache"


def _send(config: ClientConfig, count: int) -> None:
    """One run that gets `count` answers."""
    with carried_limiter(config) as limiter:
        for _ in range(count):
            limiter.release(limiter.acquire(), 200)


def test_the_next_run_starts_from_the_window_the_last_one_left(_user_cache: Path) -> None:
    config = _config()
    _send(config, 5)
    with carried_limiter(config) as limiter:
        assert len(limiter.answered_times()) == 5
    path = window_path(config)
    assert path.is_relative_to(_user_cache / "rampctl")
    assert SECRET not in path.read_text() and "ramp_id_1" not in str(path)


def test_runs_add_to_the_window_instead_of_replacing_it() -> None:
    config = _config()
    with carried_limiter(config) as first, carried_limiter(config) as second:
        for limiter in (first, second):  # two runs at once, each with 3 answers
            for _ in range(3):
                limiter.release(limiter.acquire(), 200)
    assert len(read_window(window_path(config), config.rate_window_s)) == 6
    _send(config, 1)  # a later run keeps what it was seeded with and adds its own once
    assert len(read_window(window_path(config), config.rate_window_s)) == 7


def test_other_credentials_or_another_ramp_have_their_own_window() -> None:
    _send(_config(), 4)
    for other in (_config(client_id="ramp_id_2"), _config(base_url="https://demo-api.ramp.com")):
        assert window_path(other) != window_path(_config())
        with carried_limiter(other) as limiter:
            assert limiter.answered_times() == []


@pytest.mark.parametrize(
    "text", ["not json", "[1, 2]", '{"answered": "x"}', '{"answered": [true, "1", null]}', ""]
)
def test_a_corrupt_window_file_counts_as_empty(text: str) -> None:
    config = _config()
    path = window_path(config)
    path.parent.mkdir(parents=True)
    path.write_text(text)
    _send(config, 2)
    assert len(read_window(path, config.rate_window_s)) == 2


def test_old_and_future_times_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    now = time.time()
    path.write_text(json.dumps({"answered": [now - 60, now - 1, now + 60]}))
    assert read_window(path, 10.0) == [pytest.approx(now - 1)]


def test_an_unwritable_cache_is_not_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    save_window(blocker / "w.json", [time.time()], 10.0)  # its folder cannot be made


def test_it_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NO_WINDOW_VAR, "1")
    config = _config()
    _send(config, 3)
    assert not window_path(config).exists()
    monkeypatch.delenv(NO_WINDOW_VAR)
    with carried_limiter(config, carry=False) as limiter:
        limiter.release(limiter.acquire(), 200)
    assert not window_path(config).exists()
