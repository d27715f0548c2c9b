"""What commands share at run time: a Ramp client (real or sandbox), state, manifests."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from rampctl.cli.options import GlobalOptions
from rampctl.cli.project import manifest_cache, project_folder
from rampctl.cli.ui import err_console
from rampctl.engine.snapshot import SnapshotPrefetch
from rampctl.errors import ConfigError, RampctlError, SandboxError
from rampctl.ramp.client import RampClient
from rampctl.ramp.config import ClientConfig, config_from_env
from rampctl.ramp.scopes import READ_SCOPES
from rampctl.ramp.window_file import carried_limiter

# The manifests and the state backends are imported where they are loaded: Ramp's snapshot
# starts reading (`reading_while_loading`) without waiting for them to be imported.
if TYPE_CHECKING:
    from rampctl.model.desired import DesiredGraph
    from rampctl.sandbox.embedded import RunningSandbox
    from rampctl.state.backend import StateBackend

SANDBOX_ENVIRONMENT = "sandbox"
SANDBOX_DATA_VAR = "RAMPCTL_SANDBOX_DATA"
T = TypeVar("T")


@dataclass(frozen=True, kw_only=True)
class Session:
    """A connected Ramp client and the environment label its state is bound to."""

    client: RampClient
    environment: str


def sandbox_data_path(opts: GlobalOptions) -> Path:
    """The embedded sandbox's data file: `RAMPCTL_SANDBOX_DATA`, else `.rampctl/sandbox.db`
    next to a local state file (with a remote state backend, in the working directory)."""
    override = os.environ.get(SANDBOX_DATA_VAR, "").strip()
    if override:
        return Path(override)
    return project_folder(opts) / "sandbox.db"


@contextmanager
def ramp_session(opts: GlobalOptions, *, scopes: Iterable[str]) -> Iterator[Session]:
    """A client for Ramp, or for the embedded sandbox with `--sandbox`.

    Its limiter carries the rate-limit window across runs of the same credentials (see
    `rampctl.ramp.window_file`); not for the embedded sandbox, whose window ends with the run.
    """
    with (
        ramp_connection(opts) as (config, environment),
        carried_limiter(config, carry=environment != SANDBOX_ENVIRONMENT) as limiter,
        RampClient(config, scopes=scopes, limiter=limiter) as client,
    ):
        yield Session(client=client, environment=environment)


@contextmanager
def ramp_connection(opts: GlobalOptions) -> Iterator[tuple[ClientConfig, str]]:
    """Where Ramp is (the embedded sandbox started with `--sandbox`) and its environment label."""
    if not opts.sandbox:
        config = config_from_env(opts.env)
        yield config, config.base_url
        return
    with _embedded_sandbox(opts) as config:
        yield config, SANDBOX_ENVIRONMENT


@dataclass(kw_only=True)
class Prefetched:
    """Ramp being read in the background, and its connection, for `reading_while_loading`."""

    config: ClientConfig
    environment: str
    reader: RampClient
    snapshot: SnapshotPrefetch


#: After a manifest error, how long to let the Ramp read finish before closing its client.
PREFETCH_GRACE_S = 2.0


@contextmanager
def reading_while_loading(
    opts: GlobalOptions, load: Callable[[], T]
) -> Iterator[tuple[Prefetched, T]]:
    """Start reading Ramp (read scopes, in a thread), then run `load` (manifests, state).

    The network read overlaps the local loading. Errors come in the order they would without
    the overlap: `load`'s first (a manifest error is reported even when Ramp is unreachable),
    then connecting, then the read's own (from `Prefetched.snapshot.result()`).
    """
    with ExitStack() as stack:
        failed: RampctlError | None = None
        prefetched: Prefetched | None = None
        try:
            config, environment = stack.enter_context(ramp_connection(opts))
            # One limiter for every client of the run (apply's writer shares the reader's),
            # starting from the window earlier runs of these credentials left.
            limiter = stack.enter_context(
                carried_limiter(config, carry=environment != SANDBOX_ENVIRONMENT)
            )
            reader = stack.enter_context(RampClient(config, scopes=READ_SCOPES, limiter=limiter))
            prefetched = Prefetched(
                config=config,
                environment=environment,
                reader=reader,
                snapshot=SnapshotPrefetch(reader),
            )
        except RampctlError as exc:
            failed = exc
        try:
            loaded = load()
        except BaseException:
            if prefetched is not None:  # let a quick read end before its client closes
                prefetched.snapshot.wait(PREFETCH_GRACE_S)
            raise
        if failed is not None:
            raise failed
        assert prefetched is not None
        yield prefetched, loaded


@contextmanager
def started_sandbox(**settings: Any) -> Iterator[RunningSandbox]:
    """The sandbox running with `settings` (see `running_sandbox`) for the block.

    The sandbox is imported here, only when used; its start errors become rampctl's
    `SandboxError` (the sandbox itself depends on nothing of rampctl).
    """
    try:
        from rampctl.sandbox import embedded
    except ImportError as exc:  # pragma: no cover - only in a partial install
        raise SandboxError(f"the embedded sandbox is not available: {exc}") from None
    with ExitStack() as stack:
        try:
            sandbox = stack.enter_context(embedded.running_sandbox(**settings))
        except embedded.SandboxError as exc:
            raise SandboxError(str(exc)) from exc
        yield sandbox


@contextmanager
def _embedded_sandbox(opts: GlobalOptions) -> Iterator[ClientConfig]:
    data = sandbox_data_path(opts)
    data.parent.mkdir(parents=True, exist_ok=True)
    fresh = "a new demo business" if not data.exists() else "its business"
    err_console().print(
        f"Using the embedded sandbox, not Ramp: {fresh} is kept in {data} (beside the state; "
        f"another --state means another sandbox business; set {SANDBOX_DATA_VAR} to share one).",
        markup=False,
        highlight=False,
    )
    with started_sandbox(data=data, seed="demo") as sandbox:
        yield ClientConfig(
            base_url=sandbox.base_url,
            client_id=sandbox.client_id,
            client_secret=sandbox.client_secret,
        )


def load_graph(opts: GlobalOptions, variables: Mapping[str, str]) -> DesiredGraph:
    """Load and validate the manifests into the desired graph."""
    from rampctl.manifest import graph as manifest_graph

    if not opts.manifests.exists():
        raise ConfigError(f"manifests not found: {opts.manifests} (see --manifests)")
    with manifest_cache(opts) as cache:
        return manifest_graph.load_graph(opts.manifests, variables=variables, cache=cache)


def state_store(opts: GlobalOptions) -> StateBackend:
    """The state backend `--state` names (journal folded on load), closed when the command ends."""
    from rampctl.state.backend import open_backend
    from rampctl.state.fold import JournaledBackend

    backend = JournaledBackend(open_backend(opts.state))
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.find_root().call_on_close(backend.close)
    return backend
