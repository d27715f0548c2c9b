"""Runs one after another share Ramp's rate limit: the client carries its window across runs."""

from __future__ import annotations

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
