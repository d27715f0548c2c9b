"""`rampctl sandbox serve|reset`: run the local Ramp emulator standalone, or reset its data."""

from __future__ import annotations

import ipaddress
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from rampctl.cli.runtime import started_sandbox
from rampctl.cli.ui import err_console, out_console
from rampctl.errors import ConfigError, SandboxError
from rampctl.sandbox.embedded import open_store
from rampctl.sandbox.settings import FAULT_KINDS, SandboxSettings

DEFAULT_DATA = Path(".rampctl/sandbox.db")
F = TypeVar("F", bound=Callable[..., Any])


@click.group()
def sandbox() -> None:
    """The local sandbox: an emulator of the Ramp API on loopback (no account needed)."""


def _data_option(help_text: str) -> Callable[[F], F]:
    """The `--data FILE` option of the sandbox commands."""
    return click.option(
        "--data",
        type=click.Path(dir_okay=False, path_type=Path),
        default=DEFAULT_DATA,
        show_default=True,
        help=help_text,
    )


SEED = click.option(
    "--seed", default="demo", show_default=True, help="demo, empty, or a vendor count."
)


@sandbox.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=int, help="Port (0: any free one).")
@SEED
@_data_option("SQLite data file (seeded only when new).")
@click.option("--memory", is_flag=True, help="Keep the data in memory only.")
@click.option("--latency-ms", default=0.0, type=float, help="Added latency per request.")
@click.option("--rate-limit", default=200, type=int, show_default=True, help="Requests per window.")
@click.option(
    "--fault",
    "faults",
    multiple=True,
    metavar="KIND=RATE",
    help="Fault rate, e.g. 5xx=0.05, slow=0.1, drop_after_commit=0.02 (repeatable).",
)
def serve(
    host: str,
    port: int,
    seed: str,
    data: Path,
    memory: bool,
    latency_ms: float,
    rate_limit: int,
    faults: tuple[str, ...],
) -> None:
    """Serve the sandbox until interrupted; prints the base URL and client credentials."""
    settings = SandboxSettings(latency_ms=latency_ms, rate_limit=rate_limit)
    _apply_faults(settings, faults)
    _warn_if_exposed(host)
    with started_sandbox(
        data=None if memory else data, seed=seed, settings=settings, host=host, port=port
    ) as running:
        out = out_console()
        out.print(f"Ramp sandbox listening on {running.base_url}", markup=False)
        out.print(f"RAMP_BASE_URL={running.base_url}", markup=False)
        out.print(f"RAMP_CLIENT_ID={running.client_id}", markup=False)
        out.print(f"RAMP_CLIENT_SECRET={running.client_secret}", markup=False)
        out.print("Press Ctrl+C to stop.", markup=False)
        sys.stdout.flush()
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            err_console().print("sandbox stopped")


def _apply_faults(settings: SandboxSettings, faults: tuple[str, ...]) -> None:
    for item in faults:
        kind, sep, rate = item.partition("=")
        if not sep or kind not in FAULT_KINDS:
            raise ConfigError(f"--fault {item!r}: expected KIND=RATE with KIND in {FAULT_KINDS}")
        try:
            value = float(rate)
        except ValueError:
            raise ConfigError(f"--fault {item!r}: {rate!r} is not a number") from None
        field = {"5xx": "fault_5xx_rate", "slow": "fault_slow_rate"}.get(
            kind, "fault_drop_after_commit_rate"
        )
        setattr(settings, field, value)


def _warn_if_exposed(host: str) -> None:
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        err_console().print(
            f"warning: the sandbox listens on {host}, not loopback; its admin API has no auth",
            markup=False,
        )


@sandbox.command()
@SEED
@_data_option("SQLite data file to recreate.")
def reset(seed: str, data: Path) -> None:
    """Recreate the sandbox data file with a fresh seed."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(data) + suffix).unlink(missing_ok=True)
    try:
        store = open_store(data, seed)
    except ValueError as exc:
        raise SandboxError(str(exc)) from exc
    store.close()
    out_console().print(f"sandbox data reset: {data} (seed {seed})", markup=False)
