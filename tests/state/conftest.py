"""Fixtures for the state tests: a store in a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from rampctl.state import StateStore


@pytest.fixture
def store(tmp_path: Path) -> StateStore:
    """A store for `rampctl.state.json` in an empty temporary folder."""
    return StateStore(tmp_path / "rampctl.state.json")
