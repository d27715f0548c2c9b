"""The composite GitHub Action run as a script: each step of action.yml, its `run:` block in
bash with the step's env and inputs substituted, on a scratch git repository, against the
sandbox and a fake GitHub. `uses:` steps are played by the test (the upload-artifact step
stores the plan in the fake GitHub, where the apply job's fetch finds it)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.functional.conftest import REPO, Project
from tests.functional.test_bills import _write_bill
from tests.github.fake_github import REPO as GITHUB_REPO
from tests.github.fake_github import TOKEN, FakeGitHub, running_fake_github

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
NAME = re.compile(r"'[^']*'|([a-z][\w-]*(?:\.[\w-]+)+)")


@dataclass
class Job:
    """One job running the action: its inputs, event and the outputs of its steps."""

    command: str
    repo: Path
    github: FakeGitHub
    event: dict[str, Any]
    event_name: str
    sha: str
    inputs: dict[str, str]
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)

    def value(self, name: str) -> str:
        """The value of a context name such as inputs.command or steps.plan.outputs.exitcode."""
        head, _, rest = name.partition(".")
        if head == "inputs":
            return self.substitute(self.inputs.get(rest, ""))  # defaults may be expressions
        if head == "steps":
            step, _, output = rest.partition(".outputs.")
            return self.outputs.get(step, {}).get(output, "")
        if head == "runner" and rest == "temp":
            return str(self.repo / "_runner_temp")
        if name == "github.token":
            return TOKEN
        if name == "github.event_name":
            return self.event_name
        if head == "github" and rest.startswith("event."):
            found: Any = self.event
            for part in rest.split(".")[1:]:
                found = found.get(part, {}) if isinstance(found, dict) else ""
            return found if isinstance(found, str) else ""
        raise AssertionError(f"the test does not know the expression {name}")

    def evaluate(self, expression: str) -> Any:
        """A GitHub expression of names, strings, ==, !=, && and ||."""
        python = NAME.sub(lambda m: f"_v({m.group(1)!r})" if m.group(1) else m.group(0), expression)
        python = python.replace("&&", " and ").replace("||", " or ")
        return eval(python, {"_v": self.value})

    def substitute(self, text: str) -> str:
        return EXPRESSION.sub(lambda m: str(self.evaluate(m.group(1))), text)


def _inputs(given: dict[str, str]) -> dict[str, str]:
    defaults = {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()}
    unknown = set(given) - set(defaults)
    assert not unknown, f"not inputs of action.yml: {unknown}"
    return {**defaults, **given}


def run_action(job: Job) -> int:
    """Run the action's steps in order, as the runner does; return the failing step's code."""
    temp = Path(job.value("runner.temp"))
    temp.mkdir(exist_ok=True)
    for step in ACTION["runs"]["steps"]:
        condition = step.get("if")
        if condition and not job.evaluate(condition):
            continue
        code = _step(job, step, temp)
        if code != 0:
            return code
    return 0


def _step(job: Job, step: dict[str, Any], temp: Path) -> int:
    if "uses" in step:
        return _uses(job, step)
    if step.get("id") == "install":
        # Installing from the action's checkout needs a package index; the test runs the
        # rampctl of this checkout instead (the install script itself is checked below).
        shim = temp / "rampctl"
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m rampctl "$@"\n')
        shim.chmod(0o755)
        job.outputs["install"] = {"rampctl": str(shim)}
        return 0
    return _run(job, step, temp)


def _run(job: Job, step: dict[str, Any], temp: Path) -> int:
    output = temp / "github_output"
    output.write_text("")
    env = {
        **os.environ,
        **_actions_env(job, temp, output),
        **{k: job.substitute(str(v)) for k, v in step.get("env", {}).items()},
    }
    cwd = job.repo / job.substitute(step.get("working-directory", "."))
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    job.log.append(f"## {step['name']}: {result.returncode}\n{result.stdout}{result.stderr}")
    if "id" in step:
        lines = output.read_text().splitlines()
        job.outputs[step["id"]] = dict(line.split("=", 1) for line in lines if "=" in line)
    return result.returncode


def _uses(job: Job, step: dict[str, Any]) -> int:
    action = step["uses"].split("@")[0]
    assert re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", step["uses"]), "pin actions by SHA"
    if action == "actions/setup-python":
        return 0
    assert action == "actions/upload-artifact", f"the test cannot play {action}"
    name = job.substitute(step["with"]["name"])
    path = Path(job.substitute(step["with"]["path"]))
    job.github.upload_artifact(
        name, {path.name: path.read_bytes()}, head_sha=job.event["pull_request"]["head"]["sha"]
    )
    return 0


def _actions_env(job: Job, temp: Path, output: Path) -> dict[str, str]:
    event_path = temp / "event.json"
    event_path.write_text(json.dumps(job.event))
    summary = temp / "step_summary.md"
    summary.touch()
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_ACTION_PATH": str(REPO),
        "GITHUB_API_URL": job.github.base_url,
        "GITHUB_SERVER_URL": "https://github.example",
        "GITHUB_REPOSITORY": GITHUB_REPO,
        "GITHUB_EVENT_NAME": job.event_name,
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_SHA": job.sha,
        "GITHUB_RUN_ID": "4711",
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "RUNNER_TEMP": str(temp),
        "NO_COLOR": "1",
    }


def _git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        check=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
        },
    )
    return result.stdout.strip()


class Repository:
    """A scratch git repository of manifests with one pull request, and the jobs on it."""

    def __init__(self, project: Project, github: FakeGitHub) -> None:
        self.project = project
        self.github = github
        self.root = project.root
        _git(self.root, "init", "--quiet", "-b", "main")
        self.head = self.commit()
        self.credentials = {
            "ramp-client-id": project.sandbox.client_id,
            "ramp-client-secret": project.sandbox.client_secret,
        }

    def commit(self) -> str:
        """Commit the manifests as the pull request's head; return its SHA."""
        _git(self.root, "add", "manifests")
        _git(self.root, "commit", "--quiet", "--allow-empty", "-m", "manifests")
        self.head = _git(self.root, "rev-parse", "HEAD")
        return self.head

    def plan_job(self) -> Job:
        event = {"pull_request": {"number": 7, "head": {"sha": self.head}}}
        return self._job("plan", event, "pull_request", self.head)

    def merge(self) -> str:
        _git(self.root, "commit", "--quiet", "--allow-empty", "-m", "Merge pull request #7")
        merged = _git(self.root, "rev-parse", "HEAD")
        self.github.merge(7, head_sha=self.head, merge_sha=merged)
        return merged

    def apply_job(self, merged: str, **inputs: str) -> Job:
        return self._job("apply", {"after": merged}, "push", merged, **inputs)

    def drift_job(self) -> Job:
        return self._job("drift", {"schedule": "17 6 * * *"}, "schedule", self.head)

    def _job(self, command: str, event: dict[str, Any], name: str, sha: str, **inputs: str) -> Job:
        given = {"command": command, **self.credentials, **inputs}
        return Job(command, self.root, self.github, event, name, sha, _inputs(given))


@pytest.fixture
def repository(project: Project) -> Iterator[Repository]:
    with running_fake_github() as github:
        yield Repository(project, github)


def _apply_comment(github: FakeGitHub) -> str:
    [body] = [c["body"] for c in github.comments_on(7) if "rampctl:apply" in c["body"]]
    return body


def test_the_reviewed_plan_is_the_one_applied(repository: Repository) -> None:
    project, github = repository.project, repository.github
    plan = repository.plan_job()
    assert run_action(plan) == 0, "\n".join(plan.log)
    assert plan.outputs["plan"]["exitcode"] == "2"
    comments = [c["body"] for c in github.comments_on(7)]
    assert len(comments) == 1, "\n".join(plan.log)
    [comment] = comments
    assert comment.startswith("<!-- rampctl:plan workspace=default -->")
    [artifact] = github.artifacts.values()
    assert artifact["name"] == f"rampctl-plan-default-{repository.head}"
    reviewed = json.loads(Path(plan.outputs["plan"]["plan-file"]).read_text())
    assert project.writes() == []

    apply = repository.apply_job(repository.merge())
    assert run_action(apply) == 0, "\n".join(apply.log)
    fetched = Path(apply.outputs["fetch"]["plan-file"])
    assert json.loads(fetched.read_text()) == reviewed  # exactly the reviewed plan
    assert project.writes()
    assert "The reviewed plan was applied" in _apply_comment(github)
    assert project.rampctl("plan", "--detailed-exitcode").code == 0
    assert all(TOKEN not in entry for entry in plan.log + apply.log)
    assert all(project.sandbox.client_secret not in entry for entry in plan.log + apply.log)


def test_a_plan_made_stale_by_a_live_edit_is_refused_with_nothing_written(
    repository: Repository,
) -> None:
    project, github = repository.project, repository.github
    assert run_action(plan := repository.plan_job()) == 0, "\n".join(plan.log)
    [initech] = project.vendor_by_key("initech")
    with project.api() as api:
        api.patch(f"/vendors/{initech['id']}", json={"state": "NY"})
    project.sandbox.clear_log()
    apply = repository.apply_job(repository.merge())
    assert run_action(apply) == 4, "\n".join(apply.log)
    assert project.writes() == []
    comment = _apply_comment(github)
    assert "**Nothing was written to Ramp.**" in comment
    assert "vendor/initech changed in Ramp since the plan" in comment


def test_without_a_reviewed_plan_apply_refuses_and_says_why(repository: Repository) -> None:
    project, github = repository.project, repository.github
    apply = repository.apply_job(repository.merge())
    assert run_action(apply) == 1, "\n".join(apply.log)
    assert project.writes() == []
    assert "no reviewed plan for pull request #7" in "\n".join(apply.log)
    assert "no such plan file" in _apply_comment(github)


def test_merged_bills_apply_within_the_payment_limit_input(repository: Repository) -> None:
    project, github = repository.project, repository.github
    _write_bill(project)  # USD 1231.25 to pay
    repository.commit()
    assert run_action(plan := repository.plan_job()) == 0, "\n".join(plan.log)
    merged = repository.merge()
    project.sandbox.clear_log()
    over = repository.apply_job(merged, **{"payment-limit": "1000.00"})
    assert run_action(over) == 3, "\n".join(over.log)
    assert project.writes() == []
    assert "Raise `payment-limit`" in _apply_comment(github)
    within = repository.apply_job(merged, **{"payment-limit": "5000.00"})
    assert run_action(within) == 0, "\n".join(within.log)
    assert [w for w in project.writes() if "/bills" in w]
    assert "The reviewed plan was applied" in _apply_comment(github)


def test_the_nightly_drift_job_opens_then_closes_the_drift_issue(repository: Repository) -> None:
    project, github = repository.project, repository.github
    drifted = repository.drift_job()
    assert run_action(drifted) == 2, "\n".join(drifted.log)
    assert drifted.outputs["drift"]["exitcode"] == "2"
    [issue] = github.issues.values()
    assert issue["labels"] == ["rampctl-drift"] and issue["state"] == "open"
    assert project.writes() == []
    assert project.rampctl("apply", "--auto-approve").code == 0
    clean = repository.drift_job()
    assert run_action(clean) == 0, "\n".join(clean.log)
    assert issue["state"] == "closed"


def test_bad_inputs_are_refused_before_anything_runs(repository: Repository) -> None:
    bad = repository.apply_job("0" * 40, **{"allow-payments": "yes"})
    assert run_action(bad) == 1
    assert "allow-payments must be true or false" in bad.log[0]
    pushed = repository.apply_job("0" * 40)
    pushed.inputs["command"] = "plan"
    assert run_action(pushed) == 1
    assert "command plan runs on pull_request events, not push" in pushed.log[0]
    assert repository.github.calls == []


def test_the_install_step_installs_this_checkout_never_from_an_index() -> None:
    [install] = [s for s in ACTION["runs"]["steps"] if s.get("id") == "install"]
    script = install["run"]
    assert 'target="$GITHUB_ACTION_PATH"' in script
    assert 'pip install --quiet --disable-pip-version-check "$target"' in script
    assert "env" not in install or set(install["env"]) == {"EXTRAS"}  # no secret reaches pip
    for step in ACTION["runs"]["steps"]:
        secrets = {v for v in step.get("env", {}).values() if "secret" in str(v)}
        if secrets:
            assert step.get("id") in {"plan", "apply", "drift"}
