"""Reviewed-plan apply: find the merged pull request, fetch its plan artifact, report the outcome.

The plan job uploads the saved plan as the artifact `rampctl-plan-<workspace>-<head sha>`.
After the merge, the apply job finds the pull request of the merged commit, downloads the
artifact of its head commit (made by a run in this repository, never a fork's) and applies
exactly that plan.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from rampctl.github.client import GitHub, GitHubError
from rampctl.github.context import RunContext
from rampctl.github.sticky import BODY_LIMIT, Posted, fenced, marker, upsert_comment

PLAN_NAME = "plan.json"
#: A plan file is JSON; anything this large is not one of ours.
MAX_PLAN_BYTES = 64 * 1024 * 1024


def artifact_name(workspace: str, head_sha: str) -> str:
    """The name the plan job gives the saved plan's artifact."""
    return f"rampctl-plan-{workspace}-{head_sha}"


def merged_pull_request(gh: GitHub, sha: str) -> dict[str, Any]:
    """The merged pull request whose merge produced commit `sha`."""
    if not sha:
        raise GitHubError("GITHUB_SHA is not set: no merged commit to look up")
    pulls = gh.call("GET", gh.repo_path(f"commits/{sha}/pulls")) or []
    merged = [p for p in pulls if p.get("merged_at")]
    exact = [p for p in merged if p.get("merge_commit_sha") == sha]
    found = exact or merged
    if not found:
        raise GitHubError(
            f"commit {sha[:12]} is not the merge of a pull request, so it has no reviewed plan "
            "(changes reach Ramp only through reviewed pull requests)"
        )
    return dict(found[0])


def fetch_plan(gh: GitHub, pull: dict[str, Any], workspace: str, out: Path) -> str:
    """Download the reviewed plan of `pull` to `out`; return the artifact's name."""
    head_sha = str(pull.get("head", {}).get("sha", ""))
    name = artifact_name(workspace, head_sha)
    artifacts = gh.call(
        "GET", gh.repo_path("actions/artifacts"), params={"name": name, "per_page": 100}
    )
    found = [a for a in (artifacts or {}).get("artifacts", []) if _ours(gh, a, head_sha)]
    if not found:
        raise GitHubError(
            f"no reviewed plan for pull request #{pull.get('number')}: no artifact {name} "
            "from a pull-request run in this repository (expired, or the plan job did not run)"
        )
    newest = max(found, key=lambda a: str(a.get("created_at", "")))
    data = gh.request("GET", str(newest["archive_download_url"])).content
    out.write_bytes(_plan_from_zip(data, name))
    return name


def _ours(gh: GitHub, artifact: dict[str, Any], head_sha: str) -> bool:
    """An unexpired artifact made by a run of this repository on the pull request's head."""
    run = artifact.get("workflow_run") or {}
    return (
        not artifact.get("expired")
        and run.get("head_sha") == head_sha
        and run.get("repository_id") is not None
        and run.get("head_repository_id") == run.get("repository_id")
    )


def _plan_from_zip(data: bytes, name: str) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = [i for i in archive.infolist() if Path(i.filename).name == PLAN_NAME]
            if len(infos) != 1 or infos[0].file_size > MAX_PLAN_BYTES:
                raise GitHubError(f"artifact {name} does not hold one {PLAN_NAME}")
            return archive.read(infos[0])
    except zipfile.BadZipFile:
        raise GitHubError(f"artifact {name} is not a zip archive") from None


def report_apply(
    gh: GitHub, run: RunContext, workspace: str, outcome: str, pull: dict[str, Any] | None = None
) -> Posted:
    """Post (or update) the apply comment on the merged pull request."""
    pull = pull or merged_pull_request(gh, run.sha)
    body = f"{outcome}\n\n<sub>workspace `{workspace}` · {run.link('apply run')}</sub>\n"
    return upsert_comment(gh, int(pull["number"]), marker("apply", workspace), body)


def refused_text(message: str, exit_code: int, *, wrote: bool) -> str:
    """Why apply did not go through, and what to do next, as Markdown."""
    head = "### :x: rampctl apply failed" if wrote else "### :x: rampctl apply refused"
    written = (
        "Some changes may have been written; the state records those that were."
        if wrote
        else "**Nothing was written to Ramp.**"
    )
    shown = fenced(message[: BODY_LIMIT - 2_000])
    return f"{head}\n\n{written}\n\n{shown}\n\n{NEXT_STEP.get(exit_code, NEXT_DEFAULT)}"


NEXT_DEFAULT = (
    "Fix the cause shown in the apply run, then open a pull request (an empty commit is "
    "enough) so a fresh plan is reviewed; its merge applies it."
)
NEXT_STEP = {
    3: "The plan needs an explicit permission (deletes beyond the safety threshold, or "
    "payments over the workflow's `payment-limit`). Raise `payment-limit` or set "
    "`allow-payments` / `allow-deletes` in the workflow if this is intended, then open a "
    "pull request (an empty commit is enough) so the plan is reviewed again.",
    4: "Ramp, the state or the manifests changed after the plan was reviewed, so applying it "
    "could do something nobody approved. Open a pull request (an empty commit is enough): "
    "its plan shows what is left to do, and its merge applies that reviewed plan.",
    5: "Another run holds the state lock. Re-run this job once it has finished.",
    6: "Some writes have an uncertain outcome. Open a pull request (an empty commit is "
    "enough): its plan resolves them by key, so nothing is sent twice.",
}
