"""Typed command options: click's flags parsed once into value objects."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from rampctl.cli.apply_cmd import apply
from rampctl.cli.options import ApplyOptions, PlanCommandOptions, parsed, payment_limit
from rampctl.cli.plan_cmd import plan
from rampctl.errors import ConfigError


def _options(command: click.Command, args: list[str]) -> dict[str, object]:
    """The keyword arguments click would pass `command` for `args`."""
    ctx = command.make_context(command.name, args)
    return dict(ctx.params)


def test_apply_flags_become_apply_options() -> None:
    params = _options(
        apply,
        [
            "plan.json",
            "--auto-approve",
            "--payment-limit",
            " 5000.00 ",
            "--parallelism",
            "2",
            "--target",
            "vendor/*",
            "--var",
            "env=prod",
            "--refresh",
            "deep",
        ],
    )
    options = ApplyOptions.from_params(params)
    assert options.plan_file == Path("plan.json")
    assert options.auto_approve and not options.interactive
    assert options.payment_limit == Decimal("5000.00")
    assert options.parallelism == 2
    assert options.plan.targets == ("vendor/*",)
    assert options.plan.variables == {"env": "prod"}
    assert options.plan.refresh_deep is True
    assert options.github.comment is False


def test_apply_without_plan_file_or_approval_is_interactive() -> None:
    assert ApplyOptions.from_params(_options(apply, [])).interactive


def test_plan_flags_become_plan_options() -> None:
    params = _options(
        plan, ["--json", "--out", "p.json", "--exclude", "bill/*", "--min-managed", "3"]
    )
    options = PlanCommandOptions.from_params(params)
    assert options.output.as_json and not options.output.as_markdown
    assert options.out == Path("p.json")
    assert options.plan.excludes == ("bill/*",)
    assert options.plan.min_managed == 3
    assert options.plan.max_delete_fraction == 0.25


@pytest.mark.parametrize(("text", "expected"), [(None, None), ("  ", None), ("0", Decimal(0))])
def test_payment_limit_values(text: str | None, expected: Decimal | None) -> None:
    assert payment_limit(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [("lots", "is not an amount"), ("-1", "0 or more"), ("NaN", "0 or more")],
)
def test_bad_payment_limit_is_a_config_error(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        payment_limit(text)


def test_parsed_calls_the_command_with_one_options_value() -> None:
    seen: list[ApplyOptions] = []

    @click.command()
    @click.argument("plan_file", required=False, type=click.Path(path_type=Path))
    @click.option("--auto-approve", is_flag=True)
    @click.option("--parallelism", type=int, default=4)
    @parsed(_ToyOptions)
    def toy(ctx: click.Context, options: _ToyOptions) -> None:
        assert isinstance(ctx, click.Context)
        seen.append(options)  # type: ignore[arg-type]

    result = CliRunner().invoke(toy, ["x.json", "--parallelism", "7"])
    assert result.exit_code == 0, result.output
    assert seen == [_ToyOptions(plan_file=Path("x.json"), parallelism=7, auto_approve=False)]


class _ToyOptions:
    def __init__(self, *, plan_file: Path | None, parallelism: int, auto_approve: bool) -> None:
        self.values = (plan_file, parallelism, auto_approve)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _ToyOptions) and other.values == self.values

    __hash__ = None  # type: ignore[assignment]

    @classmethod
    def from_params(cls, params: dict[str, object]) -> _ToyOptions:
        return cls(**params)  # type: ignore[arg-type]
