"""The `rampctl` command group, its global options, and the mapping of errors to exit codes."""

from __future__ import annotations

import logging
import os
import re
import sys
import tempfile
import traceback
from pathlib import Path

import click

from rampctl import __version__
from rampctl.cli import quick_exit
from rampctl.cli.commands import LazyGroup
from rampctl.cli.options import ENVIRONMENTS, GlobalOptions
from rampctl.cli.ui import err_console
from rampctl.errors import ExitCode, RampctlError
from rampctl.logs import close_logging, redact, setup_logging

log = logging.getLogger("rampctl.cli")

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(cls=LazyGroup, context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="rampctl")
@click.option(
    "-C",
    "directory",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Run as if rampctl was started in DIR.",
    metavar="DIR",
)
@click.option(
    "--manifests",
    type=click.Path(path_type=Path),
    default=Path("manifests"),
    show_default=True,
    envvar="RAMPCTL_MANIFESTS",
    help="Folder (or single file) of manifests to read.",
)
@click.option(
    "--state",
    default="rampctl.state.json",
    show_default=True,
    envvar="RAMPCTL_STATE",
    metavar="PATH|URL",
    help="Where the state recording what rampctl manages is kept: a file path, "
    "s3://BUCKET/KEY or postgresql://HOST/DB?workspace=NAME (see the README's Team state).",
)
@click.option(
    "--env",
    type=click.Choice(ENVIRONMENTS),
    envvar="RAMPCTL_ENV",
    help="Ramp environment: production (api.ramp.com) or demo (demo-api.ramp.com). "
    "RAMP_BASE_URL overrides both.",
)
@click.option(
    "--sandbox",
    is_flag=True,
    envvar="RAMPCTL_SANDBOX",
    help="Use the embedded local sandbox instead of Ramp (also RAMPCTL_SANDBOX=1).",
)
@click.option("--no-color", is_flag=True, help="Plain output without colour (also NO_COLOR).")
@click.option("-v", "--verbose", count=True, help="More log output; -vv for debug.")
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a debug log (secrets masked) to this file.",
)
@click.pass_context
def cli(
    ctx: click.Context,
    directory: Path | None,
    manifests: Path,
    state: str,
    env: str | None,
    sandbox: bool,
    no_color: bool,
    verbose: int,
    log_file: Path | None,
) -> None:
    """Manage Ramp Bill Pay vendors as code.

    Declare vendors, contacts, owners and accounting links in YAML manifests;
    `rampctl plan` shows how Ramp differs from them and `rampctl apply` makes
    Ramp match, keeping a local state file.
    """
    if directory is not None:
        os.chdir(directory)
    setup_logging(verbose, log_file)
    ctx.obj = GlobalOptions(
        manifests=manifests,
        state=state,
        env=env,
        sandbox=sandbox,
        no_color=no_color or bool(os.environ.get("NO_COLOR")),
        verbosity=verbose,
        log_file=log_file,
    )


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the CLI and exit with the mapped code."""
    quick_exit.enable()
    code = run(argv)
    if code in (ExitCode.SIGINT, ExitCode.SIGTERM):
        # Interrupted: state and journal are on disk and the lock is released; do not wait
        # for a write still hanging on the network (the next run decides it by key).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    if quick_exit.asked():  # everything is closed: skip freeing the business object by object
        quick_exit.leave(code)
    sys.exit(code)


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code instead of exiting."""
    try:
        return _run(argv)
    finally:
        close_logging()


def _run(argv: list[str] | None) -> int:
    try:
        result = cli.main(args=argv, prog_name="rampctl", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return ExitCode.ERROR
    except (click.exceptions.Abort, KeyboardInterrupt):
        err_console().print("interrupted")
        return ExitCode.SIGINT
    except RampctlError as exc:
        return _report(exc)
    except Exception as exc:  # the last resort: never show a bare traceback
        return _report_crash(exc, _verbosity(argv))
    return result if isinstance(result, int) else ExitCode.OK


def _report(exc: RampctlError) -> int:
    err_console().print(f"error: {redact(str(exc))}", markup=False, highlight=False)
    return exc.exit_code


def _report_crash(exc: Exception, verbosity: int) -> int:
    text = redact("".join(traceback.format_exception(exc)))
    console = err_console()
    if verbosity >= 1:
        console.print(text, markup=False, highlight=False)
    path = _write_debug_log(text)
    console.print(
        f"error: unexpected {type(exc).__name__}{_first_line(exc)}; details in {path} "
        "(use -v for the traceback)",
        markup=False,
        highlight=False,
    )
    return ExitCode.ERROR


def _first_line(exc: Exception) -> str:
    """`: <first line of the message>`, redacted like every log line, at most 200 characters."""
    lines = redact(str(exc)).strip().splitlines()
    return f": {lines[0][:200]}" if lines else ""


def _write_debug_log(text: str) -> str:
    fd, path = tempfile.mkstemp(prefix="rampctl-debug-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    log.debug("crash report written to %s", path)
    return path


def _verbosity(argv: list[str] | None) -> int:
    """Count -v flags from the raw arguments (the click context is gone by now)."""
    args = sys.argv[1:] if argv is None else argv
    flags = [a for a in args if a == "--verbose" or re.fullmatch(r"-v+", a)]
    return sum(1 if f == "--verbose" else len(f) - 1 for f in flags)
