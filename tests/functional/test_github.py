"""The CLI in GitHub Actions, against the sandbox and a fake GitHub: the sticky plan comment,
the drift issue, apply's report on the merged pull request, and GitHub failing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rampctl.github.sticky import BODY_LIMIT
from tests.functional.conftest import Project
from tests.github.conftest import MERGE_SHA, PR_NUMBER, actions_env
from tests.github.fake_github import TOKEN, FakeGitHub, running_fake_github

MARK = "<!-- rampctl:plan workspace=default -->"


@pytest.fixture
def github(project: Project, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    with running_fake_github() as fake:
        actions_env(monkeypatch, fake, project.root)
        yield fake


def _summary(project: Project) -> str:
    return (project.root / "step_summary.md").read_text(encoding="utf-8")


def _assert_no_token(*texts: str) -> None:
    for text in texts:
        assert TOKEN not in text


def _plan_comments(github: FakeGitHub) -> list[str]:
    return [c["body"] for c in github.comments_on(PR_NUMBER) if c["body"].startswith(MARK)]


def test_first_plan_creates_the_comment_later_plans_update_it(
    project: Project, github: FakeGitHub
) -> None:
    first = project.rampctl("plan", "--detailed-exitcode", "--github-comment")
    assert first.code == 2, first.err
    assert "Posted the plan comment" in first.err
    [body] = _plan_comments(github)
    assert body.index("to create") < body.index("<details>")
    assert "vendor/cyberdyne-security" in body
    assert "vendor/cyberdyne-security" in _summary(project)

    assert project.rampctl("apply", "--auto-approve").code == 0
    second = project.rampctl("plan", "--detailed-exitcode", "--github-comment")
    assert second.code == 0, second.err
    assert "Updated the plan comment" in second.err
    [body] = _plan_comments(github)
    assert "No changes" in body
    assert "vendor/cyberdyne-security" not in body
    assert [c.method for c in github.calls if c.method != "GET"] == ["POST", "PATCH"]
    _assert_no_token(first.out, first.err, second.out, second.err, _summary(project))


def test_an_over_long_plan_is_cut_with_the_full_plan_in_the_job_summary(
    project: Project, github: FakeGitHub
) -> None:
    docs = [
        "apiVersion: rampctl/v1\nkind: Vendor\n"
        f"metadata: {{name: bulk-{index:04d}}}\n"
        f"spec: {{name: Bulk Supplier {index:04d}, country: US, state: CA, "
        "owner: frank.ito@northwind.example, "
        f"contact: {{email: ap{index}@bulk.example, first_name: Ann, last_name: Lee}}, "
        f"description: {'Office supplies and furniture delivered weekly ' * 3}}}\n"
        for index in range(700)
    ]
    (project.root / "manifests" / "bulk.yaml").write_text("---\n".join(docs), encoding="utf-8")
    result = project.rampctl("plan", "--github-comment")
    assert result.code == 0, result.err
    assert "cut to GitHub's size limit" in result.err
    [body] = _plan_comments(github)
    assert len(body) < BODY_LIMIT
    assert "_Output truncated:" in body
    assert "the full plan is in the job summary" in body
    summary = _summary(project)
    assert "vendor/bulk-0699" in summary
    assert len(summary) > BODY_LIMIT


@pytest.mark.parametrize(
    ("status", "headers", "expected"),
    [
        (403, {}, "Resource not accessible by integration"),
        (429, {"retry-after": "3600"}, "secondary rate limit"),
    ],
)
def test_github_refusing_is_a_warning_and_never_fails_the_plan(
    project: Project,
    github: FakeGitHub,
    status: int,
    headers: dict[str, str],
    expected: str,
) -> None:
    github.fail_next(status, headers=headers, message="Resource not accessible by integration")
    result = project.rampctl("plan", "--detailed-exitcode", "--github-comment")
    assert result.code == 2, result.err  # the plan's own exit code: changes present
    assert "warning: could not update the pull-request comment" in result.err
    assert expected in result.err
    assert "does not change the outcome or exit code" in result.err
    assert "to create" in result.out
    _assert_no_token(result.out, result.err)
    plain = project.rampctl("plan", "--github-comment")
    assert plain.code == 0, plain.err


def test_a_plan_that_fails_says_so_in_the_comment(project: Project, github: FakeGitHub) -> None:
    (project.root / "manifests" / "broken.yaml").write_text(
        "apiVersion: rampctl/v1\nkind: Vendor\nmetadata: {name: broken}\nspec: {country: US}\n",
        encoding="utf-8",
    )
    result = project.rampctl("plan", "--github-comment")
    assert result.code == 1
    [body] = _plan_comments(github)
    assert ":x: **The plan failed**" in body
    assert "broken.yaml" in body


def test_drift_opens_one_issue_updates_it_and_a_clean_run_closes_it(
    project: Project, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    actions_env(monkeypatch, github, project.root, event_name="schedule", event={})
    assert project.rampctl("apply", "--auto-approve").code == 0
    [initech] = project.vendor_by_key("initech")
    with project.api() as api:
        api.patch(f"/vendors/{initech['id']}", json={"description": "Changed by hand"})
    for expected in ("Opened drift issue #1", "Updated drift issue #1"):
        drift = project.rampctl("plan", "--detailed-exitcode", "--github-drift-issue")
        assert drift.code == 2, drift.err
        assert expected in drift.err
        _assert_no_token(drift.out, drift.err)
    assert list(github.issues) == [1]
    assert "vendor/initech" in github.issues[1]["body"]
    assert github.issues[1]["labels"] == ["rampctl-drift"]
    assert project.rampctl("apply", "--auto-approve").code == 0
    clean = project.rampctl("plan", "--detailed-exitcode", "--github-drift-issue")
    assert clean.code == 0, clean.err
    assert "Closed drift issue #1" in clean.err
    assert github.issues[1]["state"] == "closed"


def _merged(project: Project, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> None:
    """Turn the environment into the push run of pull request PR_NUMBER's merge."""
    github.merge(PR_NUMBER, head_sha="a1" * 20, merge_sha=MERGE_SHA)
    actions_env(monkeypatch, github, project.root, event_name="push", event={}, sha=MERGE_SHA)


def test_a_stale_reviewed_plan_is_refused_and_the_pull_request_told(
    project: Project, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert project.rampctl("plan", "--out", "plan.json", "--github-comment").code == 0
    [initech] = project.vendor_by_key("initech")
    with project.api() as api:
        api.patch(f"/vendors/{initech['id']}", json={"state": "NY"})
    _merged(project, github, monkeypatch)
    project.sandbox.clear_log()
    result = project.rampctl("apply", "plan.json", "--github-comment")
    assert result.code == 4, result.err
    assert project.writes() == []
    [comment] = [c["body"] for c in github.comments_on(PR_NUMBER) if "rampctl:apply" in c["body"]]
    assert "rampctl apply refused" in comment
    assert "**Nothing was written to Ramp.**" in comment
    assert "vendor/initech changed in Ramp since the plan" in comment
    assert "Open a pull request" in comment
    assert "rampctl apply refused" in _summary(project)


def test_a_missing_reviewed_plan_is_refused_and_the_pull_request_told(
    project: Project, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    _merged(project, github, monkeypatch)
    fetched = project.rampctl("github", "fetch-plan", "--out", "plan.json")
    assert fetched.code == 1
    assert "no reviewed plan for pull request #7" in fetched.err
    assert "no reviewed plan for pull request #7" in _summary(project)
    assert not (project.root / "plan.json").exists()
    project.sandbox.clear_log()
    result = project.rampctl("apply", "plan.json", "--github-comment")
    assert result.code == 1
    assert "plan.json: no such plan file" in result.err
    assert project.writes() == []
    [comment] = [c["body"] for c in github.comments_on(PR_NUMBER)]
    assert "no such plan file" in comment
    assert "lacks `actions: read`" in comment
    assert "**Nothing was written to Ramp.**" in comment


def test_a_reviewed_plan_applies_and_the_pull_request_hears_it(
    project: Project, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert project.rampctl("plan", "--out", "plan.json").code == 0
    _merged(project, github, monkeypatch)
    github.fail_next(403, method="POST", message="Resource not accessible by integration")
    result = project.rampctl("apply", "plan.json", "--github-comment")
    assert result.code == 0, result.err
    assert "warning: could not comment on the merged pull request" in result.err
    assert "The reviewed plan was applied" in _summary(project)
    _assert_no_token(result.out, result.err)
