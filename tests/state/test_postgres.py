"""The PostgreSQL backend's own behaviour: tables made on first use, schemas, URL, password."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from rampctl.cli.main import run
from rampctl.errors import ConfigError, StateError
from rampctl.state import State
from rampctl.state.backend import open_backend
from rampctl.state.postgres import PostgresBackend
from tests.services import PostgresServer
from tests.state.helpers import with_vendors


def _backend(url: str) -> PostgresBackend:
    backend = open_backend(url)
    assert isinstance(backend, PostgresBackend)
    return backend


def test_the_schema_and_tables_are_created_on_first_use(pg_server: PostgresServer) -> None:
    url = pg_server.url() + "?schema=first_use&workspace=production"
    backend = _backend(url)
    assert not backend.exists()
    written = backend.write(with_vendors(State.new(), 2))
    with psycopg.connect(pg_server.url()) as conn:
        row = conn.execute(
            "SELECT workspace, serial, lineage, state->>'serial' FROM first_use.states"
        ).fetchone()
    assert row == ("production", 1, written.lineage, "1")
    backend.close()


def test_schemas_and_workspaces_are_separate_states_and_locks(pg_server: PostgresServer) -> None:
    a = _backend(pg_server.url() + "?schema=team_a&workspace=prod")
    b = _backend(pg_server.url() + "?schema=team_b&workspace=prod")
    c = _backend(pg_server.url() + "?schema=team_a&workspace=staging")
    a.write(with_vendors(State.new(), 1))
    with a.lock(command="apply"), b.lock(command="apply"), c.lock(command="apply"):
        assert not b.exists() and not c.exists()
        assert a.holder() is not None and b.holder() is not None
    for backend in (a, b, c):
        backend.close()


def test_a_held_lock_is_a_lease_row_not_a_session_advisory_lock(
    pg: Callable[..., PostgresBackend], pg_server: PostgresServer
) -> None:
    backend = pg()
    with backend.lock(command="apply"), psycopg.connect(pg_server.url()) as conn:
        advisory = conn.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
        assert advisory.fetchone() == (0,)
        lease = conn.execute(
            "SELECT lease->>'command', lease_expires > now() FROM rampctl.states "
            "WHERE workspace = %s",
            (backend.workspace,),
        ).fetchone()
        assert lease == ("apply", True)


def test_the_url_keeps_workspace_and_schema_out_of_the_connection() -> None:
    backend = _backend("postgresql://ci:pw-secret@db.internal:6432/infra?workspace=prod&schema=ops")
    assert (backend.workspace, backend.schema) == ("prod", "ops")
    assert "workspace" not in backend.conninfo and "connect_timeout=10" in backend.conninfo
    assert "pw-secret" not in backend.location and "ci:***@db.internal" in backend.location
    assert "workspace prod" in backend.location
    with pytest.raises(ConfigError, match="plain SQL identifier"):
        open_backend("postgresql://db/x?schema=a;drop")


def test_a_wrong_password_is_reported_without_any_password(
    pg_server: PostgresServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = pg_server.url().replace(pg_server.password, "not-the-password-123")
    with pytest.raises(StateError) as caught:
        _backend(url).load()
    assert "password authentication failed" in caught.value.message
    assert "not-the-password-123" not in caught.value.message
    assert run(["-C", str(tmp_path), "--state", url, "state", "list"]) == 1
    shown = capsys.readouterr()
    assert "not-the-password-123" not in shown.out + shown.err
    assert "password authentication failed" in shown.err


def test_the_cli_uses_the_postgres_state(
    pg_server: PostgresServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = pg_server.url() + "?workspace=cli"
    seeded = _backend(url)
    seeded.write(with_vendors(State.new(), 2))
    seeded.close()
    assert run(["-C", str(tmp_path), "--state", url, "state", "rm", "vendor/v0"]) == 0
    removed = capsys.readouterr()
    assert run(["-C", str(tmp_path), "--state", url, "state", "list"]) == 0
    shown = capsys.readouterr()
    assert "vendor/v1" in shown.out and "vendor/v0" not in shown.out
    assert pg_server.password not in removed.out + removed.err + shown.out + shown.err
    assert not (tmp_path / "rampctl.state.json").exists()
