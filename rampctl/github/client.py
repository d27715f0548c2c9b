"""A small GitHub REST client over httpx: token auth, pagination, GitHub's rate-limit headers.

It reads `GITHUB_API_URL` (GitHub Enterprise Server, tests), `GITHUB_TOKEN` and
`GITHUB_REPOSITORY`. The token is registered for redaction and never appears in a message.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from rampctl import __version__
from rampctl.errors import RampctlError
from rampctl.logs import redact, register_secret

DEFAULT_API_URL = "https://api.github.com"
#: Longest pause rampctl waits for GitHub's rate limit before giving up with an error.
MAX_WAIT_S = 60.0
RETRIES = 3
PERMISSIONS_HINT = (
    "check the job's `permissions:` (pull-requests: write to comment, issues: write for the "
    "drift issue, actions: read for the reviewed plan); pull requests from forks get a "
    "read-only token"
)


class GitHubError(RampctlError):
    """GitHub refused or failed a request, or the CI context lacks what the request needs."""


class GitHubForbiddenError(GitHubError):
    """403: the token may not do this (permissions, fork pull request)."""


class GitHubRateLimitError(GitHubError):
    """GitHub's primary or secondary rate limit, longer than rampctl waits."""


@dataclass
class GitHub:
    """One repository's REST API, authenticated with a token."""

    token: str = field(repr=False)
    repository: str
    api_url: str = DEFAULT_API_URL
    max_wait_s: float = MAX_WAIT_S
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    transport: httpx.BaseTransport | None = None
    _blocked_until: float = field(default=0.0, init=False)
    _http: httpx.Client | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        register_secret(self.token)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> GitHub:
        """A client for `GITHUB_REPOSITORY` with `GITHUB_TOKEN` at `GITHUB_API_URL`."""
        token = environ.get("GITHUB_TOKEN", "").strip()
        repository = environ.get("GITHUB_REPOSITORY", "").strip()
        if not token:
            raise GitHubError("GITHUB_TOKEN is not set (pass github-token to the action)")
        if repository.count("/") != 1:
            raise GitHubError("GITHUB_REPOSITORY is not set to OWNER/REPO")
        api_url = environ.get("GITHUB_API_URL", "").strip() or DEFAULT_API_URL
        return cls(token=token, repository=repository, api_url=api_url.rstrip("/"))

    def __enter__(self) -> GitHub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        if self._http is not None:
            self._http.close()
            self._http = None

    @property
    def http(self) -> httpx.Client:
        """The httpx client (created on first use)."""
        if self._http is None:
            self._http = httpx.Client(
                base_url=self.api_url,
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "Accept": "application/vnd.github+json",
                    "X-GitHub-Api-Version": "2022-11-28",
                    "User-Agent": f"rampctl/{__version__}",
                },
                timeout=30.0,
                transport=self.transport,
            )
        return self._http

    def repo_path(self, tail: str) -> str:
        """`/repos/OWNER/REPO/<tail>`."""
        return f"/repos/{self.repository}/{tail.lstrip('/')}"

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send one request and return its decoded JSON body (None when empty)."""
        response = self.request(method, path, **kwargs)
        return response.json() if response.content else None

    def paginate(self, path: str, params: Mapping[str, str | int] | None = None) -> Iterator[Any]:
        """Every item of a list endpoint, following GitHub's `Link: rel="next"` headers."""
        url: str | None = path
        query: dict[str, str | int] | None = {"per_page": 100, **(params or {})}
        while url is not None:
            response = self.request("GET", url, params=query)
            yield from response.json()
            url = response.links.get("next", {}).get("url")
            query = None  # the next link carries the query

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send a request, waiting out GitHub's rate limits when short; raise GitHubError."""
        for attempt in range(RETRIES + 1):
            self._wait_for_reset(method, url)
            response = self._send(method, url, **kwargs)
            self._note_remaining(response)
            wait = self._rate_limited(response)
            if wait is None and response.status_code in (502, 503, 504) and attempt < RETRIES:
                wait = float(2**attempt)
            if wait is None:
                break
            if wait > self.max_wait_s or attempt == RETRIES:
                raise GitHubRateLimitError(_limit_message(method, url, response, wait))
            self.sleep(wait)
        _raise_for_status(method, url, response)
        return response

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return self.http.request(method, url, follow_redirects=True, **kwargs)
        except httpx.HTTPError as exc:
            detail = redact(f"{type(exc).__name__}: {exc}")
            raise GitHubError(f"could not reach GitHub at {self.api_url}: {detail}") from None

    def _wait_for_reset(self, method: str, url: str) -> None:
        wait = self._blocked_until - self.clock()
        if wait <= 0:
            return
        if wait > self.max_wait_s:
            raise GitHubRateLimitError(
                f"GitHub's API rate limit is used up until {_utc(self._blocked_until)}; "
                f"{method} {_path(url)} was not sent"
            )
        self.sleep(wait)

    def _note_remaining(self, response: httpx.Response) -> None:
        if response.headers.get("x-ratelimit-remaining") == "0":
            self._blocked_until = _reset_time(response, self.clock())

    def _rate_limited(self, response: httpx.Response) -> float | None:
        """Seconds to wait before retrying, when GitHub answered with a rate limit."""
        if response.status_code not in (403, 429):
            return None
        retry_after = response.headers.get("retry-after")
        if retry_after is not None:
            try:
                return max(0.0, float(retry_after))
            except ValueError:
                return 60.0
        if response.headers.get("x-ratelimit-remaining") == "0":
            return max(0.0, _reset_time(response, self.clock()) - self.clock())
        if response.status_code == 429 or "secondary rate limit" in _message(response).lower():
            return 60.0  # secondary limit without a hint: GitHub asks for at least a minute
        return None


def _reset_time(response: httpx.Response, now: float) -> float:
    try:
        return float(response.headers["x-ratelimit-reset"])
    except (KeyError, ValueError):
        return now + 60.0


def _raise_for_status(method: str, url: str, response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    what = f"GitHub refused {method} {_path(url)} ({response.status_code})"
    message = _message(response)
    detail = f"{what}: {message}" if message else what
    if response.status_code == 403:
        raise GitHubForbiddenError(f"{detail}; {PERMISSIONS_HINT}")
    if response.status_code == 401:
        raise GitHubError(f"{detail}; the GitHub token is missing, expired or invalid")
    raise GitHubError(detail)


def _limit_message(method: str, url: str, response: httpx.Response, wait: float) -> str:
    kind = "secondary" if "retry-after" in response.headers else "API"
    return (
        f"GitHub's {kind} rate limit refused {method} {_path(url)} ({response.status_code}); "
        f"it asks to wait {wait:.0f} s, longer than rampctl waits ({MAX_WAIT_S:.0f} s)"
    )


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    message = body.get("message", "") if isinstance(body, dict) else ""
    return redact(str(message))[:300]


def _path(url: str) -> str:
    """The path of `url`, without query or host (queries may carry signed tokens)."""
    return httpx.URL(url).path


def _utc(stamp: float) -> str:
    return time.strftime("%H:%M:%S UTC", time.gmtime(stamp))
