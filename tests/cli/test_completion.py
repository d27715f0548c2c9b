"""TAB completion: addresses from the state file for --target, --exclude and `state`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.shell_completion import BashComplete

from rampctl.cli.main import cli

ADDRESSES = ["accounting_vendor/acme", "vendor/acme-cloud", "vendor/beta", "vendor/cyberdyne"]


def _complete(args: list[str], incomplete: str) -> list[str]:
    completer = BashComplete(cli, {}, "rampctl", "_RAMPCTL_COMPLETE")
    return [item.value for item in completer.get_completions(args, incomplete)]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    resources = {a: {"kind": a.split("/")[0], "ramp_id": a} for a in ADDRESSES}
    (tmp_path / "rampctl.state.json").write_text(json.dumps({"resources": resources}))
    return tmp_path


@pytest.mark.parametrize(
    ("args", "incomplete", "expected"),
    [
        (["state", "show"], "vendor/", ["vendor/acme-cloud", "vendor/beta", "vendor/cyberdyne"]),
        (["state", "rm"], "acc", ["accounting_vendor/acme"]),
        (["state", "mv"], "vendor/b", ["vendor/beta"]),
        (["plan", "--target"], "vendor/c", ["vendor/cyberdyne"]),
        (["apply", "--exclude"], "vendor/a", ["vendor/acme-cloud"]),
    ],
)
def test_addresses_complete_from_the_state(
    project: Path, args: list[str], incomplete: str, expected: list[str]
) -> None:
    assert _complete(["-C", str(project), *args], incomplete) == expected


def test_the_state_option_is_followed(project: Path, tmp_path: Path) -> None:
    (project / "rampctl.state.json").rename(project / "other.json")
    assert _complete(["-C", str(project), "state", "show"], "v") == []
    found = _complete(["-C", str(project), "--state", "other.json", "state", "show"], "vendor/b")
    assert found == ["vendor/beta"]


def test_no_state_or_a_remote_one_completes_nothing(tmp_path: Path) -> None:
    assert _complete(["-C", str(tmp_path), "state", "show"], "") == []
    remote = ["--state", "s3://bucket/rampctl.state.json", "state", "show"]
    assert _complete(remote, "") == []
