"""`rampctl state lock | unlock | push | pull` on the local, S3 and PostgreSQL backends."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from rampctl.cli.main import run
from rampctl.state import State, StateStore
from rampctl.state.backend import StateBackend, open_backend
from tests.services import PostgresServer, S3Server, s3_environment
from tests.state.helpers import with_vendors


@pytest.fixture
def urls(
    s3_server: S3Server, pg_server: PostgresServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> dict[str, str]:
    """One state location per backend, all empty."""
    for name, value in s3_environment(s3_server).items():
        monkeypatch.setenv(name, value)
    bucket = f"share-{tmp_path.name[-12:].lower().replace('_', '-')}x"
    open_backend(f"s3://{bucket}/k").s3.create_bucket(Bucket=bucket)  # type: ignore[attr-defined]
    return {
        "local": str(tmp_path / "rampctl.state.json"),
        "s3": f"s3://{bucket}/team/rampctl.state.json",
        "pg": pg_server.url() + f"?workspace={tmp_path.name}",
    }


@pytest.fixture
def at() -> Iterator[Callable[[str], StateBackend]]:
    """Open backends by location (as another machine would), closed after the test."""
    opened: list[StateBackend] = []

    def open_(location: str) -> StateBackend:
        opened.append(open_backend(location))
        return opened[-1]

    yield open_
    for backend in opened:
        backend.close()


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run(["--no-color", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_push_local_to_s3_then_pull_into_postgres_keeps_serial_and_lineage(
    urls: dict[str, str], capsys: pytest.CaptureFixture[str], at: Callable[[str], StateBackend]
) -> None:
    local = StateStore(Path(urls["local"]))
    for _ in range(3):
        local.write(with_vendors(local.load(), 2))
    original = local.load()
    code, out, _ = _cli(capsys, "--state", urls["s3"], "state", "push", urls["local"])
    assert code == 0, out
    assert f"serial {original.serial}, lineage {original.lineage}, 2 objects" in out
    code, out, err = _cli(capsys, "--state", urls["s3"], "state", "pull", urls["pg"])
    assert code == 0, out + err
    in_pg = at(urls["pg"]).load()
    assert in_pg == original and at(urls["s3"]).load() == original
    assert "***" in out and "s3://" in out


@pytest.mark.parametrize("target", ["s3", "pg", "local"])
def test_another_lineage_is_not_overwritten_without_force(
    urls: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    target: str,
    tmp_path: Path,
    at: Callable[[str], StateBackend],
) -> None:
    theirs = at(urls[target]).write(with_vendors(State.new(), 1))
    source = tmp_path / "other.json"
    StateStore(source).write(with_vendors(State.new(), 3))
    code, _, err = _cli(capsys, "--state", urls[target], "state", "push", str(source))
    assert code == 1 and "lineage" in err and "--force" in err
    assert at(urls[target]).load() == theirs
    code, _, err = _cli(capsys, "--state", urls[target], "state", "push", str(source), "--force")
    assert code == 0, err
    assert at(urls[target]).load() == StateStore(source).load()


@pytest.mark.parametrize("backend", ["s3", "pg", "local"])
def test_state_lock_shows_the_holder_and_unlock_force_removes_it(
    urls: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    backend: str,
    at: Callable[[str], StateBackend],
) -> None:
    url = urls[backend]
    assert _cli(capsys, "--state", url, "state", "lock")[1].endswith("is not locked\n")
    holding = at(url)
    with holding.lock(command="apply"):
        code, out, _ = _cli(capsys, "--state", url, "state", "lock")
        assert code == 0 and "is locked by" in out and 'running "apply"' in out and "ago)" in out
        if backend != "local":
            assert "lease runs out in" in out
        doc = json.loads(_cli(capsys, "--state", url, "state", "lock", "--json")[1])
        assert doc["locked"] is True and doc["holder"]["command"] == "apply"
        code, out, err = _cli(capsys, "--state", url, "state", "rm", "vendor/x")
        assert code == 5 and "locked by" in err
        code, out, err = _cli(capsys, "--state", url, "state", "unlock", "--force")
        assert code == 0 and "state lock removed" in out
        assert "the state lock is held by" in err
    assert _cli(capsys, "--state", url, "state", "lock")[1].endswith("is not locked\n")


def test_push_refuses_a_source_with_an_unresolved_journal(
    urls: dict[str, str], capsys: pytest.CaptureFixture[str], at: Callable[[str], StateBackend]
) -> None:
    source = at(urls["pg"])
    source.write(with_vendors(State.new(), 1))
    source.journal().intend(op_id="1", address="vendor/v0", action="create", key="k")
    code, _, err = _cli(capsys, "--state", urls["s3"], "state", "push", urls["pg"])
    assert code == 1 and "1 write of an interrupted apply unresolved" in err
    assert not at(urls["s3"]).exists()
