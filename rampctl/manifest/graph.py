"""The desired graph of a manifests root, whole from the manifest cache when no file changed.

A plan reads every manifest but, between two pull requests, most runs see the same files:
the graph built from a set of files is kept (one per root, `.rampctl/cache/`) under a key of
every file's cache key (`Prepared.set_key`: names, bytes, template renderings, the code), so
a run that finds them all unchanged (by stat: `rampctl.manifest.cache.stat_signature`) reads no
manifest and builds nothing; one where a file changed loads through the per-file cache and
keeps the new graph.
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from pathlib import Path

from rampctl.manifest.cache import ManifestCache
from rampctl.manifest.loader import Prepared, no_gc, prepare
from rampctl.model.desired import DesiredGraph, build_graph

_FORMAT = b"G1"


def load_graph(
    root: Path,
    *,
    variables: Mapping[str, str] | None = None,
    cache: ManifestCache | None = None,
) -> DesiredGraph:
    """Load, validate and build the desired graph of `root`; raise ManifestError with all
    problems. With a `cache`, a graph built from the same files is taken as it was."""
    with no_gc():
        prepared = prepare(root, variables=variables, cache=cache)
        key = prepared.set_key(cache) if cache else None
        if cache is None or key is None:
            return build_graph(prepared.finish(cache))
        scope = _scope(cache, prepared)
        graph = _stored(cache, scope, key)
        if graph is not None:
            cache.touch([f.key for f in prepared.files if f.rendered is None])
            return graph
        graph = build_graph(prepared.finish(cache))
        _store(cache, scope, key, graph)
        return graph


def _scope(cache: ManifestCache, prepared: Prepared) -> str:
    source = prepared.source
    return cache.scope("graph", str(source.base.resolve()), source.display(""))


def _stored(cache: ManifestCache, scope: str, key: str) -> DesiredGraph | None:
    """The graph stored for `scope`, when it was built from the files `key` stands for."""
    blob = cache.get_scoped(scope)
    head = _FORMAT + key.encode()
    if blob is None or blob[: len(head)] != head:
        return None
    try:
        graph = pickle.loads(blob[len(head) :])
    except Exception:  # a value that does not read back is a miss, never an error
        return None
    return graph if isinstance(graph, DesiredGraph) else None


def _store(cache: ManifestCache, scope: str, key: str, graph: DesiredGraph) -> None:
    try:
        data = pickle.dumps(graph, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return
    data = b"".join((_FORMAT, key.encode(), data))
    cache.put_scoped(scope, data)
