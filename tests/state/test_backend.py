"""Choosing a state backend from `--state`, and masking passwords in backend URLs."""

from __future__ import annotations

from pathlib import Path

import pytest

from rampctl.errors import ConfigError
from rampctl.logs import redact
from rampctl.state.backend import is_remote, open_backend
from rampctl.state.store import StateStore


def test_a_path_or_file_url_is_the_local_file_backend(tmp_path: Path) -> None:
    plain = open_backend(tmp_path / "s.json")
    url = open_backend(f"file://{tmp_path}/s.json")
    assert isinstance(plain, StateStore) and isinstance(url, StateStore)
    assert plain.location == url.location == str(tmp_path / "s.json")
    assert not is_remote(tmp_path / "s.json") and not is_remote(f"file://{tmp_path}/s.json")
    assert is_remote("s3://bucket/key") and is_remote("postgresql://db/x")


def test_an_unknown_scheme_is_refused_without_its_password() -> None:
    with pytest.raises(ConfigError) as caught:
        open_backend("ftp://me:hunter22@host/state.json")
    assert "unknown scheme ftp://" in caught.value.message
    assert "hunter22" not in caught.value.message and "me:***@host" in caught.value.message


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("postgresql://ci:pa%3Ass@db:5432/rampctl", "postgresql://ci:***@db:5432/rampctl"),
        ("connect to postgres://u:p@h/d?workspace=x failed", "connect to postgres://u:***@h/d"),
        (
            "postgresql://h/d?workspace=prod&password=pw",
            "postgresql://h/d?workspace=prod&password=***",
        ),
        ("s3://bucket/prefix/rampctl.state.json", "s3://bucket/prefix/rampctl.state.json"),
    ],
)
def test_passwords_in_urls_are_masked_in_every_message(text: str, shown: str) -> None:
    assert redact(text).startswith(shown)
