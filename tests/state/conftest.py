"""Fixtures for the state tests: a local store in a temporary folder, and remote backends."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from rampctl.state import StateStore
from rampctl.state.lease import LeaseSettings
from rampctl.state.postgres import PostgresBackend
from rampctl.state.remote import RemoteBackend
from rampctl.state.s3 import S3Backend
from tests.services import PostgresServer, S3Server, s3_environment


@pytest.fixture
def store(tmp_path: Path) -> StateStore:
    """A store for `rampctl.state.json` in an empty temporary folder."""
    return StateStore(tmp_path / "rampctl.state.json")


S3Factory = Callable[..., S3Backend]
PgFactory = Callable[..., PostgresBackend]


@pytest.fixture
def s3_bucket(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new, empty bucket on the moto server, with the AWS environment pointing at it."""
    for name, value in s3_environment(s3_server).items():
        monkeypatch.setenv(name, value)
    bucket = f"rampctl-{uuid.uuid4().hex[:12]}"
    S3Backend(bucket, "x").s3.create_bucket(Bucket=bucket)
    return bucket


@pytest.fixture
def s3(s3_bucket: str) -> Iterator[S3Factory]:
    """Make S3 backends on one state object (several stand for several machines)."""
    made: list[S3Backend] = []

    def make(*, lease_s: float = 120, heartbeat_s: float = 20) -> S3Backend:
        settings = LeaseSettings(lease_s=lease_s, heartbeat_s=heartbeat_s)
        backend = S3Backend(s3_bucket, "team/rampctl.state.json", settings=settings)
        made.append(backend)
        return backend

    yield make
    for backend in made:
        backend.close()


@pytest.fixture
def pg(pg_server: PostgresServer) -> Iterator[PgFactory]:
    """Make PostgreSQL backends on one new workspace (several stand for several machines)."""
    made: list[PostgresBackend] = []
    workspace = f"test-{uuid.uuid4().hex[:12]}"

    def make(*, lease_s: float = 120, heartbeat_s: float = 20) -> PostgresBackend:
        settings = LeaseSettings(lease_s=lease_s, heartbeat_s=heartbeat_s)
        backend = PostgresBackend(pg_server.url(), workspace=workspace, settings=settings)
        made.append(backend)
        return backend

    yield make
    for backend in made:
        backend.close()


@pytest.fixture(params=["s3", "pg"])
def remote(request: pytest.FixtureRequest) -> Callable[..., RemoteBackend[object]]:
    """Each remote backend in turn, as a factory of instances on one shared state."""
    factory: Callable[..., RemoteBackend[object]] = request.getfixturevalue(request.param)
    return factory
