"""NO_COLOR and --no-color: not one escape code on either stream, even on a terminal."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ESC = "\x1b"


def _rampctl(cwd: Path, *args: str, **env: str) -> str:
    """Run the CLI as a user's terminal would (FORCE_COLOR makes rich treat it as one)."""
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "RAMPCTL_SANDBOX")}
    done = subprocess.run(
        [sys.executable, "-m", "rampctl", *args],
        cwd=cwd,
        env={**base, "FORCE_COLOR": "1", "TERM": "xterm-256color", "COLUMNS": "100", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done.stdout + done.stderr


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "manifests", tmp_path / "manifests")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "v.yaml").write_text(
        "apiVersion: rampctl/v1\nkind: Vendor\nmetadata: {name: a}\nspec: {name: A, active: 2}\n"
    )
    return tmp_path


def test_a_terminal_gets_colour_by_default(project: Path) -> None:
    assert ESC in _rampctl(project, "--sandbox", "plan")  # so the tests below can fail


@pytest.mark.parametrize(
    ("flags", "env"), [((), {"NO_COLOR": "1"}), (("--no-color",), {})], ids=["NO_COLOR", "flag"]
)
def test_no_escape_codes_at_all(project: Path, flags: tuple[str, ...], env: dict[str, str]) -> None:
    outputs = [
        _rampctl(project, *flags, "--sandbox", "plan", **env),
        _rampctl(project, *flags, "--sandbox", "apply", "--auto-approve", **env),
        _rampctl(project, *flags, "validate", "broken", **env),
        _rampctl(project, *flags, "state", "list", **env),
    ]
    assert "Apply: 20 done" in outputs[1] and "spec.active" in outputs[2]
    for output in outputs:
        assert ESC not in output, repr(output[:500])
