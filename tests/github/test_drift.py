"""The drift issue: opened once, updated while drift lasts, closed when it is gone."""

from __future__ import annotations

from pathlib import Path

from rampctl.github.client import GitHub
from rampctl.github.context import RunContext
from rampctl.github.drift import LABEL, sync_drift_issue
from rampctl.github.sticky import BODY_LIMIT
from tests.github.fake_github import REPO, TOKEN, FakeGitHub
from tests.github.plans import empty_plan, huge_plan, small_plan

RUN = RunContext(
    event_name="schedule",
    event={},
    sha="e" * 40,
    run_url="https://github.example/acme/x/actions/runs/1",
    step_summary=Path("summary.md"),
)


def _gh(fake: FakeGitHub) -> GitHub:
    return GitHub(token=TOKEN, repository=REPO, api_url=fake.base_url)


def test_drift_opens_one_issue_repeats_update_it_a_clean_run_closes_it(
    fake_github: FakeGitHub,
) -> None:
    with _gh(fake_github) as gh:
        assert sync_drift_issue(gh, small_plan(), RUN, "default") == "opened drift issue #1"
        assert sync_drift_issue(gh, huge_plan(50), RUN, "default") == "updated drift issue #1"
        assert list(fake_github.issues) == [1]
        issue = fake_github.issues[1]
        assert issue["labels"] == [LABEL]
        assert issue["state"] == "open"
        assert "vendor/vendor-00049" in issue["body"]
        assert sync_drift_issue(gh, empty_plan(), RUN, "default") == "closed drift issue #1"
        assert sync_drift_issue(gh, empty_plan(), RUN, "default") == "no drift; no drift issue open"
    assert issue["state"] == "closed"
    assert "No drift found" in issue["comments_log"][0]


def test_drift_after_closing_opens_a_new_issue(fake_github: FakeGitHub) -> None:
    with _gh(fake_github) as gh:
        sync_drift_issue(gh, small_plan(), RUN, "default")
        sync_drift_issue(gh, empty_plan(), RUN, "default")
        assert sync_drift_issue(gh, small_plan(), RUN, "default") == "opened drift issue #2"


def test_workspaces_and_other_labelled_issues_are_left_alone(fake_github: FakeGitHub) -> None:
    fake_github.issues[1] = {
        "number": 1,
        "title": "drift noticed by a person",
        "body": "Ramp looks odd",
        "labels": [LABEL],
        "state": "open",
    }
    with _gh(fake_github) as gh:
        sync_drift_issue(gh, small_plan(), RUN, "us")
        sync_drift_issue(gh, small_plan(), RUN, "uk")
        sync_drift_issue(gh, empty_plan(), RUN, "us")
    states = {n: (i["state"], i["body"].split("\n")[0]) for n, i in fake_github.issues.items()}
    assert states == {
        1: ("open", "Ramp looks odd"),
        2: ("closed", "<!-- rampctl:drift workspace=us -->"),
        3: ("open", "<!-- rampctl:drift workspace=uk -->"),
    }


def test_a_huge_drift_fits_in_the_issue(fake_github: FakeGitHub) -> None:
    with _gh(fake_github) as gh:
        sync_drift_issue(gh, huge_plan(), RUN, "default")
    body = fake_github.issues[1]["body"]
    assert len(body) < BODY_LIMIT
    assert "has the full plan" in body
