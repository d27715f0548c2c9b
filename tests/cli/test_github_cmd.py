"""The GitHub publisher behind --github-comment: what goes where, and GitHub never blocking."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from rampctl.cli.github_cmd import Publisher
from rampctl.cli.options import GitHubOptions
from rampctl.errors import Interrupted, StalePlanError
from rampctl.github.client import GitHub, GitHubError
from rampctl.github.context import RunContext
from tests.github.conftest import MERGE_SHA
from tests.github.fake_github import REPO, TOKEN, FakeGitHub, running_fake_github


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    with running_fake_github() as fake:
        yield fake


def _publisher(fake: FakeGitHub, summary: Path) -> Publisher:
    run = RunContext(event_name="push", event={}, sha=MERGE_SHA, run_url="", step_summary=summary)
    gh = GitHub(token=TOKEN, repository=REPO, api_url=fake.base_url)
    return Publisher(gh, run, "default", comment=True)


def test_a_refusal_is_commented_on_the_merged_pull_request(
    fake_github: FakeGitHub, tmp_path: Path
) -> None:
    fake_github.merge(7, head_sha="a1" * 20, merge_sha=MERGE_SHA)
    publisher = _publisher(fake_github, tmp_path / "summary.md")
    publisher.apply_failed(StalePlanError("the saved plan is stale"))
    publisher.close()
    [comment] = fake_github.comments_on(7)
    assert comment["body"].startswith("<!-- rampctl:apply workspace=default -->")
    assert "the saved plan is stale" in (tmp_path / "summary.md").read_text()


def test_an_interrupted_apply_does_not_wait_on_github(
    fake_github: FakeGitHub, tmp_path: Path
) -> None:
    publisher = _publisher(fake_github, tmp_path / "summary.md")
    publisher.apply_failed(Interrupted(signal.SIGTERM))
    publisher.close()
    assert fake_github.calls == []
    assert "interrupted by SIGTERM" in (tmp_path / "summary.md").read_text()


def test_github_failing_is_a_warning(
    fake_github: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    publisher = _publisher(fake_github, tmp_path / "summary.md")
    publisher.apply_done("3 change(s) done; 0 manual.")  # no merged pull request known
    publisher.close()
    err = capsys.readouterr().err
    assert "warning: could not comment on the merged pull request" in err
    assert "is not the merge of a pull request" in err
    assert publisher.warnings


def test_for_options_checks_the_setup_before_anything_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    options = GitHubOptions.from_params({"github_comment": True, "github_workspace": "default"})
    with pytest.raises(GitHubError, match="GITHUB_TOKEN is not set"):
        Publisher.for_options(options)
    quiet = {"github_comment": False, "github_drift_issue": False, "github_workspace": "x"}
    assert Publisher.for_options(GitHubOptions.from_params(quiet)) is None
    with pytest.raises(GitHubError, match="workspace 'a--b'"):
        Publisher.for_options(GitHubOptions(comment=True, workspace="a--b"))
