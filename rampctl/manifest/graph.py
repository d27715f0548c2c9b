"""The desired graph of a manifests root, whole from the manifest cache when no file changed.

A plan reads every manifest but, between two pull requests, most runs see the same files.
The graph last built from a root is kept (one per root, in `.rampctl/cache/`) with two keys:
its set key, over every file's cache key (names, bytes, template renderings, the code;
`Prepared.set_key`), and its stat key, over every file's name and stat (`stat_key`), kept
only when no file was racy and there is no template. A run whose files all stat as they did
takes the graph without reading a file or the stat index; one where files were touched but
not changed keys them (`prepare`) and takes the graph by its set key; one where a file
changed reads that file, loads the rest through the per-file cache, and keeps the new graph.
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from pathlib import Path

from rampctl.manifest.cache import ManifestCache
from rampctl.manifest.loader import find, no_gc, prepare, stat_key
from rampctl.model.desired import DesiredGraph, build_graph

_FORMAT = b"G2"
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
        found = find(root)
        if cache is None:
            return build_graph(prepare(found, variables=variables).finish(None))
        scope = cache.scope("graph", str(found.source.base.resolve()), found.source.display(""))
        quick = stat_key(found, cache)
        if quick is not None:
            graph = _stored(cache, scope, stat_key=quick)
            if graph is not None and not cache.needs_touch():
                return graph
        prepared = prepare(found, variables=variables, cache=cache)
        key = prepared.set_key(cache)
        if key is None:
            return build_graph(prepared.finish(cache))
        graph = _stored(cache, scope, key=key, restat=prepared.stat_key)
        if graph is not None:
            cache.touch([f.key for f in prepared.files if f.rendered is None])
            return graph
        graph = build_graph(prepared.finish(cache))
        _store(cache, scope, _head(key, prepared.stat_key), graph)
        return graph


def _head(key: str, stat_key: str) -> bytes:
    """What a stored graph starts with: the format, its set key and its stat key."""
    return b"".join((_FORMAT, key.encode(), stat_key.encode() if stat_key else _NO_STAT_KEY))


def _stored(
    cache: ManifestCache, scope: str, *, key: str = "", stat_key: str = "", restat: str = ""
) -> DesiredGraph | None:
    """The graph stored for `scope`, when it was built from the files `key` stands for (or,
    given `stat_key`, from files with the same stats). With `key`, a graph found whose stat
    key is not `restat` is stored again with it (the files were touched, not changed)."""
    blob = cache.get_scoped(scope)
    size = len(_head("", "")) + 64
    if blob is None or len(blob) < size or blob[:2] != _FORMAT:
        return None
    head = bytes(blob[:size])
    if key and head[2:66] != key.encode():
        return None
    if stat_key and head[66:] != stat_key.encode():
        return None
    try:
        graph = pickle.loads(blob[size:])
    except Exception:  # a value that does not read back is a miss, never an error
        return None
    if not isinstance(graph, DesiredGraph):
        return None
    if key and restat and head[66:] != restat.encode():
        cache.put_scoped(scope, b"".join((_head(key, restat), blob[size:])))
    return graph


def _store(cache: ManifestCache, scope: str, head: bytes, graph: DesiredGraph) -> None:
    try:
        data = pickle.dumps(graph, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return
    cache.put_scoped(scope, b"".join((head, data)))
