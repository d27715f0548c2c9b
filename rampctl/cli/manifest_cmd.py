"""`rampctl validate`, `rampctl schema` and `rampctl fmt`: check, describe and tidy manifests."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import click

from rampctl.cli import variables
from rampctl.cli.options import global_options
from rampctl.cli.project import manifest_cache
from rampctl.cli.ui import err_console, out_console
from rampctl.errors import ExitCode, ManifestError, Problem
from rampctl.manifest import load_manifests
from rampctl.manifest.cache import ManifestCache
from rampctl.manifest.fmt import format_text
from rampctl.manifest.graph import check_root
from rampctl.manifest.loader import YAML_SUFFIXES, find_sources
from rampctl.manifest.rendering import rendered_files, rendered_text
from rampctl.manifest.schema import json_schema_text
from rampctl.manifest.yamlparse import ParseFailure, decode
from rampctl.render.problems import github_annotations, problems_json
from rampctl.words import count

var_option = variables.var_option


@click.command()
@var_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="text: for people; json: one document on standard output; github: workflow "
    "annotations (::error file=…,line=…,col=…::) that show each problem on the pull request.",
)
@click.argument("roots", nargs=-1, type=click.Path(path_type=Path), metavar="[PATH]...")
@click.pass_context
def validate(
    ctx: click.Context, var: dict[str, str], output_format: str, roots: tuple[Path, ...]
) -> None:
    """Check the manifests offline and report every problem with file:line:col.

    PATH defaults to the global --manifests; each PATH is validated as its own root.
    Exit 0 when all are valid, 1 otherwise.
    """
    problems: list[Problem] = []
    loaded: list[_Summary] = []
    opts = global_options(ctx)
    with manifest_cache(opts) as cache:
        for root in roots or (opts.manifests,):
            try:
                loaded.append(_check(root, var, cache))
            except ManifestError as exc:
                problems += exc.problems
    problems.sort(key=Problem.sort_key)
    if output_format == "json":
        click.echo(problems_json(problems, [s.as_json() for s in loaded]), nl=False)
    elif output_format == "github" and problems:
        click.echo(github_annotations(problems), nl=False)
        err_console().print(f"{count(len(problems), 'problem')} in the manifests", markup=False)
    elif problems:
        raise ManifestError(problems)
    if problems:
        ctx.exit(ExitCode.ERROR)
    if output_format == "json":
        return
    console = out_console()
    for result in loaded:
        console.print(
            f"{result.root}: valid ({count(result.vendors, 'vendor')}, "
            f"{count(result.accounting_vendors, 'accounting vendor')}, "
            f"{count(result.bills, 'bill')}, {count(result.users, 'user')} "
            f"in {count(result.files, 'file')})",
            markup=False,
        )


@dataclass(frozen=True, kw_only=True)
class _Summary:
    """What `validate` reports of a valid root: how many objects of each kind, in how many
    files."""

    root: Path
    vendors: int
    accounting_vendors: int
    bills: int
    users: int
    files: int

    def as_json(self) -> dict[str, object]:
        """The summary in `--format json`."""
        return {"root": str(self.root), **{k: v for k, v in vars(self).items() if k != "root"}}


def _check(root: Path, var: dict[str, str], cache: ManifestCache | None) -> _Summary:
    """Validate one root (raises ManifestError): through the kept desired graph when there is
    a cache (a warm run reads no unchanged file and builds nothing), else document by
    document."""
    if cache is None:
        result = load_manifests(root, variables=var)
        return _Summary(
            root=root,
            vendors=len(result.vendors()),
            accounting_vendors=len(result.accounting_vendors()),
            bills=len(result.bills()),
            users=len(result.users()),
            files=len(result.files),
        )
    checked = check_root(root, variables=var, cache=cache)
    graph = checked.graph
    return _Summary(
        root=root,
        vendors=len(graph.vendors),
        accounting_vendors=len(graph.accounting_vendors),
        bills=len(graph.bills),
        users=len(graph.users),
        files=checked.files,
    )


@click.command()
@var_option
@click.argument("root", required=False, type=click.Path(path_type=Path), metavar="[PATH]")
@click.pass_context
def render(ctx: click.Context, var: dict[str, str], root: Path | None) -> None:
    """Print the manifests with templates rendered, as one multi-document YAML stream.

    PATH (a folder or a file) defaults to the global --manifests. Each file is introduced by a
    `# Source: FILE` comment, so other YAML tools (linters, check-jsonschema) can check what
    rampctl reads: `rampctl render | check-jsonschema --schemafile schema/rampctl.schema.json -`.
    """
    files = rendered_files(root or global_options(ctx).manifests, var)
    click.echo(rendered_text(files), nl=False)


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
    verb = "would change" if check else "changed"
    err_console().print(f"{changed} of {count(len(paths), 'file')} {verb}")
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
