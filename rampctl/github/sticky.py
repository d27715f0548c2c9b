"""Sticky comments: one comment per pull request and marker, created once and then updated."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rampctl.github.client import GitHub

#: GitHub refuses comment and issue bodies longer than this many characters.
BODY_LIMIT = 65_536


def marker(kind: str, workspace: str) -> str:
    """The hidden first line that finds a comment again, e.g. `<!-- rampctl:plan ... -->`."""
    return f"<!-- rampctl:{kind} workspace={workspace} -->"


def has_marker(body: object, mark: str) -> bool:
    """Whether a comment or issue body starts with the marker line `mark`."""
    return isinstance(body, str) and body.split("\n", 1)[0].strip() == mark


def fenced(text: str) -> str:
    """`text` in a fenced code block that it cannot close early."""
    return "```text\n" + text.replace("```", "'''") + "\n```"


@dataclass(frozen=True)
class Posted:
    """What an upsert did: the comment's id and URL and whether it was new."""

    id: int
    url: str
    created: bool


def upsert_comment(gh: GitHub, number: int, mark: str, body: str) -> Posted:
    """Update the comment on issue or pull request `number` marked `mark`, or create it.

    Duplicates (left by two runs racing) are deleted, so one comment remains.
    """
    text = f"{mark}\n{body}"
    found = [
        c
        for c in gh.paginate(gh.repo_path(f"issues/{number}/comments"))
        if has_marker(c.get("body"), mark)
    ]
    if not found:
        made = gh.call("POST", gh.repo_path(f"issues/{number}/comments"), json={"body": text})
        return _posted(made, created=True)
    # Prefer a comment made by a bot (GitHub Actions' token); remove only duplicates by the
    # same author, never a person's comment that happens to start with the marker.
    first = next((c for c in found if _author(c)[1] == "Bot"), found[0])
    updated = gh.call("PATCH", gh.repo_path(f"issues/comments/{first['id']}"), json={"body": text})
    for duplicate in found:
        if duplicate is not first and _author(duplicate) == _author(first):
            gh.call("DELETE", gh.repo_path(f"issues/comments/{duplicate['id']}"))
    return _posted(updated, created=False)


def _author(comment: dict[str, Any]) -> tuple[str, str]:
    user = comment.get("user") or {}
    return str(user.get("login", "")), str(user.get("type", ""))


def _posted(data: Any, *, created: bool) -> Posted:
    return Posted(id=int(data["id"]), url=str(data.get("html_url", "")), created=created)
