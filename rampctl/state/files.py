"""Crash-safe file primitives: atomic replace (temp file, fsync, rename, fsync of the folder).

After a crash at any point the target holds either its old or its new content in full,
never a mix; at worst a `.NAME.*.tmp` file is left beside it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

FILE_MODE = 0o600
"""Mode of every file rampctl's state layer writes: readable by its owner only."""


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (renames, creations) to disk; a no-op where unsupported."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - filesystems that refuse fsync on folders
        pass
    finally:
        os.close(fd)


def write_temp(target: Path, data: bytes) -> Path:
    """Write `data` to a new mode-0600 temp file beside `target`, fsync'd; return its path."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), FILE_MODE)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
    return Path(name)


def atomic_write(target: Path, data: bytes, *, sync_dir: bool = True) -> None:
    """Replace `target` with `data` atomically (mode 0600)."""
    temp = write_temp(target, data)
    try:
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    if sync_dir:
        fsync_dir(target.parent)


def snapshot(source: Path, target: Path) -> None:
    """Make `target` an exact copy of `source`, atomically (a hard link when possible).

    The folder is not fsync'd here: the caller does it once after its own rename.
    """
    link = target.with_name(f".{target.name}.{os.getpid()}.link")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(link)
    try:
        os.link(source, link)
    except OSError:  # filesystems without hard links: copy the bytes instead
        atomic_write(target, source.read_bytes(), sync_dir=False)
        return
    try:
        os.replace(link, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(link)
        raise
