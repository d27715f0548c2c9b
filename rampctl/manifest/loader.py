"""Find, render, parse and validate every manifest under a root, reporting all problems at once.

File names in messages are the manifests path as the user gave it joined with the file's
path below it (`manifests/vendors/acme.yaml`). Files and folders whose names start with `.`
or `_` are skipped (`_` marks template partials), and so is the top-level `vars/` folder, which
holds template variables. Symlinked folders are not followed; a symlinked file must stay
inside the root.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rampctl.errors import ConfigError, ManifestError, Problem
from rampctl.manifest import checks
from rampctl.manifest.document import Document, ManifestSet
from rampctl.manifest.templates import TemplateRenderer
from rampctl.manifest.validate import Identity, validate_document
from rampctl.manifest.yamlparse import ParseFailure, RawDocument, decode, parse_yaml

YAML_SUFFIXES = (".yaml", ".yml")
TEMPLATE_SUFFIXES = (".yaml.j2", ".yml.j2")
VARS_DIR = "vars"


@dataclass(frozen=True, kw_only=True)
class Source:
    """Where manifests are read from: the folder, the files below it, and display names."""

    given: Path
    base: Path
    files: list[str]

    def display(self, rel: str) -> str:
        """The name of `rel` in messages: the path as given joined with the file's path."""
        if self.given.is_file():
            return self.given.as_posix()
        return (self.given / rel).as_posix()


@dataclass(kw_only=True)
class _Run:
    """What one load has gathered so far."""

    problems: list[Problem] = field(default_factory=list)
    raws: list[RawDocument] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    failed_files: int = 0


def find_sources(root: Path) -> tuple[Source, list[Problem]]:
    """List the manifest files under `root` (a folder or one file), sorted by path."""
    if not root.exists():
        raise ConfigError(f"manifests path '{root}' does not exist")
    if root.is_file():
        return Source(given=root, base=root.parent, files=[root.name]), []
    source = Source(given=root, base=root, files=[])
    problems: list[Problem] = []
    real_root = root.resolve()
    for rel in _walk(root):
        if (root / rel).resolve().is_relative_to(real_root):
            source.files.append(rel)
        else:
            message = "symlink leads outside the manifests root"
            problems.append(Problem(file=source.display(rel), line=1, col=1, message=message))
    return source, problems


def _walk(root: Path) -> Iterator[str]:
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if _wanted_dir(root, here, d))
        for name in sorted(names):
            if not name.startswith((".", "_")) and name.endswith(YAML_SUFFIXES + TEMPLATE_SUFFIXES):
                yield (here / name).relative_to(root).as_posix()


def _wanted_dir(root: Path, here: Path, name: str) -> bool:
    if name.startswith((".", "_")) or (here == root and name == VARS_DIR):
        return False
    return not (here / name).is_symlink()


def load_variables(
    source: Source, overrides: Mapping[str, str] | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    """Template variables: `vars/*.yaml` under the root, then `overrides` (from `--var`)."""
    folder = source.base / VARS_DIR
    variables: dict[str, Any] = {}
    origins: dict[str, str] = {}
    problems: list[Problem] = []
    paths = sorted(p for p in folder.glob("*") if p.name.endswith(YAML_SUFFIXES))
    real_root = source.base.resolve()
    for path in paths if folder.is_dir() else []:
        name = source.display(f"{VARS_DIR}/{path.name}")
        if not path.resolve().is_relative_to(real_root):
            problems.append(_at(name, 1, 1, "symlink leads outside the manifests root"))
            continue
        try:
            docs = parse_yaml(decode(path.read_bytes(), name), name)
        except ParseFailure as exc:
            problems += exc.problems
            continue
        problems += _merge_variables(variables, origins, docs, name)
    variables.update(overrides or {})
    return variables, problems


def _merge_variables(
    into: dict[str, Any], origins: dict[str, str], docs: list[RawDocument], file: str
) -> list[Problem]:
    problems = []
    for doc in docs:
        if not isinstance(doc.value, dict):
            message = "a variables file must be a mapping of names to values"
            problems.append(_at(file, doc.start.line, doc.start.col, message))
            continue
        for key, value in doc.value.items():
            if key in into:
                where = doc.keys[(key,)]
                message = f"variable '{key}' is already defined in {origins[key]}"
                problems.append(_at(file, where.line, where.col, message))
                continue
            into[key] = value
            origins[key] = file
    return problems


def _at(file: str, line: int, col: int, message: str) -> Problem:
    return Problem(file=file, line=line, col=col, message=message)


def load_manifests(root: Path, *, variables: Mapping[str, str] | None = None) -> ManifestSet:
    """Load and validate every manifest under `root`; raise ManifestError with all problems."""
    source, problems = find_sources(root)
    run = _Run(problems=problems)
    templates: _Templates | None = None
    if any(f.endswith(TEMPLATE_SUFFIXES) for f in source.files):
        values, var_problems = load_variables(source, variables)
        run.problems += var_problems
        templates = _Templates(TemplateRenderer(source.base, source.display), values)
    for rel in source.files:
        try:
            run.raws += _read_file(source, rel, templates, run.texts)
        except ParseFailure as exc:
            run.problems += exc.problems
            run.failed_files += 1
    documents = _validate(run)
    if run.problems:
        raise ManifestError(run.problems)
    return ManifestSet(
        root=root,
        documents=documents,
        digest=_digest(run.texts),
        files=[source.display(f) for f in source.files],
    )


@dataclass(frozen=True)
class _Templates:
    renderer: TemplateRenderer
    values: Mapping[str, Any]


def _read_file(
    source: Source, rel: str, templates: _Templates | None, texts: dict[str, str]
) -> list[RawDocument]:
    """The documents of one file (rendered first if a template); raises ParseFailure."""
    name = source.display(rel)
    if templates is None or not rel.endswith(TEMPLATE_SUFFIXES):
        text = decode((source.base / rel).read_bytes(), name)
        texts[rel] = text
        return parse_yaml(text, name)
    rendered = templates.renderer.render(rel, templates.values)
    texts[rel] = rendered.text
    try:
        docs = parse_yaml(rendered.text, name)
    except ParseFailure as exc:
        raise ParseFailure([rendered.remap_problem(p) for p in exc.problems]) from None
    return [rendered.remap_document(d) for d in docs]


def _validate(run: _Run) -> list[Document]:
    identities: list[Identity] = []
    documents: list[Document] = []
    for raw in run.raws:
        checked = validate_document(raw)
        run.problems += checked.problems
        if checked.identity is not None:
            identities.append(checked.identity)
        if checked.document is not None:
            documents.append(checked.document)
    run.problems += checks.unique_addresses(identities)
    run.problems += checks.unique_keys(documents)
    run.problems += checks.move_records(documents)
    run.problems += checks.vendor_contacts(documents)
    if not run.failed_files:  # a file that did not parse may hold the missing targets
        run.problems += checks.references(documents, identities)
    documents.sort(key=lambda d: (d.position.file, d.position.line, d.position.col))
    return documents


def _digest(texts: Mapping[str, str]) -> str:
    """sha256 over (relative path, text) of every file, sorted by path."""
    digest = hashlib.sha256()
    for rel in sorted(texts):
        for part in (rel, texts[rel]):
            data = part.encode("utf-8", "surrogatepass")
            digest.update(f"{len(data)}:".encode())
            digest.update(data)
    return digest.hexdigest()
