"""`rampctl import` options: kinds, --out, the state lock, and bad input."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from rampctl.errors import ExitCode
from rampctl.state import StateStore
from tests.functional.conftest import Project, Result, demo_project


@pytest.fixture
def demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Project]:
    """The demo sandbox and a project folder with an empty manifests folder."""
    with demo_project(tmp_path / "p", monkeypatch, capsys) as project:
        shutil.rmtree(project.root / "manifests")
        (project.root / "manifests").mkdir()
        yield project


def _ok(result: Result) -> Result:
    assert result.code == 0, result.out + result.err
    return result


def test_unknown_kind_is_a_usage_error(demo: Project) -> None:
    result = demo.rampctl("import", "--kind", "Vendor,Bil")
    assert result.code == ExitCode.ERROR
    assert "comma-separated list of Vendor, AccountingVendor" in result.err


def test_out_must_be_a_folder(demo: Project) -> None:
    (demo.root / "one.yaml").write_text("")
    result = demo.rampctl("--manifests", "one.yaml", "import")
    assert result.code == ExitCode.ERROR
    assert "--out must be a folder: one.yaml is a file" in result.err
    result = demo.rampctl("import", "--out", "one.yaml")
    assert result.code == ExitCode.ERROR and "is a file" in result.err


def test_accounting_vendors_alone_imports_every_active_one(demo: Project) -> None:
    result = _ok(demo.rampctl("import", "--kind", "AccountingVendor"))
    assert "imported 0 vendors and 12 accounting vendors in 1 file" in result.out
    assert sorted(p.name for p in (demo.root / "manifests").glob("*.yaml")) == [
        "accounting-vendors.yaml"
    ]
    assert _ok(demo.rampctl("plan", "--detailed-exitcode")).code == 0


def test_vendors_alone_link_accounting_vendors_by_remote_id(demo: Project) -> None:
    _ok(demo.rampctl("import", "--kind", "Vendor"))
    text = (demo.root / "manifests" / "vendors.yaml").read_text()
    assert "  accounting_vendor:\n    remote_id: QB-1001\n" in text
    assert demo.rampctl("plan", "--detailed-exitcode").code == ExitCode.CHANGES


def test_out_elsewhere_writes_there_and_warns_that_plan_reads_the_manifests(
    demo: Project,
) -> None:
    result = _ok(demo.rampctl("import", "--out", "drafts"))
    assert (demo.root / "drafts" / "vendors.yaml").exists()
    assert list((demo.root / "manifests").iterdir()) == []
    assert "note: plan reads manifests, not drafts" in result.err


def test_import_waits_for_no_one_holding_the_state_lock(demo: Project) -> None:
    store = StateStore(demo.root / "rampctl.state.json")
    with store.lock(command="apply"):
        result = demo.rampctl("import")
    assert result.code == ExitCode.LOCKED, result.err
    assert list((demo.root / "manifests").iterdir()) == []


def test_a_state_of_another_business_is_refused(demo: Project) -> None:
    store = StateStore(demo.root / "rampctl.state.json")
    store.write(store.load().bind(demo.sandbox.base_url, "another-business"))
    result = demo.rampctl("import")
    assert result.code == ExitCode.ERROR and "another-business" in result.err
    assert list((demo.root / "manifests").iterdir()) == []


def test_bill_needs_since_and_since_needs_bill(demo: Project) -> None:
    missing = demo.rampctl("import", "--kind", "Vendor,Bill")
    assert missing.code == ExitCode.ERROR
    assert "--kind Bill needs --since DATE" in missing.err
    alone = demo.rampctl("import", "--since", "2025-01-01")
    assert alone.code == ExitCode.ERROR
    assert "--since applies to bills only: add Bill to --kind" in alone.err
    bad = demo.rampctl("import", "--kind", "Bill", "--since", "01/02/2025")
    assert bad.code == ExitCode.ERROR and "--since" in bad.err
    assert list((demo.root / "manifests").iterdir()) == []
    assert demo.sandbox.request_log() == []  # refused before reading Ramp


def test_bills_alone_dry_run_prints_the_bill_file(demo: Project) -> None:
    _ok(demo.rampctl("import", "--kind", "Vendor", "--split"))
    result = _ok(demo.rampctl("import", "--kind", "Bill", "--since", "2025-01-01", "--dry-run"))
    assert "# --- manifests/bills.yaml\n" in result.out
    assert (
        "  vendor: acme-cloud-inc\n" in result.out and '  issue_date: "2025-01-10"\n' in result.out
    )
    assert "would import 0 vendors, 0 accounting vendors and 2 bills in 1 file" in result.out
    assert not (demo.root / "manifests" / "bills.yaml").exists()
