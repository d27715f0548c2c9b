"""The GitHub REST client: pagination, GITHUB_API_URL, rate limits, errors without the token."""

from __future__ import annotations

import pytest

from rampctl.github.client import GitHub, GitHubError, GitHubForbiddenError, GitHubRateLimitError
from tests.github.fake_github import REPO, TOKEN, FakeGitHub


class Clock:
    """A clock that moves only when the client sleeps."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _client(fake: FakeGitHub, clock: Clock) -> GitHub:
    return GitHub(
        token=TOKEN, repository=REPO, api_url=fake.base_url, sleep=clock.sleep, clock=clock.time
    )


def test_from_env_uses_github_api_url_token_and_repository(fake_github: FakeGitHub) -> None:
    gh = GitHub.from_env(
        {"GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": REPO, "GITHUB_API_URL": fake_github.base_url}
    )
    with gh:
        assert gh.call("GET", gh.repo_path("issues")) == []
    assert fake_github.calls[0].path == f"/repos/{REPO}/issues"
    assert fake_github.calls[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert fake_github.calls[0].headers["x-github-api-version"] == "2022-11-28"


@pytest.mark.parametrize(
    ("environ", "needed"),
    [({"GITHUB_REPOSITORY": REPO}, "GITHUB_TOKEN"), ({"GITHUB_TOKEN": TOKEN}, "GITHUB_REPOSITORY")],
)
def test_from_env_names_what_is_missing(environ: dict[str, str], needed: str) -> None:
    with pytest.raises(GitHubError, match=needed):
        GitHub.from_env(environ)


def test_paginate_follows_link_headers(fake_github: FakeGitHub) -> None:
    fake_github.page_size_cap = 2
    for index in range(5):
        fake_github.add_comment(3, f"c{index}")
    with _client(fake_github, Clock()) as gh:
        bodies = [c["body"] for c in gh.paginate(gh.repo_path("issues/3/comments"))]
    assert bodies == ["c0", "c1", "c2", "c3", "c4"]
    assert len(fake_github.calls) == 3


def test_secondary_limit_retry_after_is_waited_out_then_retried(fake_github: FakeGitHub) -> None:
    fake_github.fail_next(403, headers={"retry-after": "7"}, message="secondary rate limit")
    clock = Clock()
    with _client(fake_github, clock) as gh:
        assert gh.call("GET", gh.repo_path("issues")) == []
    assert clock.slept == [7.0]
    assert len(fake_github.calls) == 2


def test_a_long_retry_after_is_a_clear_error_without_waiting(fake_github: FakeGitHub) -> None:
    fake_github.fail_next(429, headers={"retry-after": "3600"}, message="slow down")
    clock = Clock()
    with _client(fake_github, clock) as gh, pytest.raises(GitHubRateLimitError) as raised:
        gh.call("POST", gh.repo_path("issues/1/comments"), json={"body": "x"})
    assert clock.slept == []
    message = str(raised.value)
    assert "secondary rate limit" in message
    assert "3600 s" in message
    assert TOKEN not in message


def test_primary_limit_used_up_waits_for_reset_when_short(fake_github: FakeGitHub) -> None:
    clock = Clock()
    reset = str(int(clock.now) + 5)
    fake_github.fail_next(
        403, headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset}, message="limit"
    )
    with _client(fake_github, clock) as gh:
        gh.call("GET", gh.repo_path("issues"))
    assert sum(clock.slept) == pytest.approx(5.0)


def test_primary_limit_with_a_far_reset_fails_with_the_reset_time(fake_github: FakeGitHub) -> None:
    clock = Clock()
    reset = str(int(clock.now) + 1800)
    fake_github.fail_next(
        403, headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset}, message="limit"
    )
    with _client(fake_github, clock) as gh, pytest.raises(GitHubRateLimitError, match="API rate"):
        gh.call("GET", gh.repo_path("issues"))
    assert clock.slept == []


def test_remaining_zero_on_success_holds_the_next_request(fake_github: FakeGitHub) -> None:
    clock = Clock()
    reset = str(int(clock.now) + 3600)
    fake_github.fail_next(
        200, headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset}, message="ok"
    )
    with _client(fake_github, clock) as gh:
        gh.call("GET", gh.repo_path("issues"))
        with pytest.raises(GitHubRateLimitError, match="was not sent"):
            gh.call("POST", gh.repo_path("issues/1/comments"), json={"body": "x"})
    assert [c.method for c in fake_github.calls] == ["GET"]


def test_forbidden_names_the_permissions_and_never_the_token(fake_github: FakeGitHub) -> None:
    fake_github.fail_next(403, message="Resource not accessible by integration")
    with _client(fake_github, Clock()) as gh, pytest.raises(GitHubForbiddenError) as raised:
        gh.call("POST", gh.repo_path("issues/1/comments"), json={"body": "x"})
    message = str(raised.value)
    assert "Resource not accessible by integration" in message
    assert "pull-requests: write" in message
    assert f"/repos/{REPO}/issues/1/comments" in message
    assert TOKEN not in message


def test_bad_token_is_reported_as_such(fake_github: FakeGitHub) -> None:
    gh = GitHub(token="ghs_wrongTokenValue123", repository=REPO, api_url=fake_github.base_url)
    with gh, pytest.raises(GitHubError, match="token is missing, expired or invalid") as raised:
        gh.call("GET", gh.repo_path("issues"))
    assert "ghs_wrongTokenValue123" not in str(raised.value)


def test_unreachable_github_is_a_clear_error() -> None:
    gh = GitHub(token=TOKEN, repository=REPO, api_url="http://127.0.0.1:9")
    with gh, pytest.raises(GitHubError, match=r"could not reach GitHub at http://127\.0\.0\.1:9"):
        gh.call("GET", gh.repo_path("issues"))


def test_server_errors_are_retried(fake_github: FakeGitHub) -> None:
    fake_github.fail_next(502, message="bad gateway", times=2)
    clock = Clock()
    with _client(fake_github, clock) as gh:
        assert gh.call("GET", gh.repo_path("issues")) == []
    assert clock.slept == [1.0, 2.0]


def test_a_secondary_limit_403_without_retry_after_waits_a_minute(
    fake_github: FakeGitHub,
) -> None:
    fake_github.fail_next(403, message="You have exceeded a secondary rate limit.")
    clock = Clock()
    with _client(fake_github, clock) as gh:
        assert gh.call("GET", gh.repo_path("issues")) == []
    assert clock.slept == [60.0]
