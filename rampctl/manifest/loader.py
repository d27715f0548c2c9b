"""Find, render, parse and validate every manifest under a root, reporting all problems at once.

File names in messages are the manifests path as the user gave it joined with the file's
path below it (`manifests/vendors/acme.yaml`). Files and folders whose names start with `.`
or `_` are skipped (`_` marks template partials), and so is the top-level `vars/` folder, which
holds template variables. Symlinked folders are not followed; a symlinked file must stay
inside the root.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from rampctl.errors import ConfigError, ManifestError, Problem
from rampctl.manifest import checks
from rampctl.manifest.cache import FileOutcome, ManifestCache
from rampctl.manifest.document import Document, ManifestSet
from rampctl.manifest.templates import TemplateRenderer
from rampctl.manifest.validate import Checked, Identity, validate_document
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
        prefix = self._prefix
        return self.given.as_posix() if prefix is None else prefix + rel

    @functools.cached_property
    def _prefix(self) -> str | None:
        """What a file's path is joined to (None when the manifests path is one file)."""
        if self.given.is_file():
            return None
        given = self.given.as_posix()
        return "" if given == "." else given.rstrip("/") + "/"


@dataclass(kw_only=True)
class _Run:
    """What one load has gathered so far."""

    problems: list[Problem] = field(default_factory=list)
    checked: list[Checked] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    failed_files: int = 0

    def add(self, outcome: FileOutcome) -> None:
        """Take in what one file read to."""
        self.checked += outcome.checked
        self.problems += outcome.problems
        self.failed_files += outcome.failed


def find_sources(root: Path) -> tuple[Source, list[Problem]]:
    """List the manifest files under `root` (a folder or one file), sorted by path."""
    if not root.exists():
        raise ConfigError(f"manifests path '{root}' does not exist")
    if root.is_file():
        return Source(given=root, base=root.parent, files=[root.name]), []
    source = Source(given=root, base=root, files=[])
    problems: list[Problem] = []
    real_root = root.resolve()
    for rel, linked in _walk(root, ""):
        if not linked or (root / rel).resolve().is_relative_to(real_root):
            source.files.append(rel)
        else:
            message = "symlink leads outside the manifests root"
            problems.append(Problem(file=source.display(rel), line=1, col=1, message=message))
    return source, problems


def _walk(folder: Path, prefix: str) -> Iterator[tuple[str, bool]]:
    """Manifest files below `folder` as (path relative to the root, is a symlink): a folder's
    files by name, then its folders by name; symlinked folders are not followed."""
    with os.scandir(folder) as scan:
        entries = sorted(scan, key=lambda e: e.name)
    folders = []
    for entry in entries:
        name = entry.name
        if name.startswith((".", "_")):
            continue
        if entry.is_dir():
            if not entry.is_symlink() and (prefix or name != VARS_DIR):
                folders.append(entry)
        elif name.endswith(YAML_SUFFIXES + TEMPLATE_SUFFIXES):
            yield prefix + name, entry.is_symlink()
    for entry in folders:
        yield from _walk(Path(entry.path), f"{prefix}{entry.name}/")


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


def load_manifests(
    root: Path,
    *,
    variables: Mapping[str, str] | None = None,
    cache: ManifestCache | None = None,
) -> ManifestSet:
    """Load and validate every manifest under `root`; raise ManifestError with all problems.

    With a `cache`, files whose bytes it has seen are not parsed or validated again.
    """
    with _no_gc():
        source, problems = find_sources(root)
        run = _Run(problems=problems)
        templates: _Templates | None = None
        if any(f.endswith(TEMPLATE_SUFFIXES) for f in source.files):
            values, var_problems = load_variables(source, variables)
            run.problems += var_problems
            templates = _Templates(TemplateRenderer(source.base, source.display), values)
        plain = [f for f in source.files if templates is None or not f.endswith(TEMPLATE_SUFFIXES)]
        outcomes = _read_plain(source, plain, run.texts, cache)
        for rel in source.files:
            outcome = outcomes.get(rel)
            if outcome is None:
                assert templates is not None
                outcome = _outcome(partial(_read_template, source, rel, templates, run.texts))
            run.add(outcome)
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


@contextmanager
def _no_gc() -> Iterator[None]:
    """No cyclic garbage collection while loading: the values built hold no cycles, and at
    100,000 files collections that walk everything loaded so far cost a fifth of the load.
    What was loaded is then frozen (left out of later collections: it lives as long as the
    run, and walking it again and again would cost as much)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _read_plain(
    source: Source, files: list[str], texts: dict[str, str], cache: ManifestCache | None
) -> dict[str, FileOutcome]:
    """What each YAML file (not a template) reads to, through the cache when there is one."""
    base = f"{source.base}{os.sep}"
    contents = [(rel, source.display(rel), _read_bytes(base + rel)) for rel in files]
    keys = [cache.key(name, data) for _, name, data in contents] if cache else []
    known = cache.lookup(keys) if cache else {}
    outcomes: dict[str, FileOutcome] = {}
    for index, (rel, name, data) in enumerate(contents):
        try:
            text = decode(data, name)
        except ParseFailure as exc:
            outcomes[rel] = FileOutcome(problems=exc.problems, failed=True)
            continue
        texts[rel] = text
        outcome = known.get(keys[index]) if cache else None
        if outcome is None:
            outcome = _outcome(partial(parse_yaml, text, name))
            if cache:
                cache.put(keys[index], outcome)
        outcomes[rel] = outcome
    if cache:
        cache.save()
    return outcomes


def _read_bytes(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _outcome(read: Callable[[], list[RawDocument]]) -> FileOutcome:
    """What a file's documents validate to (`read` raises ParseFailure for a broken file)."""
    try:
        raws = read()
    except ParseFailure as exc:
        return FileOutcome(problems=exc.problems, failed=True)
    return FileOutcome(checked=[validate_document(raw) for raw in raws])


def _read_template(
    source: Source, rel: str, templates: _Templates, texts: dict[str, str]
) -> list[RawDocument]:
    """The documents of one template, rendered; raises ParseFailure."""
    name = source.display(rel)
    rendered = templates.renderer.render(rel, templates.values)
    texts[rel] = rendered.text
    try:
        docs = parse_yaml(rendered.text, name)
    except ParseFailure as exc:
        raise ParseFailure([rendered.remap_problem(p) for p in exc.problems]) from None
    return [rendered.remap_document(d) for d in docs]


def _validate(run: _Run) -> list[Document]:
    """Checks across documents (unique names and keys, references); the documents in order."""
    identities: list[Identity] = []
    documents: list[Document] = []
    for checked in run.checked:
        run.problems += checked.problems
        if checked.identity is not None:
            identities.append(checked.identity)
        if checked.document is not None:
            documents.append(checked.document)
    run.problems += checks.unique_addresses(identities)
    run.problems += checks.unique_keys(documents)
    run.problems += checks.move_records(documents)
    run.problems += checks.vendor_contacts(documents)
    run.problems += checks.user_managers(documents)
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
