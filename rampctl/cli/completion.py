"""TAB completion of addresses from the state file (for --target, --exclude and `state`).

Runs on every TAB press, so it reads the local state file as plain JSON and nothing else:
no state model, no network (a remote state completes nothing).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import click
    from click.shell_completion import CompletionItem


def state_addresses(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """The addresses in the state (`--state`, relative to `-C`) that start with `incomplete`."""
    from click.shell_completion import CompletionItem

    del param
    return [
        CompletionItem(address)
        for address in _addresses(ctx.find_root().params)
        if address.startswith(incomplete)
    ]


def _addresses(params: dict[str, Any]) -> list[str]:
    location = str(params.get("state") or "rampctl.state.json")
    if "://" in location:
        return []
    path = Path(location)
    directory = params.get("directory")
    if directory is not None and not path.is_absolute():
        path = Path(directory) / path
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    resources = data.get("resources") if isinstance(data, dict) else None
    return sorted(resources) if isinstance(resources, dict) else []
