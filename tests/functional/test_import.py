"""End to end: `rampctl import` from the sandbox into an empty manifests folder, then plan/apply.

The promise checked here: after import, the first plan changes nothing but the adoption
keys import announced; after apply, `plan --detailed-exitcode` exits 0.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rampctl.ramp.config import RATE_LIMIT_VAR
from rampctl.sandbox.embedded import running_sandbox
from rampctl.sandbox.seed import ident
from rampctl.sandbox.settings import SandboxSettings
from tests.functional.conftest import Project
from tests.functional.test_bills import _bills_api

FAST = 1_000_000
"""A rate limit high enough that tests do not wait (Ramp's own is 200 per 10 s)."""


@pytest.fixture
def fresh(project: Project) -> Project:
    """The demo sandbox with an empty manifests folder and no state."""
    shutil.rmtree(project.root / "manifests")
    (project.root / "manifests").mkdir()
    return project


def _changes(project: Project) -> list[tuple[str, str, list[str]]]:
    result = project.rampctl("plan", "--json")
    assert result.code == 0, result.err
    plan = json.loads(result.out)
    return [(c["action"], c["address"], [f["path"] for f in c["fields"]]) for c in plan["changes"]]


def _converges(project: Project) -> None:
    applied = project.rampctl("apply", "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    again = project.rampctl("plan", "--detailed-exitcode")
    assert again.code == 0, again.out + again.err


def _checks_pass(project: Project) -> None:
    for args in (("validate",), ("fmt", "--check")):
        result = project.rampctl(*args)
        assert result.code == 0, result.out + result.err


def test_import_then_plan_shows_only_the_announced_adoption_key(fresh: Project) -> None:
    result = fresh.rampctl("import")
    assert result.code == 0, result.err
    assert "imported 4 vendors and 4 accounting vendors in 2 files" in result.out
    assert "vendor/umbrella-insurance: umbrella-insurance" in result.err
    assert "left out 1 inactive object " in result.err
    assert fresh.writes() == []  # import only reads Ramp
    files = sorted(p.name for p in (fresh.root / "manifests").iterdir())
    assert files == ["accounting-vendors.yaml", "rampctl.schema.json", "vendors.yaml"]
    _checks_pass(fresh)
    assert _changes(fresh) == [("update", "vendor/umbrella-insurance", ["external_id"])]
    _converges(fresh)
    assert len(fresh.vendor_by_key("umbrella-insurance")) == 1


def test_import_all_split_named_by_external_id(fresh: Project) -> None:
    args = ("import", "--filter", "all", "--split", "--name-from", "external_id")
    result = fresh.rampctl(*args)
    assert result.code == 0, result.err
    vendors = fresh.root / "manifests" / "vendors"
    assert sorted(p.name for p in vendors.iterdir()) == [
        "acme-cloud.yaml",
        "globex-logistics.yaml",
        "initech.yaml",
        "umbrella-insurance.yaml",
        "vandelay-imports.yaml",
    ]
    vandelay = (vendors / "vandelay-imports.yaml").read_text()
    assert vandelay.startswith("# yaml-language-server: $schema=../rampctl.schema.json\n")
    assert "  active: false\n" in vandelay and "accounting_vendor" not in vandelay
    acme = (vendors / "acme-cloud.yaml").read_text()
    assert "  accounting_vendor: acme-cloud-inc\n" in acme and "external_id" not in acme
    assert (
        '    phone: "+14155550100"\n' in acme and "  owner: bob.martin@northwind.example\n" in acme
    )
    _checks_pass(fresh)
    assert _changes(fresh) == [
        ("update", "vendor/umbrella-insurance", ["external_id"]),
        ("update", "vendor/vandelay-imports", ["external_id"]),
    ]
    _converges(fresh)


def test_sensitive_vendor_data_never_reaches_the_files_or_state(fresh: Project) -> None:
    assert fresh.rampctl("import", "--filter", "all").code == 0
    texts = [p.read_text() for p in (fresh.root / "manifests").glob("*.yaml")]
    texts.append((fresh.root / "rampctl.state.json").read_text())
    for text in texts:
        for word in ("Acme operating", "account_number", "routing", "tax_id", "client_secret"):
            assert word not in text


def test_dry_run_prints_the_files_and_writes_nothing(fresh: Project) -> None:
    result = fresh.rampctl("import", "--dry-run")
    assert result.code == 0, result.err
    assert "# --- manifests/vendors.yaml" in result.out
    assert "  name: Umbrella Insurance\n" in result.out
    assert "would import 4 vendors" in result.out
    assert list((fresh.root / "manifests").iterdir()) == []
    assert not (fresh.root / "rampctl.state.json").exists()


def _new_vendor(project: Project, name: str) -> None:
    alice = ident("user:alice.chen@northwind.example")
    with project.api() as api:
        body = {
            "name": name,
            "country": "US",
            "vendor_owner_id": alice,
            "business_vendor_contacts": {"email": "hi@acme-eu.example"},
        }
        assert api.post("/vendors", json=body).status_code < 300


def _tree(project: Project) -> dict[str, str]:
    root = project.root / "manifests"
    return {p.relative_to(root).as_posix(): p.read_text() for p in root.rglob("*.yaml")}


def test_reimport_skips_managed_vendors_and_refuses_existing_files(fresh: Project) -> None:
    assert fresh.rampctl("import").code == 0
    before, state_before = _tree(fresh), (fresh.root / "rampctl.state.json").read_text()
    again = fresh.rampctl("import")
    assert again.code == 0, again.err
    assert "imported 0 vendors and 0 accounting vendors in 0 files" in again.out
    assert "skipped Vendor 'Acme Cloud Inc.': already managed as vendor/acme-cloud-inc" in again.err
    assert _tree(fresh) == before
    assert (fresh.root / "rampctl.state.json").read_text() == state_before

    _new_vendor(fresh, "Acme Cloud Inc")  # the same slug as an imported vendor
    refused = fresh.rampctl("import")
    assert refused.code == 1
    assert "refusing to write into existing manifest files: manifests/vendors.yaml" in refused.err
    assert _tree(fresh) == before

    forced = fresh.rampctl("import", "--force")
    assert forced.code == 0, forced.err
    assert "vendor/acme-cloud-inc-2: acme-cloud-inc-2" in forced.err
    text = (fresh.root / "manifests" / "vendors.yaml").read_text()
    assert text.startswith(before["vendors.yaml"].rstrip("\n") + "\n---\n")
    _checks_pass(fresh)
    assert _changes(fresh) == [
        ("update", "vendor/acme-cloud-inc-2", ["external_id"]),
        ("update", "vendor/umbrella-insurance", ["external_id"]),
    ]
    _converges(fresh)


def test_reimport_with_split_adds_only_the_new_vendor(fresh: Project) -> None:
    assert fresh.rampctl("import", "--split").code == 0
    _new_vendor(fresh, "Acme Europe")
    result = fresh.rampctl("import", "--split")
    assert result.code == 0, result.err
    assert "imported 1 vendor and 0 accounting vendors in 1 file" in result.out
    assert "vendors/acme-europe.yaml" in _tree(fresh)
    _checks_pass(fresh)
    _converges(fresh)


@pytest.fixture
def generated(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[Project]:
    """A sandbox seeded with a generated business (2,000 vendors unless the test asks for
    another count), an empty manifests folder."""
    count = str(getattr(request, "param", "2000"))
    with running_sandbox(seed=count, settings=SandboxSettings(rate_limit=FAST)) as sandbox:
        env = {
            "RAMP_BASE_URL": sandbox.base_url,
            "RAMP_CLIENT_ID": sandbox.client_id,
            "RAMP_CLIENT_SECRET": sandbox.client_secret,
            RATE_LIMIT_VAR: str(FAST),
        }
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        monkeypatch.delenv("RAMPCTL_SANDBOX", raising=False)
        project = Project(tmp_path, sandbox, capsys)
        shutil.rmtree(project.root / "manifests")
        (project.root / "manifests").mkdir()
        yield project


def test_import_of_a_generated_business_of_2000_vendors(generated: Project) -> None:
    result = generated.rampctl("import")
    assert result.code == 0, result.err
    assert "imported 2000 vendors and 200 accounting vendors in 2 files" in result.out
    assert "warning" not in result.err
    plan = generated.rampctl("plan", "--detailed-exitcode")
    assert plan.code == 0, plan.out[-2000:] + plan.err[-2000:]


@pytest.mark.parametrize("generated", ["300"], indirect=True)
def test_a_large_import_is_split_into_files_the_loader_accepts(
    generated: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 300 vendors make a ~90 KB file; a 20 KB budget (and loader limit) stands in for a
    # 10,000-vendor business against the real ones (bench/bench_import_scale.py measures that).
    monkeypatch.setattr("rampctl.importer.files.MAX_WRITTEN_BYTES", 20_000)
    monkeypatch.setattr("rampctl.manifest.yamlparse.MAX_FILE_BYTES", 22_000)
    result = generated.rampctl("import")
    assert result.code == 0, result.err
    assert "Read 300 vendors and 30 accounting vendors from Ramp" in result.err
    files = sorted((generated.root / "manifests").glob("*.yaml"))
    names = [f.name for f in files]
    assert len(files) > 5 and "vendors.yaml" not in names
    assert "vendors-1.yaml" in names or "vendors-01.yaml" in names
    assert all(f.stat().st_size <= 20_000 for f in files)
    assert generated.rampctl("validate").code == 0
    plan = generated.rampctl("plan", "--detailed-exitcode")
    assert plan.code == 0, plan.out[-2000:] + plan.err[-2000:]


def test_import_into_a_managed_tree_adds_only_what_no_manifest_claims(project: Project) -> None:
    result = project.rampctl("import")
    assert result.code == 0, result.err
    assert "imported 1 vendor and 1 accounting vendor in 2 files" in result.out
    assert "skipped Vendor 'Acme Cloud Inc.': already managed as vendor/acme-cloud" in result.err
    assert "warning" not in result.err
    plan = {(a, addr) for a, addr, _ in _changes(project) if addr.endswith("umbrella-insurance")}
    assert plan == {("update", "vendor/umbrella-insurance")}


# --- bills -----------------------------------------------------------------------------------

WITH_BILLS = ("import", "--kind", "Vendor,AccountingVendor,Bill", "--since", "2020-01-01")


def _state(project: Project) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((project.root / "rampctl.state.json").read_text())
    return data


def _bill_changes(project: Project) -> list[tuple[str, str, list[str]]]:
    return [c for c in _changes(project) if c[1].startswith("bill/")]


def test_import_with_bills_writes_the_open_bills_and_the_first_plan_leaves_them(
    fresh: Project,
) -> None:
    result = fresh.rampctl(*WITH_BILLS)
    assert result.code == 0, result.err
    assert "imported 4 vendors, 4 accounting vendors and 2 bills in 3 files" in result.out
    assert "recorded 10 objects" in result.out and "warning" not in result.err
    assert fresh.writes() == []
    text = (fresh.root / "manifests" / "bills.yaml").read_text()
    assert text.count("kind: Bill\n") == 2
    assert "  name: acme-cloud-inc-inv-1001\n" in text and "  vendor: acme-cloud-inc\n" in text
    assert "    vendor_account: Acme operating\n" in text
    assert "    source_account: Operating Checking\n" in text
    assert "GX-77" not in text  # Globex's bill is paid
    bill = _state(fresh)["resources"]["bill/acme-cloud-inc-inv-1002"]
    acme = _state(fresh)["resources"]["vendor/acme-cloud-inc"]["ramp_id"]
    assert (bill["key"], bill["depends_on"]) == (f"{acme}:INV-1002", ["vendor/acme-cloud-inc"])
    assert bill["attributes"]["total"] == "350.50"
    _checks_pass(fresh)
    assert _changes(fresh) == [("update", "vendor/umbrella-insurance", ["external_id"])]
    _converges(fresh)


def test_bills_of_unmanaged_vendors_are_skipped_and_reported(fresh: Project) -> None:
    result = fresh.rampctl("import", "--kind", "Bill", "--since", "2020-01-01")
    assert result.code == 0, result.err
    assert "imported 0 vendors, 0 accounting vendors and 0 bills in 0 files" in result.out
    for number in ("INV-1001", "INV-1002"):
        assert (
            f"skipped Bill 'Acme Cloud Inc. {number}': its vendor 'Acme Cloud Inc.' is not "
            "managed" in result.err
        )
    assert "GX-77" not in result.err
    assert list((fresh.root / "manifests").iterdir()) == []


def test_since_filters_by_issue_date(fresh: Project) -> None:
    later = fresh.rampctl("import", "--kind", "Vendor,Bill", "--since", "2025-01-11", "--dry-run")
    assert later.code == 0, later.err
    assert "would import 4 vendors, 0 accounting vendors and 0 bills" in later.out
    same_day = fresh.rampctl("import", "--kind", "Vendor,Bill", "--since", "2025-01-10", "--split")
    assert same_day.code == 0, same_day.err
    assert "imported 4 vendors, 0 accounting vendors and 2 bills in 6 files" in same_day.out
    bills = fresh.root / "manifests" / "bills"
    assert sorted(p.name for p in bills.iterdir()) == [
        "acme-cloud-inc-inv-1001.yaml",
        "acme-cloud-inc-inv-1002.yaml",
    ]
    assert (
        (bills / "acme-cloud-inc-inv-1001.yaml")
        .read_text()
        .startswith("# yaml-language-server: $schema=../rampctl.schema.json\n")
    )
    _checks_pass(fresh)
    assert _bill_changes(fresh) == []


def test_reimport_skips_imported_bills_and_plain_import_still_checks_them(fresh: Project) -> None:
    assert fresh.rampctl(*WITH_BILLS).code == 0
    before = _tree(fresh)
    again = fresh.rampctl(*WITH_BILLS)
    assert again.code == 0, again.err
    assert "and 0 bills in 0 files" in again.out
    assert (
        "skipped Bill 'Acme Cloud Inc. INV-1001': already managed as "
        "bill/acme-cloud-inc-inv-1001" in again.err
    )
    _new_vendor(fresh, "Acme Europe")
    plain = fresh.rampctl("import", "--split", "--out", "manifests/more")
    assert plain.code == 0, plain.err
    assert "imported 1 vendor " in plain.out and "warning" not in plain.err
    assert {k: v for k, v in _tree(fresh).items() if not k.startswith("more/")} == before
    assert _bill_changes(fresh) == []


def test_bills_of_vendors_in_existing_manifests_reference_them(project: Project) -> None:
    result = project.rampctl("import", "--kind", "Bill", "--since", "2020-01-01")
    assert result.code == 0, result.err
    assert "imported 0 vendors, 0 accounting vendors and 2 bills in 1 file" in result.out
    assert "warning" not in result.err
    text = (project.root / "manifests" / "bills.yaml").read_text()
    assert text.count("  vendor: acme-cloud\n") == 2
    assert _bill_changes(project) == []


def test_sensitive_data_never_reaches_imported_bills(fresh: Project) -> None:
    assert fresh.rampctl(*WITH_BILLS).code == 0
    texts = [(fresh.root / "manifests" / "bills.yaml").read_text()]
    texts.append((fresh.root / "rampctl.state.json").read_text())
    for text in texts:
        for word in ("account_number", "routing", "tax_id", "client_secret"):
            assert word not in text


def test_a_bill_plan_would_refuse_is_left_out_and_the_rest_imported(fresh: Project) -> None:
    with fresh.api() as api:
        [acme] = api.get("/vendors", params={"external_vendor_id": "acme-cloud"}).json()["data"]
    with _bills_api(fresh) as api:
        template = api.get("/bills", params={"vendor_id": acme["id"]}).json()["data"][0]
        details = template["payment"]["details"]
        body = {
            "vendor_id": acme["id"],
            "vendor_contact_id": template["vendor_contact_id"],
            "entity_id": template["entity_id"],
            "invoice_number": "WIRE-1",
            "invoice_currency": "USD",
            "issued_at": "2025-01-12",
            "due_at": "2025-02-12",
            "payment_method": "DOMESTIC_WIRE",  # with Acme's ACH account: plan refuses that
            "payment_details": {
                "payment_arrival_date": "2025-02-11",
                "source_bank_account_id": details["source_bank_account_id"],
                "vendor_account_id": details["vendor_account_id"],
            },
            "line_items": [{"amount": "10.00", "memo": "Wire"}],
        }
        assert api.post("/bills", json=body).status_code == 201
    result = fresh.rampctl(*WITH_BILLS)
    assert result.code == 0, result.out + result.err
    assert "skipped Bill 'Acme Cloud Inc. WIRE-1': plan would refuse it" in result.err
    assert "imported 4 vendors, 4 accounting vendors and 2 bills in 3 files" in result.out
    _checks_pass(fresh)


def test_long_text_with_double_spaces_is_imported_as_it_is_in_ramp(fresh: Project) -> None:
    description = ("w  " * 2000).strip()  # longer than a line rampctl would ever fold at
    with fresh.api() as api:
        initech = api.get("/vendors", params={"external_vendor_id": "initech"}).json()["data"][0]
        api.patch(f"/vendors/{initech['id']}", json={"description": description})
    result = fresh.rampctl("import")
    assert result.code == 0, result.err
    _checks_pass(fresh)
    assert _changes(fresh) == [("update", "vendor/umbrella-insurance", ["external_id"])]
