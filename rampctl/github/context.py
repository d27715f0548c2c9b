"""What a GitHub Actions run tells rampctl through its environment: event, commit, summary file."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rampctl.github.client import GitHubError

WORKSPACE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
#: GitHub accepts up to 1 MiB of job summary per step; stay under it.
SUMMARY_LIMIT = 1_000_000


@dataclass(frozen=True)
class RunContext:
    """The run rampctl is part of, read from GitHub Actions' environment variables."""

    event_name: str
    event: dict[str, Any]
    sha: str
    run_url: str
    step_summary: Path | None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> RunContext:
        """Read `GITHUB_EVENT_NAME`, `GITHUB_EVENT_PATH`, `GITHUB_SHA`, the run and summary."""
        server = environ.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
        repository = environ.get("GITHUB_REPOSITORY", "")
        run_id = environ.get("GITHUB_RUN_ID", "")
        summary = environ.get("GITHUB_STEP_SUMMARY", "")
        return cls(
            event_name=environ.get("GITHUB_EVENT_NAME", ""),
            event=_event(environ.get("GITHUB_EVENT_PATH", "")),
            sha=environ.get("GITHUB_SHA", ""),
            run_url=f"{server}/{repository}/actions/runs/{run_id}" if run_id else "",
            step_summary=Path(summary) if summary else None,
        )

    def pull_request_number(self) -> int:
        """The pull request this run is for; GitHubError outside pull-request events."""
        number = self.event.get("pull_request", {}).get("number")
        if not isinstance(number, int):
            raise GitHubError(
                f"no pull request to comment on: the {self.event_name or 'unknown'} event "
                "carries none (run the plan on pull_request events)"
            )
        return number

    def head_sha(self) -> str:
        """The pull request's head commit (what the reviewed plan's artifact is named after)."""
        sha = self.event.get("pull_request", {}).get("head", {}).get("sha")
        return sha if isinstance(sha, str) and sha else self.sha

    def link(self, text: str) -> str:
        """A Markdown link to this run, or plain text outside Actions."""
        return f"[{text}]({self.run_url})" if self.run_url else text

    def write_summary(self, markdown: str) -> bool:
        """Append to the job summary; False when there is none (not in Actions)."""
        if self.step_summary is None:
            return False
        text = markdown[:SUMMARY_LIMIT]
        with self.step_summary.open("a", encoding="utf-8") as handle:
            handle.write(text.rstrip("\n") + "\n\n")
        return True


def check_workspace(name: str) -> str:
    """A workspace name safe inside an HTML comment marker and an artifact name."""
    if not WORKSPACE_RE.fullmatch(name) or "--" in name:
        raise GitHubError(
            f"workspace {name!r} must be letters, digits, '.', '_' or single '-', "
            "starting with a letter or digit"
        )
    return name


def _event(path: str) -> dict[str, Any]:
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GitHubError(f"cannot read the GitHub event payload {path}: {exc}") from None
    return data if isinstance(data, dict) else {}
