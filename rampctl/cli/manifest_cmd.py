"""`rampctl validate`, `rampctl schema` and `rampctl fmt`: check, describe and tidy manifests."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from rampctl.cli import variables
from rampctl.cli.options import global_options
from rampctl.cli.ui import err_console, out_console
from rampctl.errors import ExitCode, ManifestError, Problem
from rampctl.manifest import ManifestSet, load_manifests
from rampctl.manifest.fmt import format_text
from rampctl.manifest.loader import YAML_SUFFIXES, find_sources
from rampctl.manifest.schema import json_schema_text
from rampctl.manifest.yamlparse import ParseFailure, decode

var_option = variables.var_option


@click.command()
@var_option
@click.argument("roots", nargs=-1, type=click.Path(path_type=Path), metavar="[PATH]...")
@click.pass_context
def validate(ctx: click.Context, var: dict[str, str], roots: tuple[Path, ...]) -> None:
    """Check the manifests offline and report every problem with file:line:col.

    PATH defaults to the global --manifests; each PATH is validated as its own root.
    Exit 0 when all are valid, 1 otherwise.
    """
    problems: list[Problem] = []
    loaded: list[ManifestSet] = []
    for root in roots or (global_options(ctx).manifests,):
        try:
            loaded.append(load_manifests(root, variables=var))
        except ManifestError as exc:
            problems += exc.problems
    if problems:
        raise ManifestError(problems)
    console = out_console()
    for result in loaded:
        console.print(
            f"{result.root}: valid ({len(result.vendors())} vendors, "
            f"{len(result.accounting_vendors())} accounting vendors, {len(result.bills())} bills "
            f"in {len(result.files)} files)"
        )


@click.command()
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the schema to FILE."
)
def schema(out: Path | None) -> None:
    """Print the JSON Schema of manifest documents (for editors and CI checks)."""
    text = json_schema_text()
    if out is None:
        click.echo(text, nl=False)
        return
    _write(out, text)
    err_console().print(f"wrote {out}")


@click.command()
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if a file would change.")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path), metavar="[FILE]...")
@click.pass_context
def fmt(ctx: click.Context, check: bool, files: tuple[Path, ...]) -> None:
    """Rewrite manifest files in canonical key order and style, keeping comments.

    FILE defaults to every *.yaml/*.yml manifest under --manifests; templates (*.j2) and
    files that are not rampctl manifests (such as vars/ files) are never changed. Values never
    change: a file fmt cannot format safely is reported.
    """
    paths = list(files) if files else _manifest_files(global_options(ctx).manifests)
    problems: list[Problem] = []
    changed = 0
    console = out_console()
    for path in paths:
        if not path.name.endswith(YAML_SUFFIXES):
            continue
        result = _format_file(path, check, problems)
        if result:
            changed += 1
            console.print(f"{'would reformat' if check else 'reformatted'} {path.as_posix()}")
    if problems:
        raise ManifestError(problems)
    err_console().print(f"{changed} of {len(paths)} files {'would change' if check else 'changed'}")
    if check and changed:
        ctx.exit(ExitCode.ERROR)


def _manifest_files(root: Path) -> list[Path]:
    source, _ = find_sources(root)
    return [source.base / rel for rel in source.files if rel.endswith(YAML_SUFFIXES)]


def _format_file(path: Path, check: bool, problems: list[Problem]) -> bool:
    """Format one file; True when it changed (or would change, with check)."""
    name = path.as_posix()
    try:
        text = decode(path.read_bytes(), name)
    except ParseFailure as exc:
        problems += exc.problems
        return False
    except OSError as exc:
        problems.append(Problem(file=name, line=1, col=1, message=f"cannot read: {exc.strerror}"))
        return False
    result = format_text(text, name)
    problems += result.problems
    if result.changed and not check:
        _write(path, result.text)
    return result.changed


def _write(path: Path, text: str) -> None:
    """Replace `path` atomically with `text`."""
    fd, tmp = tempfile.mkstemp(dir=path.parent or Path("."), prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def register(group: click.Group) -> None:
    """Add validate, schema and fmt to the root group."""
    for command in (validate, schema, fmt):
        group.add_command(command)
