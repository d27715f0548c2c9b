"""The S3 backend's own behaviour: the store check, object layout, the URL and credentials."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from rampctl.cli.main import run
from rampctl.errors import ConfigError, StateError
from rampctl.state import State
from rampctl.state.backend import open_backend
from rampctl.state.lock import LockHolder
from rampctl.state.s3 import S3Backend
from tests.services import S3Server
from tests.state.careless_s3 import careless_s3
from tests.state.helpers import with_vendors


def test_a_store_that_ignores_conditional_writes_is_refused_naming_it(
    s3_server: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    with careless_s3() as endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "k")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s-very-secret")
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        backend = S3Backend("team", "rampctl.state.json")
        for attempt in (
            lambda: backend.write(State.new()),
            lambda: backend.lock(command="apply").__enter__(),
        ):
            with pytest.raises(StateError) as caught:
                attempt()
            assert f"the S3 store {endpoint} (bucket team)" in caught.value.message
            assert "does not honour conditional writes" in caught.value.message
        assert not backend.exists()  # nothing was written before the check
        assert backend.holder() is None


def test_moto_honours_conditional_creates_and_writes(s3: Callable[..., S3Backend]) -> None:
    backend = s3()
    backend.check_store()
    assert backend.lease_create(backend_holder()) is not None
    assert backend.lease_create(backend_holder()) is None
    found = backend.lease_read()
    assert found is not None
    assert backend.lease_replace(backend_holder(), '"stale"') is None
    assert backend.lease_delete('"stale"') is False and backend.holder() is not None
    assert backend.lease_delete(found[1]) is True and backend.holder() is None


def backend_holder() -> LockHolder:
    """A holder whose lease does not run out during the test."""
    return LockHolder.current("apply").model_copy(update={"expires": "2999-01-01T00:00:00+00:00"})


def test_state_lock_and_journal_are_objects_beside_the_state(
    s3: Callable[..., S3Backend], s3_bucket: str
) -> None:
    backend = s3()
    with backend.lock(command="apply"):
        backend.write(with_vendors(State.new(), 1))
        backend.journal().intend(op_id="1", address="vendor/v0", action="create", key="k")
        listed = backend.s3.list_objects_v2(Bucket=s3_bucket)["Contents"]
        names = sorted(item["Key"] for item in listed)
    assert names[0] == "team/rampctl.state.json"
    assert names[1].startswith("team/rampctl.state.json.journal/")
    assert names[2] == "team/rampctl.state.json.lock"
    raw = backend.s3.get_object(Bucket=s3_bucket, Key=names[0])["Body"].read()
    assert json.loads(raw)["serial"] == 1


@pytest.mark.parametrize("url", ["s3://bucket", "s3://bucket/", "s3:///key", "s3://b/dir/"])
def test_an_s3_url_needs_a_bucket_and_a_key(url: str) -> None:
    with pytest.raises(ConfigError, match="needs a bucket and an object key"):
        open_backend(url)


def test_the_cli_uses_the_s3_state_and_never_prints_the_secret_key(
    s3_bucket: str, s3_server: S3Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"s3://{s3_bucket}/prod/rampctl.state.json"
    backend = open_backend(url)
    backend.write(with_vendors(State.new(), 2))
    assert run(["-C", str(tmp_path), "--state", url, "-vv", "state", "list"]) == 0
    listed = capsys.readouterr()
    assert "vendor/v0" in listed.out and "vendor/v1" in listed.out
    assert s3_server.secret_key not in listed.out + listed.err
    assert run(["-C", str(tmp_path), "--state", url, "state", "rm", "vendor/v0"]) == 0
    assert sorted(open_backend(url).load().resources) == ["vendor/v1"]
    assert not (tmp_path / "rampctl.state.json").exists()
