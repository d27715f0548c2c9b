"""Clearing an accounting vendor's `active` flag is a positioned plan error (Ramp has no
"unset" for it), never an update that sends nothing and shows again on every plan."""

from __future__ import annotations

from tests.functional.conftest import Project


def test_clearing_active_is_a_positioned_error(project: Project) -> None:
    applied = project.rampctl("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    path = project.root / "manifests/accounting/erp-vendors.yaml"
    text = path.read_text()
    path.write_text(text.replace("  code: ACME\n", "  code: ACME\n  active: ~\n", 1))
    result = project.rampctl("plan")
    assert result.code == 1, result.out + result.err
    assert "erp-vendors.yaml:12:3: accounting_vendor/acme-cloud: spec.active" in result.err
    assert "Ramp's API cannot clear active" in result.err
    project.sandbox.clear_log()
    assert project.rampctl("apply", "--auto-approve").code == 1
    assert project.writes() == []
