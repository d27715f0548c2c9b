"""Reviewed plans: the merged pull request, its plan artifact, and what apply says back."""

from __future__ import annotations

from pathlib import Path

import pytest

from rampctl.github.client import GitHub, GitHubError
from rampctl.github.reviewed import (
    artifact_name,
    fetch_plan,
    merged_pull_request,
    refused_text,
)
from tests.github.fake_github import REPO, TOKEN, FakeGitHub

HEAD = "a1" * 20
MERGE = "b2" * 20


def _gh(fake: FakeGitHub) -> GitHub:
    return GitHub(token=TOKEN, repository=REPO, api_url=fake.base_url)


def test_merged_pull_request_of_a_merge_commit(fake_github: FakeGitHub) -> None:
    fake_github.merge(7, head_sha=HEAD, merge_sha=MERGE)
    with _gh(fake_github) as gh:
        assert merged_pull_request(gh, MERGE)["number"] == 7
        with pytest.raises(GitHubError, match="not the merge of a pull request"):
            merged_pull_request(gh, "c3" * 20)


def test_fetch_plan_takes_the_newest_artifact_of_the_head_commit(
    fake_github: FakeGitHub, tmp_path: Path
) -> None:
    fake_github.merge(7, head_sha=HEAD, merge_sha=MERGE)
    name = artifact_name("default", HEAD)
    fake_github.upload_artifact(name, {"plan.json": b'{"old": 1}'}, head_sha=HEAD)
    fake_github.upload_artifact(name, {"plan.json": b'{"new": 1}'}, head_sha=HEAD)
    fake_github.upload_artifact(
        artifact_name("other", HEAD), {"plan.json": b'{"other": 1}'}, head_sha=HEAD
    )
    out = tmp_path / "plan.json"
    with _gh(fake_github) as gh:
        pull = merged_pull_request(gh, MERGE)
        assert fetch_plan(gh, pull, "default", out) == f"rampctl-plan-default-{HEAD}"
    assert out.read_bytes() == b'{"new": 1}'


def test_a_fork_run_artifact_is_never_taken(fake_github: FakeGitHub, tmp_path: Path) -> None:
    fake_github.merge(7, head_sha=HEAD, merge_sha=MERGE)
    fake_github.upload_artifact(
        artifact_name("default", HEAD),
        {"plan.json": b'{"forged": 1}'},
        head_sha=HEAD,
        head_repository_id=99,
    )
    out = tmp_path / "plan.json"
    with _gh(fake_github) as gh, pytest.raises(GitHubError, match="no reviewed plan for pull"):
        fetch_plan(gh, merged_pull_request(gh, MERGE), "default", out)
    assert not out.exists()


def test_an_artifact_of_another_head_commit_is_never_taken(
    fake_github: FakeGitHub, tmp_path: Path
) -> None:
    fake_github.merge(7, head_sha=HEAD, merge_sha=MERGE)
    fake_github.upload_artifact(
        artifact_name("default", HEAD), {"plan.json": b"{}"}, head_sha="d4" * 20
    )
    with _gh(fake_github) as gh, pytest.raises(GitHubError, match="no reviewed plan"):
        fetch_plan(gh, merged_pull_request(gh, MERGE), "default", tmp_path / "plan.json")


def test_an_artifact_without_a_plan_is_refused(fake_github: FakeGitHub, tmp_path: Path) -> None:
    fake_github.merge(7, head_sha=HEAD, merge_sha=MERGE)
    fake_github.upload_artifact(artifact_name("default", HEAD), {"x.txt": b"x"}, head_sha=HEAD)
    with _gh(fake_github) as gh, pytest.raises(GitHubError, match=r"does not hold one plan\.json"):
        fetch_plan(gh, merged_pull_request(gh, MERGE), "default", tmp_path / "plan.json")


def test_refusal_text_says_nothing_was_written_and_what_to_do() -> None:
    text = refused_text("the saved plan is stale; run plan again", 4, wrote=False)
    assert "refused" in text
    assert "**Nothing was written to Ramp.**" in text
    assert "```text\nthe saved plan is stale; run plan again\n```" in text
    assert "Open a pull request (an empty commit is enough)" in text
    failed = refused_text("2 change(s) failed", 1, wrote=True)
    assert "apply failed" in failed
    assert "Some changes may have been written" in failed
