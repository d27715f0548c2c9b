"""A corpus of broken manifests: each folder under corpus/ is a manifests root whose problems
must be reported exactly as its expected.txt says (message, file, line and column).
Cases that cannot live in git (a huge file, symlinks) are made on the fly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rampctl.errors import ManifestError
from rampctl.manifest import load_manifests
from rampctl.manifest.yamlparse import MAX_FILE_BYTES

pytestmark = pytest.mark.usefixtures("yaml_events")

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
VENDOR = "apiVersion: rampctl/v1\nkind: Vendor\nmetadata:\n  name: acme\nspec:\n  name: Acme\n"


def _problems(root: Path) -> list[str]:
    with pytest.raises(ManifestError) as info:
        load_manifests(root)
    return [str(p) for p in info.value.problems]


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES)
def test_broken_manifest_reports_exact_problems(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CORPUS)
    expected = (CORPUS / case / "expected.txt").read_text().splitlines()
    assert _problems(Path(case)) == expected


def test_huge_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("m").mkdir()
    text = VENDOR + "  description: " + "x" * MAX_FILE_BYTES + "\n"
    Path("m/big.yaml").write_text(text)
    size = len(text.encode())
    assert _problems(Path("m")) == [
        f"m/big.yaml:1:1: file is {size} bytes; the limit is {MAX_FILE_BYTES} bytes"
    ]


def test_huge_rendered_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("m").mkdir()
    Path("m/t.yaml.j2").write_text(
        VENDOR + "{% for i in range(20000) %}# {{ 'x' * 99 }}\n{% endfor %}\n"
    )
    assert _problems(Path("m")) == [
        f"m/t.yaml.j2:1:1: rendered template is larger than {MAX_FILE_BYTES} bytes"
    ]


def test_symlinked_manifest_outside_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("m").mkdir()
    Path("outside.yaml").write_text(VENDOR)
    os.symlink(tmp_path / "outside.yaml", "m/linked.yaml")
    assert _problems(Path("m")) == ["m/linked.yaml:1:1: symlink leads outside the manifests root"]


def test_include_through_symlink_outside_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("m").mkdir()
    Path("secret.txt").write_text("  description: leaked\n")
    os.symlink(tmp_path / "secret.txt", "m/_part.txt")
    Path("m/v.yaml.j2").write_text(VENDOR + "{% include '_part.txt' %}\n")
    assert _problems(Path("m")) == [
        "m/v.yaml.j2:7:1: include '_part.txt' leads outside the manifests root"
    ]


def test_absolute_include_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("m").mkdir()
    Path("m/v.yaml.j2").write_text(VENDOR + "{% include '/etc/passwd' %}\n")
    assert _problems(Path("m")) == [
        "m/v.yaml.j2:7:1: include '/etc/passwd' is outside the manifests root"
    ]


def test_variables_file_symlinked_outside_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("m/vars").mkdir(parents=True)
    Path("secret.yaml").write_text("who: leaked-value\n")
    os.symlink(tmp_path / "secret.yaml", "m/vars/extra.yaml")
    Path("m/v.yaml.j2").write_text(VENDOR + "  description: {{ who }}\n")
    problems = _problems(Path("m"))
    assert "m/vars/extra.yaml:1:1: symlink leads outside the manifests root" in problems
    assert not any("leaked-value" in p for p in problems)
