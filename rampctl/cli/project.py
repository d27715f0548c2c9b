"""The project's `.rampctl/` folder and the manifest cache kept in it (light to import:
`validate` uses it without the Ramp client or the state backends)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from rampctl.cli.options import GlobalOptions

if TYPE_CHECKING:  # imported when used: loading it loads the manifest package
    from rampctl.manifest.cache import ManifestCache


def project_folder(opts: GlobalOptions) -> Path:
    """The project's `.rampctl/` folder: beside a local state file, else (a remote state) in
    the working directory."""
    state = str(opts.state)
    if "://" in state:
        from rampctl.state.backend import is_remote  # imported only for URLs: it is slow

        if is_remote(state):
            return Path(".rampctl")
    return Path(state).parent / ".rampctl"


@contextmanager
def manifest_cache(opts: GlobalOptions) -> Iterator[ManifestCache | None]:
    """The manifest cache in the project's `.rampctl/` folder; None with RAMPCTL_NO_CACHE."""
    from rampctl.manifest.cache import ManifestCache, cache_disabled

    if cache_disabled():
        yield None
        return
    cache = ManifestCache(project_folder(opts))
    try:
        yield cache
    finally:
        cache.close()
