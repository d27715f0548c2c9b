"""The flags of every command, each parsed once into a typed value object.

`GlobalOptions` holds the top-level flags; each command declares its own options class and
receives it through `@parsed(...)` instead of click's keyword arguments.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal, Protocol, Self, TypeVar

import click

from rampctl.errors import ConfigError

ENVIRONMENTS = ("production", "demo")


@dataclass(frozen=True, kw_only=True)
class GlobalOptions:
    """What the top-level flags asked for; commands read it from the click context.

    Paths are as given (relative to the working directory after `-C`).
    """

    manifests: Path
    state: str
    """A state file path, or a remote backend's URL (`s3://...`, `postgresql://...`)."""
    env: str | None
    sandbox: bool
    no_color: bool
    verbosity: int
    log_file: Path | None


def global_options(ctx: click.Context) -> GlobalOptions:
    """The GlobalOptions of the running command."""
    obj = ctx.find_root().obj
    if not isinstance(obj, GlobalOptions):  # pragma: no cover - set by the root group
        raise click.UsageError("global options are missing")
    return obj


Params = dict[str, Any]
"""The keyword arguments click passes a command callback: parsed once, by `parsed`."""

OptionsT = TypeVar("OptionsT", bound="CommandOptions")
ResultT = TypeVar("ResultT")


class CommandOptions(Protocol):
    """A command's flags as one typed value, built from click's keyword arguments."""

    @classmethod
    def from_params(cls, params: Params) -> Self:
        """The options from click's keyword arguments (names as click gives them)."""
        ...


def parsed(
    cls: type[OptionsT],
) -> Callable[[Callable[[click.Context, OptionsT], ResultT]], Callable[..., ResultT]]:
    """Decorator: call the command with `(ctx, cls.from_params(flags))` instead of `**flags`.

    Put it below the `@click.option`s and above nothing but the function.
    """

    def decorate(func: Callable[[click.Context, OptionsT], ResultT]) -> Callable[..., ResultT]:
        @functools.wraps(func)
        def callback(*args: Any, **params: Any) -> ResultT:
            return func(click.get_current_context(), cls.from_params(params))

        return callback

    return decorate


@dataclass(frozen=True, kw_only=True)
class OutputOptions:
    """How `plan` and `show` print a plan: JSON, Markdown or text (with unmanaged objects)."""

    as_json: bool = False
    as_markdown: bool = False
    show_unmanaged: bool = False

    @classmethod
    def from_params(cls, params: Params) -> Self:
        """From --json, --markdown and --show-unmanaged."""
        return cls(
            as_json=bool(params["as_json"]),
            as_markdown=bool(params["as_markdown"]),
            show_unmanaged=bool(params["show_unmanaged"]),
        )


@dataclass(frozen=True, kw_only=True)
class PlanOptions:
    """What shapes a plan (shared by `plan` and `apply`)."""

    targets: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    refresh_deep: bool = False
    max_delete_fraction: float = 0.25
    min_managed: int = 10
    variables: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_params(cls, params: Params) -> Self:
        """From --target, --exclude, --refresh, --max-delete-fraction, --min-managed, --var."""
        return cls(
            targets=tuple(params["target"]),
            excludes=tuple(params["exclude"]),
            refresh_deep=params["refresh"] == "deep",
            max_delete_fraction=float(params["max_delete_fraction"]),
            min_managed=int(params["min_managed"]),
            variables=dict(params["var"]),
        )


@dataclass(frozen=True, kw_only=True)
class GitHubOptions:
    """Where plan and apply report on GitHub (`--github-*`)."""

    comment: bool = False
    drift_issue: bool = False
    workspace: str = "default"

    @classmethod
    def from_params(cls, params: Params) -> Self:
        """From --github-comment, --github-drift-issue (plan only) and --github-workspace."""
        return cls(
            comment=bool(params.get("github_comment", False)),
            drift_issue=bool(params.get("github_drift_issue", False)),
            workspace=str(params.get("github_workspace") or "default"),
        )


@dataclass(frozen=True, kw_only=True)
class PlanCommandOptions:
    """`rampctl plan`'s flags."""

    plan: PlanOptions
    output: OutputOptions
    github: GitHubOptions
    out: Path | None = None
    detailed_exitcode: bool = False

    @classmethod
    def from_params(cls, params: Params) -> Self:
        """From every flag of `rampctl plan`."""
        return cls(
            plan=PlanOptions.from_params(params),
            output=OutputOptions.from_params(params),
            github=GitHubOptions.from_params(params),
            out=params["out"],
            detailed_exitcode=bool(params["detailed_exitcode"]),
        )


@dataclass(frozen=True, kw_only=True)
class ShowOptions:
    """`rampctl show`'s argument and flags."""

    plan_file: Path
    output: OutputOptions

    @classmethod
    def from_params(cls, params: Params) -> Self:
        """From PLAN_FILE and the output flags."""
        return cls(plan_file=params["plan_file"], output=OutputOptions.from_params(params))


@dataclass(frozen=True, kw_only=True)
class ApplyOptions:
    """`rampctl apply`'s argument and flags."""

    plan_file: Path | None
    plan: PlanOptions
    github: GitHubOptions
    auto_approve: bool = False
    allow_deletes: bool = False
    allow_replace: bool = False
    allow_payments: bool = False
    payment_limit: Decimal | None = None
    continue_on_error: bool = False
    parallelism: int = 4
    lock_timeout: float = 0.0

    @classmethod
    def from_params(cls, params: Params) -> Self:
        """From every flag of `rampctl apply`; a bad --payment-limit is a ConfigError."""
        return cls(
            plan_file=params["plan_file"],
            plan=PlanOptions.from_params(params),
            github=GitHubOptions.from_params(params),
            auto_approve=bool(params["auto_approve"]),
            allow_deletes=bool(params["allow_deletes"]),
            allow_replace=bool(params["allow_replace"]),
            allow_payments=bool(params["allow_payments"]),
            payment_limit=payment_limit(params["payment_limit"]),
            continue_on_error=bool(params["continue_on_error"]),
            parallelism=int(params["parallelism"]),
            lock_timeout=float(params["lock_timeout"]),
        )

    @property
    def interactive(self) -> bool:
        """Whether a person confirms a fresh plan at the terminal."""
        return self.plan_file is None and not self.auto_approve


def payment_limit(text: str | None) -> Decimal | None:
    """The --payment-limit amount; None when unset or blank."""
    if text is None or not text.strip():
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ConfigError(f"--payment-limit {text!r} is not an amount like 5000.00") from None
    if not value.is_finite() or value < 0:
        raise ConfigError(f"--payment-limit {text!r} must be an amount of 0 or more")
    return value


@dataclass(frozen=True, kw_only=True)
class ImportCommandOptions:
    """`rampctl import`'s flags."""

    out: Path | None
    kinds: frozenset[str]
    since: dt.datetime | None
    include_inactive: bool
    name_from: Literal["name", "external_id"]
    split: bool
    force: bool
    dry_run: bool
    lock_timeout: float
    variables: dict[str, str]

    @classmethod
    def from_params(cls, params: Params) -> Self:
        """From every flag of `rampctl import`."""
        return cls(
            out=params["out"],
            kinds=frozenset(params["kinds"]),
            since=params["since"],
            include_inactive=params["which"] == "all",
            name_from="external_id" if params["name_from"] == "external_id" else "name",
            split=bool(params["split"]),
            force=bool(params["force"]),
            dry_run=bool(params["dry_run"]),
            lock_timeout=float(params["lock_timeout"]),
            variables=dict(params["var"]),
        )
