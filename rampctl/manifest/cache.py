"""The manifest cache: what each manifest file parsed and validated to, by content hash.

Like mypy's cache, it makes a run re-read only the files that changed: an entry is keyed by
a hash of the file's bytes, its name as shown in messages, and the code that reads it (the
rampctl version, a hash of its source, and the versions of Python, pydantic and PyYAML), so
an entry is never trusted across versions. Templates (`*.yaml.j2`) are not cached one by one:
what they render depends on variables and included files too.

Two values per manifests root spare a warm run the rest of the work (`scoped` rows, each
replaced whole): a stat index (`stat_signature`, like git's index and mypy's meta files)
gives each file's key without reading it while its size, times, inode and device are as
they were, unless it was written within `RACY_NS` of the run that indexed it (git's "racy"
files, read again each time); and the desired graph last built from the root, kept under a
key of every file's key (templates by their rendering, `rampctl.manifest.graph`).

Entries live in one SQLite file, `.rampctl/cache/manifests.sqlite` (written in transactions,
so a crash leaves it whole; safe to delete at any time), in `rampctl.manifest.cachecodec`'s
form: plain data, read back without running code the file could choose (an outcome holding a
value that form does not know is not kept, and is read afresh each run). Each entry is
signed (HMAC-SHA256)
with a key kept outside the project, `$XDG_CACHE_HOME/rampctl/cache.key`: a cache file
committed to a repository or written by someone else is not loaded (its entries fail the
check and are rewritten), and so are entries that do not read back. Set `RAMPCTL_NO_CACHE=1`
to read every file afresh.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import marshal
import os
import secrets
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

import pydantic
import yaml

import rampctl
from rampctl.errors import Problem
from rampctl.manifest import cachecodec
from rampctl.manifest.validate import Checked

NO_CACHE_VAR = "RAMPCTL_NO_CACHE"
CACHE_FILE = Path("cache") / "manifests.sqlite"
#: Entries not used for this many days are dropped.
KEEP_DAYS = 30
_BATCH = 500
#: The least free space (bytes) worth a VACUUM of the cache file (`ManifestCache.save`).
VACUUM_MIN_BYTES = 8 << 20
#: How the cache file is opened. A new file gets 16 KiB pages (an entry is about 1 KiB and
#: a kept graph's part far more: a third less CPU to write them than with 4 KiB pages; a
#: file that exists keeps its own). Written ahead (WAL), so a run can read while another
#: writes; `synchronous=NORMAL`, as SQLite advises with WAL: a crash or power loss can lose
#: the last writes, which is a miss, but never leaves the file inconsistent.
_PRAGMAS = (
    "PRAGMA page_size=16384",
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
)
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, code TEXT NOT NULL, "
    "used INTEGER NOT NULL, value BLOB NOT NULL)"
)
#: One row per manifests root and purpose: its files' stats (`StatIndex`) and the last
#: graph built from it (`load_graph`), each replaced whole.
_SCOPED_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS scoped (scope TEXT PRIMARY KEY, code TEXT NOT NULL, "
    "used INTEGER NOT NULL, value BLOB NOT NULL)"
)


#: What the stat index knows of one file: its stat signature (`stat_signature`) when it was
#: read, the key of its bytes (`ManifestCache.key`) and the sha256 of its text.
StatEntry = tuple[tuple[int, ...], str, str]
#: A file whose modification or change time is this close to the time it was read (or
#: later) is "racy" (as git says): it may have been written again within the same
#: timestamp tick, or the clocks may disagree, so its stat does not vouch for its bytes and
#: it is read again each run until it is older.
RACY_NS = 2_000_000_000


def stat_signature(st: os.stat_result) -> tuple[int, ...]:
    """What must be unchanged for a file to be taken as unchanged without reading it: size,
    modification and change time (the latter cannot be set back), inode and device."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def is_racy(st: os.stat_result, started_ns: int) -> bool:
    """Whether a file stat'ed as `st` in a load that started at `started_ns` (wall clock,
    taken before anything was read) is too recent for its stat to be trusted next time."""
    return max(st.st_mtime_ns, st.st_ctime_ns) >= started_ns - RACY_NS


@dataclass(frozen=True, kw_only=True)
class FileOutcome:
    """What one manifest file read to: its checked documents, or the problems of a file that
    could not be parsed (`failed`)."""

    checked: list[Checked] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    failed: bool = False


def cache_disabled() -> bool:
    """Whether `RAMPCTL_NO_CACHE` asks for no cache (any value but empty, 0, false, no)."""
    value = os.environ.get(NO_CACHE_VAR, "").strip().lower()
    return value not in ("", "0", "false", "no")


@functools.cache
def code_fingerprint() -> str:
    """A hash of everything that decides what a file reads to: rampctl's version and source,
    and the versions of Python, pydantic and PyYAML."""
    digest = hashlib.sha256()
    versions = (rampctl.__version__, sys.version, pydantic.VERSION, yaml.__version__)
    digest.update(repr(versions).encode())
    package = Path(rampctl.__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _key_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rampctl" / "cache.key"


def _signing_key() -> bytes | None:
    """This user's key for signing entries (made on first use), or None when unavailable."""
    path = _key_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            key = path.read_bytes()
            return key if len(key) >= 32 else None
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(32))
        return path.read_bytes()
    except OSError:
        return None


class ManifestCache:
    """Outcomes of manifest files by content hash, in `<folder>/cache/manifests.sqlite`.

    Any failure to open, read or write it makes the run go on without it (a corrupt file is
    replaced): the cache saves time and never decides an outcome.
    """

    timeout = 5.0
    """Seconds to wait for another run that is writing the cache, then do without it."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / CACHE_FILE
        self.code = code_fingerprint()
        self._key = _signing_key()
        self._mac: hmac.HMAC | None = None
        self._db: sqlite3.Connection | None = None
        self._pending: dict[str, bytes] = {}
        self._used: list[str] = []
        self._stale_scopes: list[str] = []
        #: By stat index scope: the keys it held when read (`stat_index`).
        self._indexed: dict[str, set[str]] = {}
        #: Keys of files removed, or changed, since their stat index was saved (`save`).
        self._dropped: set[str] = set()
        self.hits = 0
        self.misses = 0

    def scope(self, purpose: str, *parts: str) -> str:
        """The id of a scoped value (`get_scoped`): `purpose` for the root named by `parts`."""
        digest = hashlib.sha256(self.code.encode())
        for part in (purpose, *parts):
            encoded = part.encode("utf-8", "surrogatepass")
            digest.update(len(encoded).to_bytes(8, "big") + encoded)
        return digest.hexdigest()

    def stat_index(self, scope: str) -> dict[str, StatEntry]:
        """The stat index stored for `scope` (`save_stat_index`); empty when there is none."""
        blob = self.get_scoped(scope)
        if blob is None:
            return {}
        try:
            index = marshal.loads(blob)
            self._indexed[scope] = set(map(itemgetter(1), index.values()))
        except (ValueError, EOFError, TypeError, AttributeError, IndexError):
            return {}
        return index if isinstance(index, dict) else {}

    def save_stat_index(self, scope: str, index: dict[str, StatEntry]) -> None:
        """Store the stat index of `scope`, replacing the one there. The entries of files it
        no longer holds (removed, or changed since) are dropped by `save`, unless this run
        uses them."""
        known = self._indexed.pop(scope, None)
        if known:
            known.difference_update(map(itemgetter(1), index.values()))
            self._dropped |= known
        self.put_scoped(scope, marshal.dumps(index))

    def key(self, name: str, data: bytes) -> str:
        """The key of a file shown as `name` whose bytes are `data`."""
        digest = hashlib.sha256(self.code.encode())
        encoded = name.encode("utf-8", "surrogatepass")
        digest.update(len(encoded).to_bytes(8, "big") + encoded)
        digest.update(data)
        return digest.hexdigest()

    def lookup(self, keys: list[str]) -> dict[str, FileOutcome]:
        """The entries found for `keys`; entries that fail their check or do not read back are
        left out (and rewritten by `store`)."""
        found: dict[str, FileOutcome] = {}
        db = self._connect()
        if db is None:
            return found
        try:
            for start in range(0, len(keys), _BATCH):
                batch = keys[start : start + _BATCH]
                marks = ",".join("?" * len(batch))
                rows = db.execute(f"SELECT key, value FROM entries WHERE key IN ({marks})", batch)
                for key, value in rows:
                    outcome = self._read(key, value)
                    if outcome is not None:
                        found[key] = outcome
        except sqlite3.Error as exc:
            self._failed(exc)
        self._used = list(found)
        self.hits += len(found)
        return found

    def put(self, key: str, outcome: FileOutcome) -> None:
        """Remember `outcome` for `key` (written by `save`)."""
        if self._key is None:
            return
        self.misses += 1
        try:
            blob = b"M" + cachecodec.dumps(outcome.checked, outcome.problems, outcome.failed)
        except (cachecodec.Unsupported, ValueError):  # kept only when it is plain data
            return
        self._pending[key] = self._sign(key, blob) + blob

    def save(self) -> None:
        """Write the new entries in one transaction, drop stale ones and those of files that
        are gone (`save_stat_index`), and compact the file when that freed much of it."""
        db = self._connect() if self._pending or self._used else None
        if db is None:
            return
        today = int(time.time() // 86400)
        # In key order: each insert then lands next to the last one in the key index (at
        # 100,000 entries, a third less CPU than inserting them in the files' order).
        pending = self._pending
        rows = [(k, self.code, today, pending[k]) for k in sorted(pending)]
        dropped = sorted(self._dropped.difference(self._used, self._pending))
        try:
            with db:
                db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)", rows)
                used = "UPDATE entries SET used = ? WHERE used < ?"
                self._in_batches(db, used, (today, today), self._used)
                self._in_batches(db, "DELETE FROM entries WHERE 1", (), dropped)
                for table in ("entries", "scoped"):
                    db.execute(
                        f"DELETE FROM {table} WHERE code != ? OR used < ?",
                        (self.code, today - KEEP_DAYS),
                    )
            self._compact(db)
        except sqlite3.Error as exc:
            self._failed(exc)
        self._pending.clear()
        self._used.clear()
        self._dropped.clear()

    @staticmethod
    def _in_batches(
        db: sqlite3.Connection, sql: str, params: tuple[object, ...], keys: list[str]
    ) -> None:
        """Run `sql` (with `params`) narrowed to the entries of `keys`, a batch at a time."""
        for start in range(0, len(keys), _BATCH):
            batch = keys[start : start + _BATCH]
            marks = ",".join("?" * len(batch))
            db.execute(f"{sql} AND key IN ({marks})", [*params, *batch])

    def _compact(self, db: sqlite3.Connection) -> None:
        """VACUUM when at least half the file is free pages and that is at least
        `VACUUM_MIN_BYTES` (after a new rampctl version, or many files removed): SQLite
        reuses free pages but never gives them back on its own."""
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        free = db.execute("PRAGMA freelist_count").fetchone()[0]
        size = db.execute("PRAGMA page_size").fetchone()[0]
        if free * 2 >= pages and free * size >= VACUUM_MIN_BYTES:
            # Refused while another run reads the file: then the next run compacts it.
            with contextlib.suppress(sqlite3.OperationalError):
                db.execute("VACUUM")

    def get_scoped(self, scope: str) -> memoryview | None:
        """The value stored for `scope` (`put_scoped`), if it is there and passes its check;
        a value last used before today marks every entry `lookup` finds next as used today."""
        db = self._connect()
        if db is None:
            return None
        try:
            row = db.execute("SELECT used, value FROM scoped WHERE scope = ?", (scope,)).fetchone()
        except sqlite3.Error as exc:
            self._failed(exc)
            return None
        if row is None or not isinstance(row[1], bytes) or len(row[1]) < 32:
            return None
        used, value = row
        blob = memoryview(value)[32:]  # a graph's value is large: not copied
        if self._key is None or not hmac.compare_digest(value[:32], self._sign(scope, blob)):
            return None
        if used < int(time.time() // 86400):
            self._stale_scopes.append(scope)
        return blob

    def put_scoped(self, scope: str, blob: bytes | memoryview) -> None:
        """Store `blob` for `scope`, replacing what was there (written at once)."""
        db = self._connect()
        if db is None:
            return
        value = b"".join((self._sign(scope, blob), blob))
        try:
            with db:
                db.execute(
                    "INSERT OR REPLACE INTO scoped VALUES (?, ?, ?, ?)",
                    (scope, self.code, int(time.time() // 86400), value),
                )
        except sqlite3.Error as exc:
            self._failed(exc)

    def put_scoped_many(self, values: list[tuple[str, bytes]], drop: list[str]) -> None:
        """Store each (scope, blob) of `values` and remove the scopes of `drop`, in one
        transaction."""
        db = self._connect()
        if db is None:
            return
        today = int(time.time() // 86400)
        rows = [(s, self.code, today, self._sign(s, b) + b) for s, b in values]
        try:
            with db:
                db.executemany("INSERT OR REPLACE INTO scoped VALUES (?, ?, ?, ?)", rows)
                db.executemany("DELETE FROM scoped WHERE scope = ?", [(s,) for s in drop])
        except sqlite3.Error as exc:
            self._failed(exc)

    def needs_touch(self) -> bool:
        """Whether a scoped value read was last used before today (`touch`)."""
        return bool(self._stale_scopes)

    def touch(self, keys: list[str]) -> None:
        """Mark the entries of `keys` used today when a scoped value standing for them was
        last used before today (so entries behind a warm graph are not dropped as unused)."""
        if not self._stale_scopes:
            return
        self._used = list(keys)
        db = self._connect()
        if db is not None:
            marks = ",".join("?" * len(self._stale_scopes))
            today = int(time.time() // 86400)
            try:
                with db:
                    db.execute(
                        f"UPDATE scoped SET used = ? WHERE scope IN ({marks})",
                        [today, *self._stale_scopes],
                    )
            except sqlite3.Error as exc:
                self._failed(exc)
        self._stale_scopes.clear()
        self.save()

    def close(self) -> None:
        """Close the database."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def _sign(self, key: str, blob: bytes | memoryview) -> bytes:
        """HMAC-SHA256 of `key` and `blob` (a copy of one keyed HMAC costs less than a new
        one, once per entry)."""
        assert self._key is not None
        if self._mac is None:
            self._mac = hmac.new(self._key, digestmod="sha256")
        mac = self._mac.copy()
        mac.update(key.encode() + b"\0")
        mac.update(blob)
        return mac.digest()

    def _read(self, key: str, value: bytes) -> FileOutcome | None:
        if self._key is None or not isinstance(value, bytes) or len(value) < 32:
            return None
        signature, blob = value[:32], value[32:]
        if not hmac.compare_digest(signature, self._sign(key, blob)):
            return None
        if blob[:1] != b"M":  # another form (an earlier rampctl's pickle): never read
            return None
        try:
            checked, problems, failed = cachecodec.loads(blob[1:])
        except Exception:  # an entry that does not read back is a miss, never an error
            return None
        return FileOutcome(checked=checked, problems=problems, failed=failed)

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is not None or self._key is None:
            return self._db
        for _ in range(2):
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=self.timeout)
                for pragma in _PRAGMAS:
                    db.execute(pragma)
                db.execute(_SCHEMA)
                db.execute(_SCOPED_SCHEMA)
                db.execute("SELECT 1 FROM entries LIMIT 1").fetchall()
            except sqlite3.OperationalError:
                return None  # busy (another run holds it) or unreadable: do without
            except sqlite3.DatabaseError:
                self._remove()  # not a database (or a corrupt one): start a new one
                continue
            except (sqlite3.Error, OSError):
                return None
            self._db = db
            return db
        return None

    def _failed(self, exc: sqlite3.Error) -> None:
        """Stop using the database; a corrupt one is removed, so the next run starts anew (one
        that is only busy, held by another run past `timeout`, is left to that run)."""
        self.close()
        self._key = None
        if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
            self._remove()

    def _remove(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(OSError):
                Path(f"{self.path}{suffix}").unlink()
