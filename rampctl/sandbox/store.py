"""The sandbox's state: one SQLite table of JSON objects, in a file or in memory.

Every object has a kind ("vendor", "bill", ...), a Ramp id, an optional parent id (the vendor
of a contact, the connection of an accounting vendor) and a JSON body. `seq` gives the stable
creation order that keyset pagination follows; deleted objects stay as tombstones so a page
cursor naming one still works. One connection, guarded by a re-entrant lock, serves all threads.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    parent TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    data TEXT NOT NULL,
    UNIQUE (kind, id)
);
CREATE INDEX IF NOT EXISTS objects_parent ON objects (kind, parent, seq);
CREATE INDEX IF NOT EXISTS objects_page ON objects (kind, deleted, seq);
CREATE INDEX IF NOT EXISTS objects_ext ON objects
    (kind, json_extract(data, '$.external_vendor_id'));
CREATE INDEX IF NOT EXISTS objects_name ON objects (kind, json_extract(data, '$.name'));
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

OPERATORS = frozenset({"=", "<", "<=", ">", ">=", "IN", "LIKE", "IS NOT"})


@dataclass(frozen=True, kw_only=True)
class Filter:
    """One condition on a JSON path of the object body, e.g. ("$.is_active", "=", True).

    With op "IN" the value is a sequence; a None value with "=" or "IS NOT" tests for null.
    Booleans compare as SQLite's 1/0.
    """

    path: str
    op: str
    value: Any

    def sql(self) -> tuple[str, list[Any]]:
        """The SQL fragment and its parameters."""
        if self.op not in OPERATORS:
            raise ValueError(f"unsupported operator {self.op!r}")
        expr = "json_extract(data, ?)"
        if self.op == "IN":
            values = list(self.value)
            marks = ",".join("?" * len(values)) or "NULL"
            return f"{expr} IN ({marks})", [self.path, *values]
        if self.value is None:
            return f"{expr} {'IS NOT' if self.op == 'IS NOT' else 'IS'} NULL", [self.path]
        return f"{expr} {self.op} ?", [self.path, self.value]


class Store:
    """JSON objects by kind and id, with keyset pages, in SQLite (a file or `:memory:`)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        target = ":memory:" if path is None else str(path)
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        if path is not None:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """Hold the lock and one SQLite transaction; commit on success, roll back on error."""
        with self._lock:
            if self._db.in_transaction:  # nested: join the outer transaction
                yield self
                return
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def is_empty(self) -> bool:
        """True when the store holds no objects at all."""
        with self._lock:
            return self._db.execute("SELECT 1 FROM objects LIMIT 1").fetchone() is None

    def get(self, kind: str, object_id: str) -> dict[str, Any] | None:
        """The live object of `kind` with `object_id`, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT data FROM objects WHERE kind=? AND id=? AND deleted=0", (kind, object_id)
            ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def parent_of(self, kind: str, object_id: str) -> str | None:
        """The parent id of a live object, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT parent FROM objects WHERE kind=? AND id=? AND deleted=0", (kind, object_id)
            ).fetchone()
        return None if row is None else row[0]

    def insert(
        self, kind: str, object_id: str, data: dict[str, Any], parent: str | None = None
    ) -> None:
        """Add one object."""
        self.insert_many(kind, [(object_id, parent, data)])

    def insert_many(
        self, kind: str, rows: Iterable[tuple[str, str | None, dict[str, Any]]]
    ) -> None:
        """Add many objects in one statement: rows of (id, parent, data)."""
        params = ((kind, oid, parent, json.dumps(data)) for oid, parent, data in rows)
        with self._lock:
            self._db.executemany(
                "INSERT INTO objects (kind, id, parent, data) VALUES (?, ?, ?, ?)", params
            )

    def put(
        self, kind: str, object_id: str, data: dict[str, Any], *, parent: str | None = None
    ) -> None:
        """Replace the body (and, when given, the parent) of an existing live object."""
        with self._lock:
            self._db.execute(
                "UPDATE objects SET data=?, parent=COALESCE(?, parent) "
                "WHERE kind=? AND id=? AND deleted=0",
                (json.dumps(data), parent, kind, object_id),
            )

    def delete(self, kind: str, object_id: str) -> None:
        """Remove an object (kept as a tombstone for page cursors)."""
        with self._lock:
            self._db.execute(
                "UPDATE objects SET deleted=1 WHERE kind=? AND id=?", (kind, object_id)
            )

    def find(
        self, kind: str, filters: Sequence[Filter] = (), *, parent: str | None = None
    ) -> list[dict[str, Any]]:
        """Every live object of `kind` matching all `filters`, in creation order."""
        return self.page(kind, filters, parent=parent, limit=None)

    def count(self, kind: str, filters: Sequence[Filter] = (), *, parent: str | None = None) -> int:
        """How many live objects match."""
        where, params = self._where(kind, filters, parent)
        with self._lock:
            row = self._db.execute(f"SELECT COUNT(*) FROM objects WHERE {where}", params).fetchone()
        return int(row[0])

    def page(
        self,
        kind: str,
        filters: Sequence[Filter] = (),
        *,
        parent: str | None = None,
        start: str | None = None,
        limit: int | None = 20,
    ) -> list[dict[str, Any]]:
        """Up to `limit` matching objects after the object with id `start`, in creation order.

        O(page): the (kind, deleted, seq) index serves the range and the order, no sort.
        """
        sql, params = self._page_query(kind, filters, parent, start, limit)
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        return [dict(json.loads(r[0])) for r in rows]

    def page_plan(
        self,
        kind: str,
        filters: Sequence[Filter] = (),
        *,
        parent: str | None = None,
        start: str | None = None,
        limit: int | None = 20,
    ) -> list[str]:
        """SQLite's query plan for that `page` call, one step per line (to check index use)."""
        sql, params = self._page_query(kind, filters, parent, start, limit)
        with self._lock:
            rows = self._db.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
        return [str(row[-1]) for row in rows]

    def _page_query(
        self,
        kind: str,
        filters: Sequence[Filter],
        parent: str | None,
        start: str | None,
        limit: int | None,
    ) -> tuple[str, list[Any]]:
        where, params = self._where(kind, filters, parent)
        if start is not None:
            where += " AND seq > COALESCE((SELECT seq FROM objects WHERE kind=? AND id=?), 0)"
            params += [kind, start]
        sql = f"SELECT data FROM objects WHERE {where} ORDER BY seq"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return sql, params

    def has_start(self, kind: str, start: str) -> bool:
        """True when `start` names an object (live or deleted) of `kind`."""
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM objects WHERE kind=? AND id=?", (kind, start)
            ).fetchone()
        return row is not None

    def set_meta(self, key: str, value: str) -> None:
        """Store a setting of the sandbox."""
        with self._lock:
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (key, value),
            )

    def clear(self) -> None:
        """Remove every object and setting."""
        with self._lock:
            self._db.execute("DELETE FROM objects")
            self._db.execute("DELETE FROM meta")

    @staticmethod
    def _where(kind: str, filters: Sequence[Filter], parent: str | None) -> tuple[str, list[Any]]:
        clauses = ["kind=?", "deleted=0"]
        params: list[Any] = [kind]
        if parent is not None:
            clauses.append("parent=?")
            params.append(parent)
        for flt in filters:
            fragment, values = flt.sql()
            clauses.append(fragment)
            params.extend(values)
        return " AND ".join(clauses), params
