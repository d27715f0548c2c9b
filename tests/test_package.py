"""Packaging: one version, typed-package marker, licence and changelog ship with the project."""

from __future__ import annotations

import tomllib
from importlib.metadata import metadata, version
from pathlib import Path

import pytest

import rampctl
from rampctl.cli.main import run

ROOT = Path(__file__).resolve().parents[1]


def test_the_version_is_written_once_and_read_everywhere(
    capsys: pytest.CaptureFixture[str],
) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "version" not in project and project["dynamic"] == ["version"]
    assert version("rampctl") == rampctl.__version__
    assert run(["--version"]) == 0
    assert capsys.readouterr().out == f"rampctl, version {rampctl.__version__}\n"


def test_the_package_declares_its_types_licence_and_home() -> None:
    assert (Path(rampctl.__file__).parent / "py.typed").is_file()
    assert "Apache License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    info = metadata("rampctl")
    assert "Typing :: Typed" in info.get_all("Classifier", [])
    urls = dict(u.split(", ", 1) for u in info.get_all("Project-URL", []))
    assert {"Repository", "Issues", "Changelog"} <= set(urls)


def test_the_changelog_has_an_entry_for_the_current_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{rampctl.__version__}]" in changelog
