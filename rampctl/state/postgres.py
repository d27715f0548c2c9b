"""The PostgreSQL backend: a row per workspace, written only if its serial is unchanged.

For `postgresql://USER@HOST:PORT/DB?workspace=NAME&schema=SCHEMA` (workspace `default` and
schema `rampctl` unless given) the schema holds two tables, created on first use:

- `states`: one row per workspace with its serial, lineage and state JSON, and the lease
  (holder JSON, version and expiry) of the run that holds the workspace's lock;
- `journal`: the apply journal's records per workspace.

A write names the serial the run read (`UPDATE ... WHERE serial = read`), so a write based on
a stale read changes no row and is refused. The lock is the lease columns, taken with
`UPDATE ... WHERE lease IS NULL` and renewed by a heartbeat; no session advisory lock is ever
held (those break behind a transaction-pooling PgBouncer and collide across schemas), only a
transaction-scoped one while creating the tables. Connection settings and the password come
from the URL or libpq's environment (PGPASSWORD, PGSSLMODE, ~/.pgpass, ...).
"""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from rampctl.errors import ConfigError, StateError
from rampctl.logs import mask_url, register_secret
from rampctl.state.journal import Record, RecordJournal, record_bytes
from rampctl.state.lease import LeaseSettings
from rampctl.state.lock import LockHolder
from rampctl.state.model import State
from rampctl.state.remote import RemoteBackend, WriteConflict

DEFAULT_SCHEMA = "rampctl"
DEFAULT_WORKSPACE = "default"

_TABLES = """
CREATE SCHEMA IF NOT EXISTS {schema};
CREATE TABLE IF NOT EXISTS {schema}.states (
    workspace text PRIMARY KEY,
    serial bigint NOT NULL DEFAULT 0,
    lineage text,
    state json,
    updated_at timestamptz,
    lease json,
    lease_version text,
    lease_expires timestamptz
);
CREATE TABLE IF NOT EXISTS {schema}.journal (
    id bigserial PRIMARY KEY,
    workspace text NOT NULL,
    record json NOT NULL
);
CREATE INDEX IF NOT EXISTS journal_workspace ON {schema}.journal (workspace, id);
"""


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:  # pragma: no cover - only without the postgres extra
        raise ConfigError(
            "the PostgreSQL state backend needs psycopg: pip install 'rampctl[postgres]'"
        ) from None
    return psycopg


class PostgresBackend(RemoteBackend[int]):
    """The state of one workspace in a PostgreSQL schema; versions are serials."""

    def __init__(
        self,
        conninfo: str,
        *,
        workspace: str = DEFAULT_WORKSPACE,
        schema: str = DEFAULT_SCHEMA,
        settings: LeaseSettings | None = None,
    ) -> None:
        shown = f"{mask_url(conninfo)} (schema {schema}, workspace {workspace})"
        super().__init__(shown, settings)
        self.conninfo = conninfo
        self.workspace = workspace
        self.schema = schema
        self._conn: Any = None
        self._conn_lock = threading.RLock()
        self._ready = False

    @classmethod
    def from_url(cls, url: str) -> PostgresBackend:
        """The backend for `postgresql://...?workspace=NAME&schema=SCHEMA`."""
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        ours = {k: v for k, v in query if k in {"workspace", "schema"}}
        rest = [(k, v) for k, v in query if k not in {"workspace", "schema"}]
        if not any(k == "connect_timeout" for k, _ in rest):
            rest.append(("connect_timeout", "10"))
        register_secret(parts.password)
        conninfo = urlunsplit(parts._replace(query=urlencode(rest)))
        schema = ours.get("schema") or DEFAULT_SCHEMA
        if not schema.isidentifier():
            raise ConfigError(f"--state: schema {schema!r} must be a plain SQL identifier")
        workspace = ours.get("workspace") or DEFAULT_WORKSPACE
        return cls(conninfo, workspace=workspace, schema=schema.lower())

    # -- connection ----------------------------------------------------------------------

    def _sql(self, text: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run one statement in its own transaction; its rows (empty for none)."""
        psycopg = _psycopg()
        with self._conn_lock:
            conn = self._connect()
            try:
                with conn.transaction(), conn.cursor() as cur:
                    cur.execute(text.format(schema=self.schema), params)
                    return list(cur.fetchall()) if cur.description else [(cur.rowcount,)]
            except psycopg.Error as exc:
                self._drop()
                raise StateError(f"PostgreSQL at {self.location}: {_say(exc)}") from None

    def _connect(self) -> Any:
        if self._conn is None or self._conn.closed:
            psycopg = _psycopg()
            try:
                self._conn = psycopg.connect(self.conninfo, autocommit=True)
            except psycopg.Error as exc:
                raise StateError(f"cannot connect to {self.location}: {_say(exc)}") from None
            if not self._ready:
                self._create_tables()
        return self._conn

    def _create_tables(self) -> None:
        """Create the schema and tables if missing (serialised by a transaction lock)."""
        with self._conn.transaction(), self._conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"rampctl:{self.schema}",))
            cur.execute(_TABLES.format(schema=self.schema))
        self._ready = True

    def _drop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def close(self) -> None:
        """Close the connection."""
        with self._conn_lock:
            self._drop()

    def _ensure_row(self) -> None:
        self._sql(
            "INSERT INTO {schema}.states (workspace) VALUES (%s) ON CONFLICT DO NOTHING",
            (self.workspace,),
        )

    # -- state ---------------------------------------------------------------------------

    def read_stored(self) -> tuple[bytes, int] | None:
        """The workspace's state document and serial."""
        rows = self._sql(
            "SELECT state::text, serial FROM {schema}.states "
            "WHERE workspace = %s AND state IS NOT NULL",
            (self.workspace,),
        )
        if not rows:
            return None
        return str(rows[0][0]).encode("utf-8"), int(rows[0][1])

    def write_stored(self, data: bytes, state: State, expected: int | None) -> int:
        """Update the row only if its serial is still `expected` (or it has no state yet)."""
        self._ensure_row()
        condition = "state IS NULL" if expected is None else "state IS NOT NULL AND serial = %s"
        params: tuple[Any, ...] = (data.decode("utf-8"), state.serial, state.lineage)
        params += (self.workspace,) + (() if expected is None else (expected,))
        rows = self._sql(
            "UPDATE {schema}.states SET state = %s::json, serial = %s, lineage = %s, "
            f"updated_at = now() WHERE workspace = %s AND {condition}",
            params,
        )
        if rows[0][0] != 1:
            raise WriteConflict(self.workspace)
        return state.serial

    # -- lease ---------------------------------------------------------------------------

    def lease_read(self) -> tuple[LockHolder, str] | None:
        """The lease columns of the workspace's row."""
        rows = self._sql(
            "SELECT lease::text, lease_version FROM {schema}.states "
            "WHERE workspace = %s AND lease IS NOT NULL",
            (self.workspace,),
        )
        if not rows:
            return None
        return LockHolder.model_validate_json(rows[0][0]), str(rows[0][1])

    def lease_create(self, holder: LockHolder) -> str | None:
        """Set the lease only if the workspace has none."""
        self._ensure_row()
        return self._set_lease(holder, "lease IS NULL", ())

    def lease_replace(self, holder: LockHolder, expected: str) -> str | None:
        """Renew or take over the lease only if it is still at `expected`."""
        return self._set_lease(holder, "lease_version = %s", (expected,))

    def _set_lease(self, holder: LockHolder, condition: str, extra: tuple[Any, ...]) -> str | None:
        version = uuid.uuid4().hex
        rows = self._sql(
            "UPDATE {schema}.states SET lease = %s::json, lease_version = %s, "
            f"lease_expires = %s::timestamptz WHERE workspace = %s AND {condition}",
            (holder.model_dump_json(), version, holder.expires, self.workspace, *extra),
        )
        return version if rows[0][0] == 1 else None

    def lease_delete(self, expected: str | None) -> bool:
        """Clear the lease (only if at `expected`, unless None)."""
        condition = "lease IS NOT NULL" if expected is None else "lease_version = %s"
        rows = self._sql(
            "UPDATE {schema}.states SET lease = NULL, lease_version = NULL, "
            f"lease_expires = NULL WHERE workspace = %s AND {condition}",
            (self.workspace,) + (() if expected is None else (expected,)),
        )
        return bool(rows[0][0] == 1)

    def journal(self) -> PostgresJournal:
        """The workspace's journal records."""
        return PostgresJournal(self)


class PostgresJournal(RecordJournal):
    """Apply journal records as rows of the `journal` table, in insertion order."""

    def __init__(self, backend: PostgresBackend) -> None:
        self.backend = backend

    def _store(self, record: Record) -> None:
        self.backend._sql(
            "INSERT INTO {schema}.journal (workspace, record) VALUES (%s, %s::json)",
            (self.backend.workspace, record_bytes(record).decode("utf-8")),
        )

    def _records(self) -> list[Record]:
        rows = self.backend._sql(
            "SELECT record::text FROM {schema}.journal WHERE workspace = %s ORDER BY id",
            (self.backend.workspace,),
        )
        records = [json.loads(row[0]) for row in rows]
        return [r for r in records if isinstance(r, dict)]

    def clear(self) -> None:
        """Delete the workspace's records."""
        self.backend._sql(
            "DELETE FROM {schema}.journal WHERE workspace = %s", (self.backend.workspace,)
        )


def _say(exc: Exception) -> str:
    """A psycopg error as one line, without the connection string."""
    text = str(exc).strip().splitlines()
    return mask_url(text[0] if text else type(exc).__name__)
