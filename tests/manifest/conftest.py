"""Fixtures for the manifest tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rampctl.manifest import yamlparse


@pytest.fixture(scope="module", params=["libyaml", "pure-python"])
def yaml_events(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run a module's tests once with libyaml's events (and the fast reader of the plain
    shape) and once with PyYAML's pure-Python parser alone: both feed the same builder."""
    saved, fast = yamlparse._CLoader, yamlparse._FAST
    if request.param == "pure-python":
        yamlparse._CLoader, yamlparse._FAST = None, False
    elif saved is None:
        pytest.skip("libyaml is not installed")
    try:
        yield request.param
    finally:
        yamlparse._CLoader, yamlparse._FAST = saved, fast
