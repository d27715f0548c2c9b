"""Find, render, parse and validate every manifest under a root, reporting all problems at once.

File names in messages are the manifests path as the user gave it joined with the file's
path below it (`manifests/vendors/acme.yaml`). Files and folders whose names start with `.`
or `_` are skipped (`_` marks template partials), and so is the top-level `vars/` folder, which
holds template variables. Symlinked folders are not followed; a symlinked file must lead to a file
inside the root.
"""

from __future__ import annotations

import codecs
import functools
import gc
import hashlib
import operator
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from rampctl.errors import ConfigError, ManifestError, Problem
from rampctl.manifest import checks
from rampctl.manifest.cache import (
    FileOutcome,
    ManifestCache,
    is_racy,
    stat_signature,
)
from rampctl.manifest.document import Document, ManifestSet
from rampctl.manifest.templates import Rendered, TemplateRenderer
from rampctl.manifest.validate import Checked, Identity, validate_document
from rampctl.manifest.yamlparse import ParseFailure, RawDocument, decode, parse_yaml

YAML_SUFFIXES = (".yaml", ".yml")
TEMPLATE_SUFFIXES = (".yaml.j2", ".yml.j2")
VARS_DIR = "vars"
_SUFFIXES = YAML_SUFFIXES + TEMPLATE_SUFFIXES


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
        message = _link_problem(root / rel, real_root) if linked else None
        if message is None:
            source.files.append(rel)
        else:
            problems.append(Problem(file=source.display(rel), line=1, col=1, message=message))
    return source, problems


def _link_problem(link: Path, real_root: Path) -> str | None:
    """What is wrong with a symlinked manifest file, if anything: it leads nowhere, or out of
    the manifests root."""
    if not link.exists():
        return f"symlink to '{os.readlink(link)}', which does not exist"
    if not link.resolve().is_relative_to(real_root):
        return "symlink leads outside the manifests root"
    return None


def unreadable(file: str, error: OSError) -> Problem:
    """The problem of a file found under the root that could not be read (removed since it
    was found, say)."""
    if isinstance(error, FileNotFoundError):
        message = "file not found: it was removed while rampctl read it"
    else:
        message = f"cannot be read: {error.strerror or error}"
    return Problem(file=file, line=1, col=1, message=message)


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
        elif name.endswith(_SUFFIXES):
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
        except OSError as exc:
            problems.append(unreadable(name, exc))
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

    With a `cache`, files whose bytes it has seen are not parsed or validated again, and
    files whose stat it has seen unchanged are not read either.
    """
    with no_gc():
        return prepare(find(root), variables=variables, cache=cache).finish(cache)


@dataclass(kw_only=True, slots=True)
class _File:
    """One manifest file on its way through a load."""

    rel: str
    name: str
    #: The cache key of its bytes (of its rendering, for a template); "" when unknown.
    key: str = ""
    #: sha256 of its text (rendered, for a template), for the manifests' digest.
    text_hash: str = ""
    text: str | None = None
    rendered: Rendered | None = None
    #: What it read to, once known (a file that could not be decoded or rendered at once).
    outcome: FileOutcome | None = None


@dataclass(kw_only=True)
class Prepared:
    """A load up to the point where every file's cache key is known, before any is parsed:
    what `load_graph` needs to find a graph built from the same files."""

    root: Path
    source: Source
    files: list[_File]
    problems: list[Problem]
    #: `stat_key` of the files as read, when none was racy ("" otherwise).
    stat_key: str = ""

    def set_key(self, cache: ManifestCache) -> str | None:
        """A key for the whole set of files as they are now (names, bytes, renderings and
        the code reading them); None when a file or the variables already have a problem."""
        if self.problems or not all(f.key for f in self.files):
            return None
        digest = hashlib.sha256(cache.code.encode())
        for item in self.files:
            digest.update(f"{item.key}\0".encode())
        return digest.hexdigest()

    def finish(self, cache: ManifestCache | None) -> ManifestSet:
        """Parse and validate what the cache does not answer; raise ManifestError."""
        return self.conclude(self.read(cache))

    def read(
        self, cache: ManifestCache | None, rels: set[str] | None = None
    ) -> dict[str, FileOutcome]:
        """What each file (of `rels`, else every file) reads to: the cache's answer, else
        parsed and validated."""
        files = self.files if rels is None else [f for f in self.files if f.rel in rels]
        return _outcomes(self.source, files, cache)

    def conclude(self, outcomes: dict[str, FileOutcome]) -> ManifestSet:
        """The checks across documents over what every file read to (`read`); raise
        ManifestError with every problem."""
        run = _Run(problems=list(self.problems))
        for item in self.files:
            run.add(outcomes[item.rel])
        documents = _validate(run)
        if run.problems:
            raise ManifestError(run.problems)
        return ManifestSet(
            root=self.root,
            documents=documents,
            digest=self.digest(),
            files=[self.source.display(f) for f in self.source.files],
        )

    def digest(self) -> str:
        """sha256 over (relative path, sha256 of text) of every file, sorted by path."""
        digest = hashlib.sha256()
        for item in sorted(self.files, key=lambda f: f.rel):
            if item.text_hash:
                data = item.rel.encode("utf-8", "surrogatepass")
                digest.update(f"{len(data)}:".encode() + data + item.text_hash.encode())
        return digest.hexdigest()


@dataclass(frozen=True, kw_only=True)
class Found:
    """The files under a manifests root, found and not yet read, and when the load began
    (for git's racy rule, `rampctl.manifest.cache.is_racy`)."""

    root: Path
    source: Source
    problems: list[Problem]
    started: int
    #: What `stat_key` took, so that a load that goes on to `prepare` does not stat and
    #: hash every file twice.
    taken: Taken = field(default_factory=lambda: Taken())

    @property
    def has_templates(self) -> bool:
        """Whether any file is a template (whose documents depend on more than its bytes)."""
        return any(f.endswith(TEMPLATE_SUFFIXES) for f in self.source.files)


@dataclass(kw_only=True)
class Taken:
    """Each file's stat as `stat_key` took it, and the key it made of them ("" until then)."""

    stats: dict[str, os.stat_result] = field(default_factory=dict)
    key: str = ""


def find(root: Path) -> Found:
    """The files under `root` (a folder or one file), not read."""
    started = time.time_ns()
    source, problems = find_sources(root)
    return Found(root=root, source=source, problems=problems, started=started)


def stat_key(found: Found, cache: ManifestCache) -> str | None:
    """A key of every file's name and stat (`Prepared.stat_key` when nothing changed since):
    None when there is a template or a problem, whose outcome a stat does not settle."""
    if found.problems or found.has_templates:
        return None
    base = f"{found.source.base}{os.sep}"
    digest = hashlib.sha256(cache.code.encode())
    stats = found.taken.stats
    try:
        for rel in found.source.files:
            st = stats[rel] = os.stat(base + rel)
            digest.update(_stat_line(rel, stat_signature(st)))
    except OSError:  # gone since it was found: the load reports it
        stats.clear()
        return None
    found.taken.key = digest.hexdigest()
    return found.taken.key


def _stat_line(rel: str, signature: tuple[int, ...]) -> bytes:
    return f"{rel}\0{signature}\n".encode("utf-8", "surrogatepass")


def prepare(
    found: Found,
    *,
    variables: Mapping[str, str] | None = None,
    cache: ManifestCache | None = None,
) -> Prepared:
    """Render the templates and key every file: by its stat when the cache has seen it
    unchanged, else by reading it."""
    source, problems = found.source, list(found.problems)
    templates: _Templates | None = None
    if found.has_templates:
        values, var_problems = load_variables(source, variables)
        problems += var_problems
        templates = _Templates(TemplateRenderer(source.base, source.display), values)
    plain = [f for f in source.files if templates is None or not f.endswith(TEMPLATE_SUFFIXES)]
    keyed, settled = _plain_files(source, plain, cache, found)
    found_files = {f.rel: f for f in keyed}
    files = []
    for rel in source.files:
        item = found_files.get(rel)
        if item is None:
            assert templates is not None
            item = _template_file(source, rel, templates, cache)
        files.append(item)
    prepared = Prepared(root=found.root, source=source, files=files, problems=problems)
    if cache and templates is None and not problems and settled:
        prepared.stat_key = settled
    return prepared


@dataclass(frozen=True)
class _Templates:
    renderer: TemplateRenderer
    values: Mapping[str, Any]


@contextmanager
def no_gc() -> Iterator[None]:
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


def _plain_files(
    source: Source, rels: list[str], cache: ManifestCache | None, found: Found
) -> tuple[list[_File], str]:
    """The YAML files (not templates), keyed: through the cache's stat index when there is
    a cache (a file whose stat is as indexed is not read), else read. With them, the key of
    their stats (`stat_key`) when none of them is racy, else ""."""
    started, taken = found.started, found.taken.stats
    known_key = found.taken.key if len(taken) == len(rels) else ""
    base = f"{source.base}{os.sep}"
    files = [_File(rel=rel, name=source.display(rel)) for rel in rels]
    if cache is None:
        for item in files:
            _read_file(item, base, None)
        return files, ""
    scope = cache.scope("stats", str(source.base.resolve()), source.display(""))
    index = cache.stat_index(scope)
    changed, settled = False, True
    stats = hashlib.sha256(cache.code.encode())
    # Nothing indexed (a first load): every file is read, so its stat is taken from the file
    # as opened (before it is read, as a stat by path would be) rather than by its path.
    fresh = not index
    for item in files:
        data: bytes | None = None
        try:
            st = taken.get(item.rel)
            if st is None and fresh:
                st, data = _stat_and_read(base + item.rel)
            elif st is None:
                st = os.stat(base + item.rel)
        except OSError as exc:
            item.outcome = FileOutcome(problems=[unreadable(item.name, exc)], failed=True)
            changed, settled = changed or index.pop(item.rel, None) is not None, False
            continue
        signature = stat_signature(st)
        if not known_key:
            stats.update(_stat_line(item.rel, signature))
        known = index.get(item.rel)
        if known is not None and known[0] == signature:  # indexed when it was not racy
            item.key, item.text_hash = known[1], known[2]
            continue
        changed = True
        if data is None:
            _read_file(item, base, cache, st.st_size)
        else:
            _take_bytes(item, data, cache)
        if item.key and not is_racy(st, started):
            index[item.rel] = (signature, item.key, item.text_hash)
        else:
            index.pop(item.rel, None)
            settled = False
    if len(index) != len(files):  # files removed since
        index = {f.rel: index[f.rel] for f in files if f.rel in index}
        changed = True
    if changed:
        cache.save_stat_index(scope, index)
    return files, (known_key or stats.hexdigest()) if settled else ""


def _read_file(item: _File, base: str, cache: ManifestCache | None, size: int = -1) -> None:
    """Read one YAML file (`size` bytes long when it was stat'ed just before, else -1): its
    text, text hash and key, or the outcome of one that cannot be decoded or read."""
    try:
        data = _read_bytes(base + item.rel, size)
    except OSError as exc:
        item.outcome = FileOutcome(problems=[unreadable(item.name, exc)], failed=True)
        item.key = item.text_hash = ""
        return
    _take_bytes(item, data, cache)


def _take_bytes(item: _File, data: bytes, cache: ManifestCache | None) -> None:
    """A YAML file's text, text hash and key from its bytes, or the outcome of one that
    cannot be decoded."""
    try:
        item.text = decode(data, item.name)
    except ParseFailure as exc:
        item.outcome = FileOutcome(problems=exc.problems, failed=True)
        item.key = item.text_hash = ""
        return
    # the text's UTF-8 is its bytes less a BOM (they decoded): hashed without encoding it
    body = data[3:] if data.startswith(codecs.BOM_UTF8) else data
    item.text_hash = hashlib.sha256(body).hexdigest()
    item.key = cache.key(item.name, data) if cache else ""


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _template_file(
    source: Source, rel: str, templates: _Templates, cache: ManifestCache | None
) -> _File:
    """One template, rendered and keyed by its rendering (text and line origins)."""
    item = _File(rel=rel, name=source.display(rel))
    try:
        item.rendered = templates.renderer.render(rel, templates.values)
    except ParseFailure as exc:
        item.outcome = FileOutcome(problems=exc.problems, failed=True)
        return item
    item.text = item.rendered.text
    item.text_hash = _text_hash(item.text)
    if cache:
        origins = repr([tuple(o) for o in item.rendered.origins])
        data = f"\0template\0{origins}\0{item.text}".encode("utf-8", "surrogatepass")
        item.key = cache.key(item.name, data)
    return item


def _outcomes(
    source: Source, files: list[_File], cache: ManifestCache | None
) -> dict[str, FileOutcome]:
    """What each file reads to: the cache's answer for a YAML file it knows, else parsed
    and validated (templates are not cached: `_template_file` keys them only as part of a
    set)."""
    base = f"{source.base}{os.sep}"
    plain = [f for f in files if f.outcome is None and f.rendered is None]
    known = cache.lookup([f.key for f in plain]) if cache else {}
    outcomes: dict[str, FileOutcome] = {}
    for item in files:
        outcome = item.outcome or known.get(item.key)
        if outcome is None and item.rendered is not None:
            outcome = _outcome(partial(_read_template, item))
        if outcome is None:
            if item.text is None:  # keyed by its stat: read it now
                _read_file(item, base, cache)
            outcome = item.outcome or _outcome(partial(parse_yaml, item.text or "", item.name))
            if cache and item.key:
                cache.put(item.key, outcome)
        item.text = item.rendered = None  # read: the text is not kept for the whole run
        outcomes[item.rel] = outcome
    if cache:
        cache.save()
    return outcomes


_CHUNK = 65_536


def _read_bytes(path: str, size: int = -1) -> bytes:
    """A file's bytes, read with as few system calls as it takes (a buffered `open` adds
    four a file, a tenth of a cold load's reading at 100,000 files): most manifests are read
    whole by the first `read`, and when that gave all of the `size` bytes a stat just found
    (a short read of exactly that), the read that would find the end is not made."""
    fd = os.open(path, _OPEN_FLAGS)
    try:
        return _read_fd(fd, size)
    finally:
        os.close(fd)


def _stat_and_read(path: str) -> tuple[os.stat_result, bytes]:
    """A file's stat and bytes through one open (a stat of the open file costs less than a
    stat by path, which looks every folder of the path up again), the stat taken first."""
    fd = os.open(path, _OPEN_FLAGS)
    try:
        st = os.fstat(fd)
        return st, _read_fd(fd, st.st_size)
    finally:
        os.close(fd)


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)


def _read_fd(fd: int, size: int) -> bytes:
    """The bytes of the file open as `fd` (`size` as a stat just found, or -1): see
    `_read_bytes`."""
    data = os.read(fd, _CHUNK)
    if not data or len(data) == size < _CHUNK:
        return data
    chunks = [data]
    while chunk := os.read(fd, _CHUNK):
        chunks.append(chunk)
    return data if len(chunks) == 1 else b"".join(chunks)


def _outcome(read: Callable[[], list[RawDocument]]) -> FileOutcome:
    """What a file's documents validate to (`read` raises ParseFailure for a broken file)."""
    try:
        raws = read()
    except ParseFailure as exc:
        return FileOutcome(problems=exc.problems, failed=True)
    return FileOutcome(checked=[validate_document(raw) for raw in raws])


def _read_template(item: _File) -> list[RawDocument]:
    """The documents of one rendered template; raises ParseFailure."""
    rendered = item.rendered
    assert rendered is not None
    try:
        docs = parse_yaml(rendered.text, item.name)
    except ParseFailure as exc:
        raise ParseFailure([rendered.remap_problem(p) for p in exc.problems]) from None
    return [rendered.remap_document(d) for d in docs]


def _validate(run: _Run) -> list[Document]:
    """Checks across documents (unique names and keys, references); the documents in order."""
    identities: list[Identity] = []
    documents: list[Document] = []
    for checked in run.checked:
        if checked.problems:
            run.problems += checked.problems
        if checked.identity is not None:
            identities.append(checked.identity)
        if checked.document is not None:
            documents.append(checked.document)
    # A file that did not parse may hold the missing targets of references.
    run.problems += checks.check_documents(identities, documents, complete=not run.failed_files)
    documents.sort(key=_POSITION)  # by file, line and column
    return documents


_POSITION = operator.attrgetter("position")
