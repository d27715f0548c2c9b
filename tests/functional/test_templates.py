"""Templated bills keyed by their own data: removing one month archives just that bill."""

from __future__ import annotations

import json
import shutil

from tests.functional.conftest import REPO, Project


def test_removing_one_month_of_the_rent_example_archives_just_that_bill(
    project: Project,
) -> None:
    root = project.root / "rent"
    shutil.copytree(REPO / "examples" / "bills", root)
    args = ("--manifests", str(root))
    assert project.rampctl(*args, "apply", "--auto-approve").code == 0  # the landlord first
    created = project.rampctl(*args, "apply", "--auto-approve", "--allow-payments")
    assert created.code == 0, created.out + created.err
    assert project.rampctl(*args, "plan", "--detailed-exitcode").code == 0
    variables = root / "vars" / "rent.yaml"
    text = variables.read_text()
    january = '    - {month: "2026-01", arrival: "2026-01-01"}\n'
    assert january in text
    variables.write_text(text.replace(january, ""))
    plan = json.loads(project.rampctl(*args, "plan", "--json").out)
    assert [(c["action"], c["address"]) for c in plan["changes"]] == [
        ("archive", "bill/rent-2026-01")
    ]
    project.sandbox.clear_log()
    applied = project.rampctl(*args, "apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    assert [w.split(" ")[0] for w in project.writes()] == ["DELETE"]
