"""The lazy command registry: start-up without the sandbox, entries that match the commands."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from rampctl.cli.commands import COMMANDS, load
from rampctl.cli.main import cli

SANDBOX_MODULES = ("rampctl.sandbox", "starlette", "uvicorn", "openapi_schema_validator")

_PROBE = """
import json, sys
from rampctl.cli.main import run
code = run(json.loads(sys.argv[1]))
sys.stdout.flush()
print("\\n" + json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _modules_after(args: list[str]) -> tuple[int, set[str]]:
    """Run `rampctl ARGS` in a fresh interpreter and return its exit code and loaded modules."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return report["code"], set(report["modules"])


def _sandbox_loaded(modules: set[str]) -> list[str]:
    return sorted(
        m for m in modules if any(m == p or m.startswith(p + ".") for p in SANDBOX_MODULES)
    )


@pytest.mark.parametrize(
    "args",
    [["--version"], ["--help"], ["plan", "--help"], ["apply", "--help"], ["validate", "--help"]],
)
def test_start_up_imports_no_sandbox_module(args: list[str]) -> None:
    code, modules = _modules_after(args)
    assert code == 0
    assert _sandbox_loaded(modules) == []


def test_version_and_help_import_no_command_module() -> None:
    for args in (["--version"], ["--help"]):
        _, modules = _modules_after(args)
        assert not {entry.module for entry in COMMANDS.values()} & modules


def test_sandbox_command_loads_the_sandbox() -> None:
    """The probe above can see the sandbox: the sandbox command does import it."""
    code, modules = _modules_after(["sandbox", "--help"])
    assert code == 0
    assert "rampctl.sandbox.embedded" in modules
    assert "starlette" in modules


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_registry_entry_matches_its_command(name: str) -> None:
    command = load(name)
    assert command.name == name
    assert COMMANDS[name].short_help == command.get_short_help_str(limit=200)


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(cli, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    listed = [
        line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line.strip()
    ]
    assert listed == sorted(COMMANDS)


def test_completion_offers_registered_commands() -> None:
    ctx = click.Context(cli)
    names = [item.value for item in cli.shell_complete(ctx, "s")]
    assert names == ["sandbox", "schema", "show", "state"]


def test_unknown_command_is_none() -> None:
    assert cli.get_command(click.Context(cli), "no-such-command") is None


#: What only loading, planning and printing need; a plan's first request to Ramp does not wait
#: for them (`rampctl.cli.plan_cmd._make_plan`).
PLAN_LATER = (
    "rampctl.engine.planner",
    "rampctl.engine.plan",
    "rampctl.manifest",
    "rampctl.state.backend",
    "rampctl.render",
    "rampctl.github.client",
)


def test_the_plan_command_loads_without_the_engine_manifests_state_or_github() -> None:
    code, modules = _modules_after(["plan", "--help"])
    assert code == 0
    assert "rampctl.cli.plan_cmd" in modules
    assert not [m for m in PLAN_LATER if m in modules]
