"""The plan comment's text: summary first, removals first, within GitHub's limit."""

from __future__ import annotations

from pathlib import Path

from rampctl.github.context import RunContext
from rampctl.github.plan_comment import error_body, plan_body
from rampctl.github.sticky import BODY_LIMIT, marker
from tests.github.plans import huge_plan, small_plan


def _run(summary: Path | None) -> RunContext:
    return RunContext(
        event_name="pull_request",
        event={"pull_request": {"number": 3, "head": {"sha": "f" * 40}}},
        sha="e" * 40,
        run_url="https://github.example/acme/x/actions/runs/1",
        step_summary=summary,
    )


def test_summary_first_then_deletes_then_creates(tmp_path: Path) -> None:
    body, cut = plan_body(small_plan(), _run(tmp_path / "s.md"), "default")
    assert not cut
    assert body.index("1 to create") < body.index("Delete (1)") < body.index("Create (1)")
    assert "<details open>\n<summary>:x: Delete (1)</summary>" in body
    assert "<details>\n<summary>:heavy_plus_sign: Create (1)</summary>" in body
    assert "workspace `default` · commit `ffffffffffff`" in body


def test_an_over_long_plan_is_cut_under_the_limit_pointing_at_the_job_summary(
    tmp_path: Path,
) -> None:
    body, cut = plan_body(huge_plan(), _run(tmp_path / "s.md"), "default")
    full = f"{marker('plan', 'default')}\n{body}"
    assert cut
    assert len(full) < BODY_LIMIT
    assert "_Output truncated:" in body
    assert "the full plan is in the job summary of [this run](https://github.example" in body
    assert body.rstrip().endswith("</sub>")


def test_outside_actions_the_cut_note_points_at_rampctl_plan() -> None:
    body, cut = plan_body(huge_plan(), _run(None), "default")
    assert cut
    assert "`rampctl plan` shows all" in body


def test_a_failed_plan_shows_its_error_in_a_code_block() -> None:
    body = error_body("manifests/a.yaml:3:1: bad ```", _run(None), "default")
    assert ":x: **The plan failed**" in body
    assert "```text\nmanifests/a.yaml:3:1: bad '''\n```" in body
