"""The registry of subcommands, loaded lazily so `--version`, `--help` and TAB completion stay fast.

Each entry names the module and attribute of a command and its one-line help. The command's
module (and what it imports: the engine, pydantic models, the sandbox) is imported only when
that command runs. A test checks every entry against the command it names.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem


@dataclass(frozen=True)
class Entry:
    """Where a subcommand lives and the first line of its help, as `rampctl --help` shows it."""

    module: str
    attribute: str
    short_help: str


COMMANDS: dict[str, Entry] = {
    "plan": Entry(
        "rampctl.cli.plan_cmd",
        "plan",
        "Show what differs between the manifests and Ramp, and what apply would do.",
    ),
    "show": Entry(
        "rampctl.cli.plan_cmd", "show", "Show a plan saved with `rampctl plan --out FILE`."
    ),
    "apply": Entry(
        "rampctl.cli.apply_cmd",
        "apply",
        "Make Ramp match the manifests, and record what rampctl manages in the state.",
    ),
    "import": Entry(
        "rampctl.cli.import_cmd",
        "import_",
        "Write manifests and state for the objects already in the Ramp business.",
    ),
    "state": Entry(
        "rampctl.cli.state_cmd",
        "state",
        "Inspect and edit the state file (what rampctl manages in Ramp).",
    ),
    "validate": Entry(
        "rampctl.cli.manifest_cmd",
        "validate",
        "Check the manifests offline and report every problem with file:line:col.",
    ),
    "render": Entry(
        "rampctl.cli.manifest_cmd",
        "render",
        "Print the manifests with templates rendered, as one multi-document YAML stream.",
    ),
    "schema": Entry(
        "rampctl.cli.manifest_cmd",
        "schema",
        "Print the JSON Schema of manifest documents (for editors and CI checks).",
    ),
    "fmt": Entry(
        "rampctl.cli.manifest_cmd",
        "fmt",
        "Rewrite manifest files in canonical key order and style, keeping comments.",
    ),
    "sandbox": Entry(
        "rampctl.cli.sandbox_cmd",
        "sandbox",
        "The local sandbox: an emulator of the Ramp API on loopback (no account needed).",
    ),
    "github": Entry(
        "rampctl.cli.github_cmd",
        "github",
        'GitHub Actions helpers (see "Pull requests (GitHub)" in the README).',
    ),
}


def load(name: str) -> click.Command:
    """Import and return the registered command `name`."""
    entry = COMMANDS[name]
    command = getattr(importlib.import_module(entry.module), entry.attribute)
    if not isinstance(command, click.Command):  # pragma: no cover - guarded by a test
        raise TypeError(f"{entry.module}.{entry.attribute} is not a click command")
    return command


class LazyGroup(click.Group):
    """A click group whose registered subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Registered and directly added commands, sorted."""
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command `cmd_name`, importing its module if it is a registered one."""
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if cmd_name in COMMANDS:
            return load(cmd_name)
        return None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The Commands section of `--help`, from the registry without importing anything."""
        helps = self._short_helps()
        if helps:
            limit = formatter.width - 6 - max(len(name) for name, _ in helps)
            rows = [(name, _shorten(text, limit)) for name, text in helps]
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        """Complete subcommand names from the registry, then options as click does."""
        from click.shell_completion import CompletionItem

        results = [
            CompletionItem(name, help=_shorten(help_text))
            for name, help_text in self._short_helps()
            if name.startswith(incomplete)
        ]
        return results + click.Command.shell_complete(self, ctx, incomplete)

    def _short_helps(self) -> list[tuple[str, str]]:
        rows = {name: entry.short_help for name, entry in COMMANDS.items()}
        for name, command in self.commands.items():
            if not command.hidden:
                rows[name] = command.get_short_help_str(limit=200)
        return sorted(rows.items())


def _shorten(text: str, limit: int = 45) -> str:
    """`text` cut at a word boundary to at most `limit` characters, as click shortens help."""
    if len(text) <= limit:
        return text
    words: list[str] = []
    for word in text.split():
        if len(" ".join([*words, word])) > limit - 3:
            break
        words.append(word)
    return " ".join(words).rstrip(".,;:") + "..."
