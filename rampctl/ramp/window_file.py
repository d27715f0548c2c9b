"""The rate-limit window carried from one run to the next for the same credentials.

Ramp counts every request of one client id against one rolling window, whichever process
sends it, so `plan` run right after an `apply` shares the window the apply used. Each run
therefore starts its limiter from the answer times earlier runs left in a small file under the
user's cache folder (`$XDG_CACHE_HOME/rampctl/rate-window/`, else `~/.cache/...`), named by a
hash of the base URL and client id (never the secret, never a token), and adds its own at the
end. Concurrent runs merge under a file lock and replace the file atomically; a missing,
corrupt or unreadable file counts as an empty window. `RAMPCTL_NO_RATE_WINDOW=1` turns it off.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from rampctl.ramp.config import ClientConfig
from rampctl.ramp.limiter import RateLimiter

log = logging.getLogger(__name__)

NO_WINDOW_VAR = "RAMPCTL_NO_RATE_WINDOW"
#: At most this many answer times are kept (far above what Ramp lets one window hold).
MAX_KEPT = 2000
LOCK_TIMEOUT_S = 2.0


@contextmanager
def carried_limiter(config: ClientConfig, *, carry: bool = True) -> Iterator[RateLimiter]:
    """The run's one limiter, seeded with earlier runs' window and saved back when the block
    ends (unless `carry` is false or `RAMPCTL_NO_RATE_WINDOW` is set)."""
    limiter = RateLimiter(
        limit=config.rate_limit, window_s=config.rate_window_s, backoff_s=config.backoff_429_s
    )
    path = window_path(config) if carry and not _disabled() else None
    if path is None:
        yield limiter
        return
    started = time.time()
    earlier = read_window(path, config.rate_window_s)
    if earlier:
        log.debug(
            "%d requests of these credentials in the last window (earlier runs)", len(earlier)
        )
    limiter.seed(earlier)
    try:
        yield limiter
    finally:
        own = [t for t in limiter.answered_times() if t > started]
        if own:
            save_window(path, own, config.rate_window_s)


def window_path(config: ClientConfig) -> Path:
    """The window file of these credentials at this Ramp."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    key = f"{config.base_url.rstrip('/')}\0{config.client_id}".encode()
    name = hashlib.sha256(key).hexdigest()[:32] + ".json"
    return Path(base) / "rampctl" / "rate-window" / name


def read_window(path: Path, window_s: float) -> list[float]:
    """The answer times in `path` within the last `window_s`; [] when it cannot be read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    times = data.get("answered") if isinstance(data, dict) else None
    if not isinstance(times, list):
        return []
    now = time.time()
    return sorted(
        float(t)
        for t in times
        if isinstance(t, (int, float)) and not isinstance(t, bool) and now - window_s < t <= now
    )


def save_window(path: Path, own: list[float], window_s: float) -> None:
    """Add `own` answer times to the file, keeping only the last window; errors are logged."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with FileLock(str(path) + ".lock", timeout=LOCK_TIMEOUT_S):
            merged = sorted([*read_window(path, window_s), *own])[-MAX_KEPT:]
            _replace(path, json.dumps({"answered": merged}))
    except (OSError, Timeout) as exc:
        log.debug("could not save the rate-limit window to %s: %s", path, exc)


def _replace(path: Path, text: str) -> None:
    """Write `text` to `path` atomically (a reader sees the old or the new file, whole)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".window-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _disabled() -> bool:
    value = os.environ.get(NO_WINDOW_VAR, "").strip().lower()
    return value not in ("", "0", "false", "no")
