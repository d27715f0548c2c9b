"""Crash suite for bills: randomised kills and late commits never pay a bill twice.

Each trial adds two bills and applies them under one randomly drawn hazard: the process
killed (SIGKILL) at a random write boundary, or Ramp answering a bill create 504, dropping
it, or dropping it after committing, with the commit landing after the answer. Then apply
runs until it succeeds. After every trial each invoice number has exactly one bill.
"""

from __future__ import annotations

import os
import random
import signal
import time
from typing import Any

import pytest

from rampctl.sandbox.settings import FaultRule
from tests.functional.conftest import Project
from tests.functional.test_bills import ACME_BILL, _bills_api

TRIALS = int(os.environ.get("RAMPCTL_CRASH_TRIALS", "20"))
KILL_POINTS = ("before_send", "after_send", "after_state")
FAULTS = ("late_commit", "late_commit_drop", "drop_after_commit", "5xx")


def _add_bills(project: Project, trial: int) -> list[str]:
    folder = project.root / "manifests" / "bills"
    folder.mkdir(exist_ok=True)
    numbers = []
    for n in range(2):
        number = f"T{trial:02d}-{n}"
        text = ACME_BILL.format(
            memo=f"Trial {trial}", amount=f"{100 + trial}.00", arrival="2025-03-28"
        )
        text = text.replace("name: acme-inv-2001", f"name: trial-{trial}-{n}")
        text = text.replace("invoice_number: INV-2001", f"invoice_number: {number}")
        (folder / f"trial-{trial}-{n}.yaml").write_text(text)
        numbers.append(number)
    return numbers


def _all_bills(project: Project) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    with _bills_api(project) as api:
        for archived in ("false", "true"):
            url: str | None = f"/bills?page_size=100&is_archived={archived}"
            while url:
                page = api.get(url).json()
                found += page["data"]
                url = page["page"]["next"]
    return found


def _hazard(project: Project, rng: random.Random) -> tuple[str, dict[str, str]]:
    if rng.random() < 0.35:  # a kill costs a process start: a third of the trials
        point = f"{rng.choice(KILL_POINTS)}:{rng.randint(1, 2)}"
        return f"kill at {point}", {"RAMPCTL_CRASH_AT": point}
    kind = rng.choice(FAULTS)
    project.sandbox.settings.faults.append(
        FaultRule(kind=kind, method="POST", path="/developer/v1/bills", count=1)  # type: ignore[arg-type]
    )
    return kind, {}


@pytest.mark.timeout(600)
def test_no_duplicate_bill_over_randomised_kills_and_late_commits(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAMPCTL_TIMEOUT", "1")  # the wait-out after an uncertain write
    project.sandbox.settings.late_commit_ms = 300
    # Trials follow one another fast; the rate limit is another test's subject.
    project.sandbox.settings.rate_limit = 1_000_000
    assert project.rampctl("apply", "--auto-approve").code == 0  # vendors first
    seed = random.SystemRandom().randrange(2**32)
    rng = random.Random(seed)
    started, outcomes = time.monotonic(), []
    numbers: list[str] = []
    for trial in range(TRIALS):
        numbers += _add_bills(project, trial)
        hazard, env = _hazard(project, rng)
        if env:
            killed = project.apply_in_subprocess("--allow-payments", **env)
            code, err = killed.returncode, killed.stderr
        else:
            result = project.rampctl("apply", "--auto-approve", "--allow-payments")
            code, err = result.code, result.err
        outcomes.append((hazard, code))
        assert code in (0, 6, -signal.SIGKILL), (seed, hazard, err)
        for _ in range(3):
            if project.rampctl("apply", "--auto-approve", "--allow-payments").code == 0:
                break
        counts: dict[str, int] = {}
        for bill in _all_bills(project):
            counts[bill["invoice_number"]] = counts.get(bill["invoice_number"], 0) + 1
        assert {n: counts.get(n, 0) for n in numbers} == dict.fromkeys(numbers, 1), (
            f"seed {seed}, trial {trial} ({hazard}): {outcomes}"
        )
    assert project.rampctl("plan", "--detailed-exitcode").code == 0
    elapsed = time.monotonic() - started
    kills = sum(1 for h, _ in outcomes if h.startswith("kill"))
    print(  # the figures, shown with -s
        f"\n{TRIALS} trials (seed {seed}): {kills} kills, {TRIALS - kills} faults, "
        f"{len(numbers)} bills, none twice, in {elapsed:.1f} s"
    )
