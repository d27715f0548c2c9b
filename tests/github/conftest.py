"""Fixtures: a fake GitHub REST server and a GitHub Actions environment pointing at it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.github.fake_github import REPO, TOKEN, FakeGitHub, running_fake_github

PR_NUMBER = 7
HEAD_SHA = "a1" * 20
MERGE_SHA = "b2" * 20


def actions_env(
    monkeypatch: pytest.MonkeyPatch,
    fake: FakeGitHub,
    folder: Path,
    *,
    event_name: str = "pull_request",
    event: dict[str, Any] | None = None,
    sha: str = "c3" * 20,
) -> Path:
    """Set the variables GitHub Actions sets for a step; return the job-summary file."""
    if event is None:
        event = {"pull_request": {"number": PR_NUMBER, "head": {"sha": HEAD_SHA}}}
    event_path = folder / "event.json"
    event_path.write_text(json.dumps(event), encoding="utf-8")
    summary = folder / "step_summary.md"
    summary.touch()
    for key, value in {
        "GITHUB_ACTIONS": "true",
        "GITHUB_API_URL": fake.base_url,
        "GITHUB_SERVER_URL": "https://github.example",
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_SHA": sha,
        "GITHUB_RUN_ID": "987654",
        "GITHUB_STEP_SUMMARY": str(summary),
    }.items():
        monkeypatch.setenv(key, value)
    return summary


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    with running_fake_github() as fake:
        yield fake
