"""GitHub in CI: `plan --github-comment`, `plan --github-drift-issue`, `apply --github-comment`
and `rampctl github fetch-plan`.

A failure to talk to GitHub (403, rate limit, outage) is printed as a warning and never
changes the exit code of the plan or apply it reports on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from rampctl.cli.github_options import workspace_option
from rampctl.cli.options import GitHubOptions
from rampctl.cli.ui import err_console
from rampctl.engine.plan import Plan
from rampctl.errors import ExitCode, Interrupted, RampctlError
from rampctl.github.client import GitHub, GitHubError
from rampctl.github.context import RunContext, check_workspace
from rampctl.github.drift import sync_drift_issue
from rampctl.github.plan_comment import error_body, plan_body, post_plan
from rampctl.github.reviewed import fetch_plan, merged_pull_request, refused_text, report_apply
from rampctl.github.sticky import fenced
from rampctl.logs import redact
from rampctl.render import markdown


@dataclass
class Publisher:
    """Where a plan or apply outcome goes on GitHub; GitHub failures become warnings."""

    gh: GitHub
    run: RunContext
    workspace: str
    comment: bool = False
    drift: bool = False
    wrote: bool = False
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def for_options(cls, options: GitHubOptions) -> Publisher | None:
        """A publisher when a --github-* flag is set; checks the setup."""
        workspace = check_workspace(options.workspace)
        if not (options.comment or options.drift_issue):
            return None
        run = RunContext.from_env()
        return cls(
            GitHub.from_env(), run, workspace, comment=options.comment, drift=options.drift_issue
        )

    def close(self) -> None:
        """Close the connection to GitHub."""
        self.gh.close()

    def plan_made(self, plan: Plan) -> None:
        """Comment, update the drift issue and write the full plan to the job summary."""
        self.run.write_summary(markdown.render(plan, max_chars=1_000_000))
        if self.comment:
            self._try("update the pull-request comment", self._post_plan, plan)
        if self.drift:
            self._try("update the drift issue", self._sync_drift, plan)

    def plan_failed(self, exc: RampctlError) -> None:
        """Show a plan that could not be made as such in the pull-request comment."""
        self.run.write_summary(f"### rampctl plan failed\n\n{fenced(redact(str(exc)))}")
        if self.comment:
            body = error_body(redact(str(exc)), self.run, self.workspace)
            what = "update the pull-request comment"
            self._try(what, post_plan, self.gh, self.run, self.workspace, body)

    def apply_failed(self, exc: RampctlError) -> None:
        """Say on the merged pull request why apply refused or failed."""
        text = refused_text(redact(str(exc)), exc.exit_code, wrote=self.wrote)
        self.run.write_summary(text)
        # Interrupted: exit within the signal's deadline, without waiting on GitHub.
        if self.comment and not isinstance(exc, Interrupted):
            self._try("comment on the merged pull request", self._report, text)

    def apply_done(self, summary: str) -> None:
        """Say on the merged pull request that its reviewed plan was applied."""
        text = f"### :white_check_mark: rampctl apply\n\nThe reviewed plan was applied. {summary}"
        self.run.write_summary(text)
        if self.comment:
            self._try("comment on the merged pull request", self._report, text)

    def _post_plan(self, plan: Plan) -> None:
        body, cut = plan_body(plan, self.run, self.workspace)
        posted = post_plan(self.gh, self.run, self.workspace, body)
        verb = "Posted" if posted.created else "Updated"
        note = " (cut to GitHub's size limit; the job summary has all)" if cut else ""
        err_console().print(f"{verb} the plan comment {posted.url}{note}", markup=False)

    def _sync_drift(self, plan: Plan) -> None:
        done = sync_drift_issue(self.gh, plan, self.run, self.workspace)
        err_console().print(done[0].upper() + done[1:] + ".", markup=False)

    def _report(self, text: str) -> None:
        posted = report_apply(self.gh, self.run, self.workspace, text)
        err_console().print(f"Commented on the merged pull request {posted.url}", markup=False)

    def _try(self, what: str, func: Any, *args: Any) -> None:
        try:
            func(*args)
        except GitHubError as exc:
            message = f"could not {what}: {exc}"
            self.warnings.append(message)
            err_console().print(f"warning: {redact(message)}", markup=False)
            err_console().print(
                "warning: this does not change the outcome or exit code of rampctl itself.",
                markup=False,
            )


@click.group()
def github() -> None:
    """GitHub Actions helpers (see "Pull requests (GitHub)" in the README)."""


@github.command("fetch-plan")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("plan.json"),
    show_default=True,
    help="Where to save the reviewed plan.",
)
@workspace_option
def fetch_plan_cmd(out: Path, github_workspace: str) -> int:
    """Download the reviewed plan of the pull request merged as GITHUB_SHA.

    The plan job of the pull request uploaded it as the artifact
    rampctl-plan-WORKSPACE-HEADSHA. Exits 1 and writes nothing when there is none;
    `rampctl apply FILE` then refuses the missing plan.
    """
    workspace = check_workspace(github_workspace)
    out.unlink(missing_ok=True)  # never leave an older plan where apply will look
    run = RunContext.from_env()
    try:
        with GitHub.from_env() as gh:
            pull = merged_pull_request(gh, run.sha)
            name = fetch_plan(gh, pull, workspace, out)
    except GitHubError as exc:
        run.write_summary(f"### rampctl: no reviewed plan\n\n{fenced(redact(str(exc)))}")
        raise
    err_console().print(
        f"Fetched the reviewed plan of pull request #{pull['number']} ({name}) to {out}",
        markup=False,
    )
    return ExitCode.OK
