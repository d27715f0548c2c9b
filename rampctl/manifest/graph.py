"""The desired graph of a manifests root, whole from the manifest cache when no file changed,
and brought up to date file by file when a few did.

A plan reads every manifest but, between two pull requests, most runs see the same files.
The graph last built from a root is kept (one per root, in `.rampctl/cache/`) with two keys:
its set key, over every file's cache key (names, bytes, template renderings, the code;
`Prepared.set_key`), and its stat key, over every file's name and stat (`stat_key`), kept
only when no file was racy and there is no template. A run whose files all stat as they did
takes the graph without reading a file or the stat index; one where files were touched but
not changed keys them (`prepare`) and takes the graph by its set key. One where a few files
changed, were added or removed reads only those, and brings the kept graph up to date
(`rampctl.manifest.incremental`, which checks what their change can affect); when that cannot
be settled so (another kind of document changed, many files did, or a check finds a
problem), the whole set is loaded through the per-file cache, and the new graph is kept.
No graph is kept of templates rendered with `--var` values (they may be secrets that no file
holds, and the cache holds no more than the manifest files do).

The graph is kept in parts, so that a change of a few files rewrites a few parts: the files
fall into `CHUNKS` groups by a hash of their path, and each group is one `scoped` value (its
files' keys and the addresses each declares, and the desired objects they declare); a head
value holds the keys, the order of the objects, the digest and a key of each part (over its
files' keys). Every part is plain data (`marshal`, and `rampctl.manifest.graphcodec` for the
objects): reading it runs no code the cache file could choose.
"""

from __future__ import annotations

import hashlib
import marshal
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from operator import itemgetter
from pathlib import Path
from typing import Any

from rampctl.manifest import graphcodec
from rampctl.manifest.cache import FileOutcome, ManifestCache
from rampctl.manifest.incremental import update_graph
from rampctl.manifest.loader import (
    TEMPLATE_SUFFIXES,
    Found,
    Prepared,
    find,
    no_gc,
    prepare,
    stat_key,
)
from rampctl.model.bills import DesiredBill
from rampctl.model.desired import (
    DesiredAccountingVendor,
    DesiredGraph,
    DesiredUser,
    DesiredVendor,
    build_graph,
)

_FORMAT = b"G4"
_NO_STAT_KEY = "-" * 64
#: How many parts a kept graph is written in (files by a hash of their path).
CHUNKS = 128
_KINDS = ("vendors", "accounting_vendors", "bills", "users")
_CLASSES = (DesiredVendor, DesiredAccountingVendor, DesiredBill, DesiredUser)
#: Each file's cache key and the addresses of the documents it declares, by path.
Files = dict[str, tuple[str, tuple[str, ...]]]


def load_graph(
    root: Path,
    *,
    variables: Mapping[str, str] | None = None,
    cache: ManifestCache | None = None,
) -> DesiredGraph:
    """Load, validate and build the desired graph of `root`; raise ManifestError with all
    problems. With a `cache`, a graph built from the same files is taken as it was."""
    with no_gc():
        return _load(find(root), variables, cache)


@dataclass(frozen=True)
class Checked:
    """A valid manifests root, as `rampctl validate` reports it: its graph and file count."""

    graph: DesiredGraph
    files: int


def check_root(
    root: Path,
    *,
    variables: Mapping[str, str] | None = None,
    cache: ManifestCache | None = None,
) -> Checked:
    """`load_graph`, with the number of manifest files read (what `validate` reports)."""
    with no_gc():
        found = find(root)
        return Checked(graph=_load(found, variables, cache), files=len(found.source.files))


def _load(
    found: Found, variables: Mapping[str, str] | None, cache: ManifestCache | None
) -> DesiredGraph:
    if cache is None or (variables and found.has_templates):
        # Values given with --var may be secrets no file holds: no graph keeps them.
        return build_graph(prepare(found, variables=variables, cache=cache).finish(cache))
    kept = _Kept(cache, found)
    head = kept.head()
    graph = None
    if head and head.stat_key and head.stat_key == stat_key(found, cache):
        graph = kept.graph(head)
        if graph is not None and not cache.needs_touch():
            return graph
    prepared = prepare(found, variables=variables, cache=cache)
    key = prepared.set_key(cache)
    if key is None:
        return build_graph(prepared.finish(cache))
    if head and head.key == key:
        graph = graph or kept.graph(head)  # read once, when its entries are to be touched
        if graph is not None:
            cache.touch([f.key for f in prepared.files if f.rendered is None])
            if prepared.stat_key != head.stat_key:  # touched, not changed: keep the new stats
                kept.save_head(replace(head, stat_key=prepared.stat_key))
            return graph
    del graph
    read: dict[str, FileOutcome] = {}  # what an update that gave up had read (once only)
    updated = _updated(kept, head, prepared, key, read) if head else None
    return updated or _whole(kept, head, prepared, key, read)


def _whole(
    kept: _Kept, head: _Head | None, prepared: Prepared, key: str, read: dict[str, FileOutcome]
) -> DesiredGraph:
    """Every file through the per-file cache (but those already `read`), checked as a
    whole; the graph built and kept."""
    rest = {f.rel for f in prepared.files} - read.keys()
    outcomes = {**read, **prepared.read(kept.cache, rest)}
    graph = build_graph(prepared.conclude(outcomes))
    files = {f.rel: (f.key, _addresses(outcomes[f.rel])) for f in prepared.files}
    kept.save(_Head.of(key, prepared.stat_key, graph), files, graph, set(range(CHUNKS)), head)
    return graph


def _updated(
    kept: _Kept, head: _Head, prepared: Prepared, key: str, read: dict[str, FileOutcome]
) -> DesiredGraph | None:
    """The kept graph brought up to date with the files that changed since it was kept,
    and kept; None when that cannot be settled file by file (what it read is left in
    `read`: a file is read once in a run)."""
    files: Files = {}
    graph = kept.graph(head, files)
    if graph is None:
        return None
    now = {f.rel: f.key for f in prepared.files}
    kept_keys = dict(zip(files, map(itemgetter(0), files.values()), strict=True))
    differ = {rel for rel, _ in now.items() - kept_keys.items()}
    changed = [rel for rel in now if rel in differ]  # in the files' order
    removed = list(kept_keys.keys() - now.keys())
    if len(changed) + len(removed) > max(64, len(now) // 20):
        return None  # as cheap to load the whole set
    outcomes = prepared.read(kept.cache, set(changed))
    read.update(outcomes)
    documents = {rel: _documents(outcomes[rel]) for rel in changed}
    if any(docs is None for docs in documents.values()):
        return None  # a problem: the whole set's messages are the reference
    gone = {a for rel in [*changed, *removed] if rel in files for a in files[rel][1]}
    added = [d for rel in changed for d in documents[rel] or ()]
    templates = any(f.endswith(TEMPLATE_SUFFIXES) for f in now)
    new = update_graph(graph, gone, added, prepared.digest(), templates=templates)
    if new is None:
        return None
    for rel in removed:
        del files[rel]
    for rel in changed:
        files[rel] = (now[rel], tuple(d.address for d in documents[rel] or ()))
    touched = {_chunk_of(rel) for rel in [*changed, *removed]}
    kept.save(_Head.of(key, prepared.stat_key, new, head.chunks), files, new, touched, head)
    return new


def _documents(outcome: FileOutcome) -> list[Any] | None:
    """The documents of a file that read without any problem; None otherwise."""
    if outcome.failed or outcome.problems:
        return None
    docs = [c.document for c in outcome.checked if not c.problems]
    return None if len(docs) != len(outcome.checked) or None in docs else docs


def _addresses(outcome: FileOutcome) -> tuple[str, ...]:
    return tuple(c.document.address for c in outcome.checked if c.document is not None)


def _chunk_of(rel: str) -> int:
    return zlib.crc32(rel.encode("utf-8", "surrogatepass")) % CHUNKS


@dataclass(frozen=True)
class _Head:
    """What a kept graph is known by: its set and stat keys, its digest, the addresses of
    each kind in the graph's order, and the key of each part (`_chunk_key`) by number."""

    key: str
    stat_key: str
    digest: str
    order: tuple[list[str], ...]
    chunks: dict[int, str]

    @classmethod
    def of(
        cls, key: str, stat_key: str, graph: DesiredGraph, chunks: dict[int, str] | None = None
    ) -> _Head:
        order = tuple(list(getattr(graph, kind)) for kind in _KINDS)
        return cls(key, stat_key, graph.digest, order, dict(chunks or {}))

    def dumps(self) -> bytes:
        rest = marshal.dumps((self.digest, self.order, self.chunks))
        keys = (self.key + (self.stat_key or _NO_STAT_KEY)).encode()
        return b"".join((_FORMAT, keys, rest))

    @classmethod
    def loads(cls, blob: memoryview) -> _Head | None:
        if bytes(blob[: len(_FORMAT)]) != _FORMAT:
            return None
        start = len(_FORMAT)
        keys = bytes(blob[start : start + 128]).decode("ascii", "replace")
        try:
            digest, order, chunks = marshal.loads(blob[start + 128 :])
        except (ValueError, EOFError, TypeError):
            return None
        stat_key = "" if keys[64:] == _NO_STAT_KEY else keys[64:]
        return cls(keys[:64], stat_key, digest, tuple(order), chunks)


def _chunk_key(files: Files, rels: list[str]) -> str:
    lines = "".join([f"{rel}\0{files[rel][0]}\n" for rel in sorted(rels)])
    return hashlib.sha256(lines.encode("utf-8", "surrogatepass")).hexdigest()


class _Kept:
    """The kept graph of one root, in the manifest cache: head, files and parts."""

    def __init__(self, cache: ManifestCache, found: Found) -> None:
        self.cache = cache
        self.names = (str(found.source.base.resolve()), found.source.display(""))
        self.head_scope = cache.scope("graph", *self.names)

    def chunk_scope(self, number: int) -> str:
        return self.cache.scope("graph part", *self.names, str(number))

    def head(self) -> _Head | None:
        blob = self.cache.get_scoped(self.head_scope)
        return None if blob is None else _Head.loads(blob)

    def graph(self, head: _Head, files: Files | None = None) -> DesiredGraph | None:
        """The graph, read back from its parts (with each file's key and addresses put in
        `files`, when given); None when a part is missing or does not read back (a miss,
        never an error)."""
        try:
            return self._graph(head, files)
        except Exception:
            return None

    def _graph(self, head: _Head, files: Files | None) -> DesiredGraph | None:
        pools: list[dict[str, Any]] = [{} for _ in _KINDS]
        for number, chunk_key in head.chunks.items():
            blob = self.cache.get_scoped(self.chunk_scope(number))
            if blob is None or bytes(blob[:64]) != chunk_key.encode():
                return None
            size = int.from_bytes(blob[64:72], "big")
            if files is not None:
                files.update(_files(marshal.loads(blob[72 : 72 + size])))
            parts = graphcodec.loads_value(blob[72 + size :])
            for pool, part, cls in zip(pools, parts, _CLASSES, strict=True):
                if not set(map(type, part.values())) <= {cls}:
                    return None
                pool.update(part)
        if [len(p) for p in pools] != [len(o) for o in head.order]:
            return None
        vendors, accounting_vendors, bills, users = (
            {a: pool[a] for a in order} for pool, order in zip(pools, head.order, strict=True)
        )
        return DesiredGraph(
            vendors=vendors,
            accounting_vendors=accounting_vendors,
            digest=head.digest,
            bills=bills,
            users=users,
        )

    def save_head(self, head: _Head) -> None:
        self.cache.put_scoped(self.head_scope, head.dumps())

    def save(
        self, head: _Head, files: Files, graph: DesiredGraph, touched: set[int], old: _Head | None
    ) -> None:
        """Keep `graph` (the parts of `touched`, the others as they are) and its head, in
        one transaction; nothing when it holds a value the codec does not write. Each part
        holds its files' keys and addresses, and their objects."""
        by_chunk: dict[int, list[str]] = {}
        for rel in files:
            by_chunk.setdefault(_chunk_of(rel), []).append(rel)
        values: list[tuple[str, bytes]] = []
        try:
            for number in touched & set(by_chunk):
                rels = by_chunk[number]
                chunk_key = _chunk_key(files, rels)
                listed = marshal.dumps({rel: files[rel] for rel in rels})
                blob = graphcodec.dumps_value(_part(graph, files, rels))
                size = len(listed).to_bytes(8, "big")
                values.append(
                    (self.chunk_scope(number), b"".join((chunk_key.encode(), size, listed, blob)))
                )
                head.chunks[number] = chunk_key
        except (graphcodec.Unsupported, ValueError, KeyError):
            return  # kept only when it is plain data
        for number in set(head.chunks) - set(by_chunk):
            del head.chunks[number]
        gone = set(old.chunks) - set(head.chunks) if old else set()
        values.append((self.head_scope, head.dumps()))
        self.cache.put_scoped_many(values, drop=[self.chunk_scope(n) for n in gone])


def _files(listed: Any) -> Files:
    """A part's files, as `save` wrote them (ValueError for anything else)."""
    if not isinstance(listed, dict) or not set(map(type, listed.values())) <= {tuple}:
        raise ValueError("not a list of files")
    if not set(map(len, listed.values())) <= {2}:
        raise ValueError("not a list of files")
    return listed


def _part(graph: DesiredGraph, files: Files, rels: list[str]) -> tuple[dict[str, Any], ...]:
    """The objects the files `rels` declare, by kind (KeyError for one not in the graph)."""
    kinds = [getattr(graph, kind) for kind in _KINDS]
    part: tuple[dict[str, Any], ...] = tuple({} for _ in _KINDS)
    vendors, in_vendors = kinds[0], part[0]
    for rel in rels:
        for address in files[rel][1]:
            if address in vendors:  # most objects: no search through the kinds
                in_vendors[address] = vendors[address]
                continue
            index = next((i for i, objs in enumerate(kinds) if address in objs), None)
            if index is None:
                raise KeyError(address)
            part[index][address] = kinds[index][address]
    return part
