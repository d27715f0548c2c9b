"""Runs one after another share Ramp's rate limit: the client carries its window across runs."""

from __future__ import annotations

import time

from rampctl.ramp.config import config_from_env
from rampctl.ramp.window_file import save_window, window_path
from tests.functional.conftest import Project

CREATES = 150
PLANS = 3


def _add_vendors(project: Project, count: int) -> None:
    """A manifest of `count` new vendors (one create each)."""
    docs = [
        "apiVersion: rampctl/v1\nkind: Vendor\n"
        f"metadata:\n  name: supplier-{n:03d}\n"
        f"spec:\n  name: Supplier {n:03d}\n  country: US\n  state: CA\n"
        "  owner: carol.diaz@northwind.example\n"
        f"  contact:\n    email: billing@supplier-{n:03d}.example\n"
        for n in range(count)
    ]
    (project.root / "manifests" / "vendors" / "suppliers.yaml").write_text("---\n".join(docs))


def test_plans_right_after_apply_get_no_429(project: Project) -> None:
    """Ramp counts an apply and the plans right after it (a normal CI sequence) against one
    credential's window of 200 requests per rolling 10 s. Each run alone stays under it,
    together they do not: a run must start from the window the runs before it left, not an
    empty one."""
    settings = project.sandbox.settings
    assert (settings.rate_limit, settings.rate_window_s) == (200, 10.0)  # Ramp's limit
    _add_vendors(project, CREATES)
    applied = project.rampctl("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    assert len(project.sandbox.request_log()) < 200  # apply alone fits in one window
    outputs = applied.err
    for _ in range(PLANS):
        planned = project.rampctl("plan", "--detailed-exitcode")
        assert planned.code == 0, planned.out + planned.err
        outputs += planned.err
    statuses = [r.status for r in project.sandbox.request_log()]
    assert len(statuses) > 200  # the runs together are past one window's limit
    assert 429 not in statuses
    assert "429" not in outputs


def _use_most_of_the_window(project: Project, count: int) -> None:
    """`count` requests of these credentials just now (a token request, then list pages), by
    another rampctl run: recorded in the window rampctl carries across runs."""
    with project.api() as api:
        for _ in range(count - 1):
            api.get("/vendors", params={"page_size": "2"}).raise_for_status()
    config = config_from_env(None)
    save_window(window_path(config), [time.time()] * count, config.rate_window_s)


def test_a_plan_in_a_nearly_full_window_waits_for_it_and_gets_no_429(project: Project) -> None:
    """A plan right after another run that used most of Ramp's window (200 requests per
    rolling 10 s): its reads (users and vendor pages first, the accounting vendors and
    entities paced beside them) wait for the window instead of getting 429, and it plans
    exactly what it plans in an empty window."""
    settings = project.sandbox.settings
    assert (settings.rate_limit, settings.rate_window_s) == (200, 10.0)  # Ramp's limit
    first = project.rampctl("plan", "--detailed-exitcode")
    needed = len(project.sandbox.request_log())
    _use_most_of_the_window(project, 200 - needed - needed // 2)
    project.sandbox.clear_log()
    again = project.rampctl("plan", "--detailed-exitcode")
    statuses = [r.status for r in project.sandbox.request_log()]
    assert len(statuses) == needed
    assert 429 not in statuses
    assert (again.code, again.out) == (first.code, first.out)
