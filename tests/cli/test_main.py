"""The CLI frame: help, version, -C, unknown commands and the mapping of errors to exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from rampctl import __version__, errors
from rampctl.cli.commands import COMMANDS
from rampctl.cli.main import cli, run
from rampctl.logs import register_secret


@pytest.fixture
def raising_command() -> Iterator[list[BaseException]]:
    """Adds a hidden `boom` command that raises whatever the test puts in the list."""
    to_raise: list[BaseException] = []

    @click.command("boom", hidden=True)
    def boom() -> None:
        raise to_raise[0]

    cli.add_command(boom)
    yield to_raise
    cli.commands.pop("boom")


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (errors.ConfigError("bad flag"), 1),
        (errors.ManifestError([]), 1),
        (errors.RampError("nope", status=400), 1),
        (errors.UnsafePlanError("too many deletes"), 3),
        (errors.StalePlanError("state moved"), 4),
        (errors.StateLockedError("held by pid 1"), 5),
        (errors.OutcomeUncertainError("create may have happened"), 6),
        (errors.Interrupted(2), 130),
        (errors.Interrupted(15), 143),
        (KeyboardInterrupt(), 130),
    ],
)
def test_errors_map_to_documented_exit_codes(
    raising_command: list[BaseException],
    exc: BaseException,
    code: int,
    capsys: pytest.CaptureFixture[str],
) -> None:
    raising_command.append(exc)
    assert run(["boom"]) == code
    assert "Traceback" not in capsys.readouterr().err


def test_error_message_goes_to_stderr(
    raising_command: list[BaseException], capsys: pytest.CaptureFixture[str]
) -> None:
    raising_command.append(errors.StateLockedError("state locked by ci@runner pid 42"))
    assert run(["boom"]) == 5
    captured = capsys.readouterr()
    assert "error: state locked by ci@runner pid 42" in captured.err
    assert captured.out == ""


def test_unexpected_exception_prints_debug_log_path_not_traceback(
    raising_command: list[BaseException], capsys: pytest.CaptureFixture[str]
) -> None:
    raising_command.append(ZeroDivisionError("division by zero"))
    assert run(["boom"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "unexpected ZeroDivisionError" in err
    log_path = Path(err.split("details in ")[1].split()[0])
    try:
        assert "ZeroDivisionError: division by zero" in log_path.read_text()
    finally:
        log_path.unlink()


def test_verbose_shows_traceback_with_secrets_masked(
    raising_command: list[BaseException], capsys: pytest.CaptureFixture[str]
) -> None:
    register_secret("canary-secret-value-123")
    raising_command.append(RuntimeError("token canary-secret-value-123 leaked?"))
    assert run(["-v", "boom"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err
    assert "canary-secret-value-123" not in err
    Path(err.split("details in ")[1].split()[0]).unlink()


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"rampctl, version {__version__}"


@pytest.mark.parametrize(
    "args", [["--help"], ["-h"], *([name, "--help"] for name in sorted(COMMANDS))]
)
def test_help_on_every_command(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(args) == 0
    assert "Usage: rampctl" in capsys.readouterr().out


def test_unknown_command_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["no-such-command"]) == 1
    assert "No such command 'no-such-command'" in capsys.readouterr().err


def test_dash_c_changes_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path.cwd())  # restored after the test
    seen: list[str] = []

    @click.command("where", hidden=True)
    def where() -> None:
        seen.append(os.getcwd())

    cli.add_command(where)
    try:
        assert run(["-C", str(tmp_path), "where"]) == 0
    finally:
        cli.commands.pop("where")
    assert seen == [str(tmp_path)]


def test_dash_c_missing_directory_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["-C", "/no/such/dir", "plan"]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_console_script_runs(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rampctl", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert __version__ in result.stdout


def _ramp_validation_error() -> Exception:
    """A pydantic error quoting a Ramp answer that carries a vendor's tax id and bank number."""
    from rampctl.ramp.models import Vendor

    answer = {"id": 7, "tax_id": "12-3456789", "account_number": "000123456789"}
    try:
        Vendor.model_validate([answer])
    except Exception as exc:
        return exc
    raise AssertionError("expected a validation error")


def test_crash_report_never_quotes_sensitive_values(
    raising_command: list[BaseException], capsys: pytest.CaptureFixture[str]
) -> None:
    raising_command.append(_ramp_validation_error())
    assert run(["-v", "boom"]) == 1
    err = capsys.readouterr().err
    log_path = Path(err.split("details in ")[1].split()[0])
    try:
        for text in (err, log_path.read_text()):
            assert "12-3456789" not in text and "000123456789" not in text
            assert "input_value=***" in text
    finally:
        log_path.unlink()


def test_error_messages_never_quote_sensitive_values(
    raising_command: list[BaseException], capsys: pytest.CaptureFixture[str]
) -> None:
    raising_command.append(
        errors.RampError("tax_id '98-7654321' is not valid for routing_number=021000021")
    )
    assert run(["boom"]) == 1
    err = capsys.readouterr().err
    assert "98-7654321" not in err and "021000021" not in err
    assert "tax_id *** is not valid" in err
