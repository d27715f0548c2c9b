"""Fixtures for the manifest tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rampctl.manifest import yamlparse


@pytest.fixture(scope="module", params=["libyaml", "pure-python"])
def yaml_events(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run a module's tests once with libyaml's events and once with PyYAML's pure-Python
    parser alone (as on a machine without libyaml): both feed the same builder."""
    saved = yamlparse._CLoader
    if request.param == "pure-python":
        yamlparse._CLoader = None
    elif saved is None:
        pytest.skip("libyaml is not installed")
    try:
        yield request.param
    finally:
        yamlparse._CLoader = saved
