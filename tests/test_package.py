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


#: Import name of each runtime dependency whose distribution name differs from it.
_IMPORT_NAME = {
    "pyyaml": "yaml",
    "ruamel.yaml": "ruamel",
    "openapi-schema-validator": "openapi_schema_validator",
    "python-slugify": "slugify",
}


def test_every_runtime_dependency_is_imported_by_the_package() -> None:
    """A dependency nothing imports is dead weight for every install (as deepdiff was)."""
    import ast
    import re

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = [re.split(r"[<>=\[ ]", spec, maxsplit=1)[0] for spec in project["dependencies"]]
    imported: set[str] = set()
    for path in Path(rampctl.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module.split(".")[0])
    unused = [n for n in names if _IMPORT_NAME.get(n, n.replace("-", "_")) not in imported]
    assert unused == []
