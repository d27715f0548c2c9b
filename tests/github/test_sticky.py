"""Sticky comments: found by their hidden marker, created once, then updated."""

from __future__ import annotations

from rampctl.github.client import GitHub
from rampctl.github.sticky import fenced, has_marker, marker, upsert_comment
from tests.github.fake_github import REPO, TOKEN, FakeGitHub


def _gh(fake: FakeGitHub) -> GitHub:
    return GitHub(token=TOKEN, repository=REPO, api_url=fake.base_url)


def test_marker_is_exact_per_workspace() -> None:
    mark = marker("plan", "us")
    assert mark == "<!-- rampctl:plan workspace=us -->"
    assert has_marker(f"{mark}\nbody", mark)
    assert not has_marker(f"{marker('plan', 'us-east')}\nbody", mark)
    assert not has_marker(f"quoted:\n{mark}\nbody", mark)
    assert not has_marker(None, mark)


def test_first_upsert_creates_second_updates_the_same_comment(fake_github: FakeGitHub) -> None:
    fake_github.add_comment(5, "LGTM")
    mark = marker("plan", "default")
    with _gh(fake_github) as gh:
        first = upsert_comment(gh, 5, mark, "one")
        second = upsert_comment(gh, 5, mark, "two")
    assert first.created and not second.created
    assert first.id == second.id
    bodies = [c["body"] for c in fake_github.comments_on(5)]
    assert bodies == ["LGTM", f"{mark}\ntwo"]


def test_each_workspace_has_its_own_comment(fake_github: FakeGitHub) -> None:
    with _gh(fake_github) as gh:
        upsert_comment(gh, 5, marker("plan", "us"), "us plan")
        upsert_comment(gh, 5, marker("plan", "uk"), "uk plan")
        upsert_comment(gh, 5, marker("plan", "us"), "us plan 2")
    bodies = sorted(c["body"].split("\n")[1] for c in fake_github.comments_on(5))
    assert bodies == ["uk plan", "us plan 2"]


def test_duplicates_left_by_racing_runs_are_removed(fake_github: FakeGitHub) -> None:
    mark = marker("plan", "default")
    fake_github.add_comment(5, f"{mark}\nrun a", user="github-actions[bot]")
    fake_github.add_comment(5, f"{mark}\nrun b", user="github-actions[bot]")
    with _gh(fake_github) as gh:
        upsert_comment(gh, 5, mark, "run c")
    assert [c["body"] for c in fake_github.comments_on(5)] == [f"{mark}\nrun c"]


def test_a_person_copying_the_marker_keeps_their_comment(fake_github: FakeGitHub) -> None:
    mark = marker("plan", "default")
    fake_github.add_comment(5, f"{mark}\nI pasted the plan here", user="mallory")
    fake_github.add_comment(5, f"{mark}\nrun a", user="github-actions[bot]")
    with _gh(fake_github) as gh:
        upsert_comment(gh, 5, mark, "run b")
    bodies = [c["body"] for c in fake_github.comments_on(5)]
    assert bodies == [f"{mark}\nI pasted the plan here", f"{mark}\nrun b"]


def test_fenced_text_cannot_close_its_block() -> None:
    assert fenced("a\n```\n# heading") == "```text\na\n'''\n# heading\n```"
