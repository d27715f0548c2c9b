"""The desired graph of a manifests root, whole from the manifest cache when no file changed.

A plan reads every manifest but, between two pull requests, most runs see the same files.
The graph last built from a root is kept (one per root, in `.rampctl/cache/`) with two keys:
its set key, over every file's cache key (names, bytes, template renderings, the code;
`Prepared.set_key`), and its stat key, over every file's name and stat (`stat_key`), kept
only when no file was racy and there is no template. A run whose files all stat as they did
takes the graph without reading a file or the stat index; one where files were touched but
not changed keys them (`prepare`) and takes the graph by its set key; one where a file
changed reads that file, loads the rest through the per-file cache, and keeps the new graph.
No graph is kept of templates rendered with `--var` values (they may be secrets that no file
holds, and the cache holds no more than the manifest files do).
The graph is kept as plain data (`rampctl.manifest.graphcodec`): reading it runs no code the
cache file could choose.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rampctl.manifest import graphcodec
from rampctl.manifest.cache import ManifestCache
from rampctl.manifest.loader import Found, find, no_gc, prepare, stat_key
from rampctl.model.desired import DesiredGraph, build_graph

_FORMAT = b"G3"
_NO_STAT_KEY = b"-" * 64


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
    scope = cache.scope("graph", str(found.source.base.resolve()), found.source.display(""))
    kept = _Kept.read(cache, scope)
    if kept and kept.stat_key and kept.stat_key == stat_key(found, cache):
        graph = kept.graph()
        if graph is not None and not cache.needs_touch():
            return graph
    prepared = prepare(found, variables=variables, cache=cache)
    key = prepared.set_key(cache)
    if key is None:
        return build_graph(prepared.finish(cache))
    graph = kept.graph() if kept and kept.key == key else None
    if graph is not None:
        assert kept is not None
        cache.touch([f.key for f in prepared.files if f.rendered is None])
        if prepared.stat_key != kept.stat_key:  # touched, not changed: keep the new stats
            cache.put_scoped(scope, b"".join((_head(key, prepared.stat_key), kept.data)))
        return graph
    del kept  # not kept in memory while the new graph is built
    graph = build_graph(prepared.finish(cache))
    _store(cache, scope, _head(key, prepared.stat_key), graph)
    return graph


def _head(key: str, stat_key: str) -> bytes:
    """What a stored graph starts with: the format, its set key and its stat key."""
    return b"".join((_FORMAT, key.encode(), stat_key.encode() if stat_key else _NO_STAT_KEY))


_HEAD_SIZE = len(_FORMAT) + 128


@dataclass(frozen=True)
class _Kept:
    """The graph stored for a root, not yet read back: its keys and its encoded form."""

    key: str
    stat_key: str
    data: memoryview

    @classmethod
    def read(cls, cache: ManifestCache, scope: str) -> _Kept | None:
        """The stored graph of `scope`, if there is one (that passes the cache's check)."""
        blob = cache.get_scoped(scope)
        if blob is None or len(blob) < _HEAD_SIZE or blob[: len(_FORMAT)] != _FORMAT:
            return None
        head = bytes(blob[len(_FORMAT) : _HEAD_SIZE]).decode("ascii", "replace")
        stat_key = "" if head[64:] == _NO_STAT_KEY.decode() else head[64:]
        return cls(key=head[:64], stat_key=stat_key, data=blob[_HEAD_SIZE:])

    def graph(self) -> DesiredGraph | None:
        """The graph, read back; None when it does not read back."""
        try:
            return graphcodec.loads(self.data)
        except Exception:  # a value that does not read back is a miss, never an error
            return None


def _store(cache: ManifestCache, scope: str, head: bytes, graph: DesiredGraph) -> None:
    try:
        data = graphcodec.dumps(graph)
    except (graphcodec.Unsupported, ValueError):  # kept only when it is plain data
        return
    cache.put_scoped(scope, b"".join((head, data)))
