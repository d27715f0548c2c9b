"""A saved plan applies exactly what was reviewed: the file's choice of changes is checked
against a plan made now with the same --target/--exclude, so an edited file cannot add one."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rampctl.engine.plan import checksum
from tests.functional.conftest import REPO, Project


def _edit_acme_and_drop_initech(project: Project) -> None:
    acme = project.root / "manifests/vendors/engineering/acme-cloud.yaml"
    acme.write_text(acme.read_text().replace("Cloud hosting", "Cloud hosting and CDN"))
    (project.root / "manifests/vendors/engineering/initech.yaml").unlink()


def _read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _write(path: Path, data: dict[str, Any]) -> None:
    """Write an edited plan with a valid checksum (it has no key: anyone can recompute it)."""
    data.pop("checksum", None)
    data["checksum"] = checksum(data)
    path.write_text(json.dumps(data, indent=2))


def _smuggle_delete(project: Project) -> Path:
    """A targeted plan with the full plan's delete of vendor/initech copied in."""
    assert project.rampctl("plan", "--target", "vendor/acme-cloud", "--out", "t.plan").code == 0
    assert project.rampctl("plan", "--out", "full.plan").code == 0
    targeted, full = _read(project.root / "t.plan"), _read(project.root / "full.plan")
    assert [c["action"] for c in targeted["changes"]] == ["update"]
    [delete] = [c for c in full["changes"] if c["address"] == "vendor/initech"]
    assert delete["action"] == "delete"
    targeted["changes"].append(delete)
    targeted["fingerprints"]["vendor/initech"] = full["fingerprints"]["vendor/initech"]
    targeted["summary"]["delete"] = targeted["summary"].get("delete", 0) + 1
    _write(project.root / "t.plan", targeted)
    return project.root / "t.plan"


def test_a_delete_copied_into_a_targeted_plan_is_refused(project: Project) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    _edit_acme_and_drop_initech(project)
    edited = _smuggle_delete(project)
    project.sandbox.clear_log()
    refused = project.rampctl("apply", "--allow-deletes", str(edited))
    assert refused.code == 4, refused.out + refused.err
    assert "vendor/initech (delete): not in a plan made now" in refused.err
    assert "--target vendor/acme-cloud" in refused.err
    assert project.writes() == []
    assert len(project.vendor_by_key("initech")) == 1


def test_a_targeted_plan_still_applies_what_it_chose(project: Project) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    _edit_acme_and_drop_initech(project)
    assert project.rampctl("plan", "--target", "vendor/acme-cloud", "--out", "t.plan").code == 0
    shown = project.rampctl("show", "t.plan")
    assert "Only the changes chosen by --target vendor/acme-cloud." in shown.out
    project.sandbox.clear_log()
    applied = project.rampctl("apply", "t.plan")
    assert applied.code == 0, applied.out + applied.err
    [acme] = project.vendor_by_key("acme-cloud")
    assert project.writes() == [f"PATCH /developer/v1/vendors/{acme['id']}"]
    assert len(project.vendor_by_key("initech")) == 1  # not targeted: left alone


def test_a_change_removed_from_the_file_is_refused(project: Project) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    _edit_acme_and_drop_initech(project)
    assert project.rampctl("plan", "--out", "full.plan").code == 0
    path = project.root / "full.plan"
    data = _read(path)
    data["changes"] = [c for c in data["changes"] if c["address"] != "vendor/acme-cloud"]
    data["summary"]["update"] -= 1
    _write(path, data)
    project.sandbox.clear_log()
    refused = project.rampctl("apply", "--allow-deletes", str(path))
    assert refused.code == 4, refused.out + refused.err
    assert "vendor/acme-cloud (update): missing from the plan file" in refused.err
    assert project.writes() == []


def test_a_widened_selection_in_the_file_is_refused(project: Project) -> None:
    """Apply plans again with the selection the file records: widened, it gives changes the
    file does not have."""
    assert project.rampctl("apply", "--auto-approve").code == 0
    _edit_acme_and_drop_initech(project)
    assert project.rampctl("plan", "--target", "vendor/acme-cloud", "--out", "t.plan").code == 0
    path = project.root / "t.plan"
    data = _read(path)
    data["selection"]["targets"] = []
    _write(path, data)
    refused = project.rampctl("apply", "--allow-deletes", str(path))
    assert refused.code == 4, refused.out + refused.err
    assert "vendor/initech (delete): missing from the plan file" in refused.err


def test_a_targeted_plan_of_an_older_format_is_read_as_untargeted(project: Project) -> None:
    """A plan file from before the selection was recorded is checked against a full plan."""
    assert project.rampctl("apply", "--auto-approve").code == 0
    _edit_acme_and_drop_initech(project)
    assert project.rampctl("plan", "--target", "vendor/acme-cloud", "--out", "t.plan").code == 0
    path = project.root / "t.plan"
    data = _read(path)
    data["format_version"] = "1.3"
    del data["selection"]
    _write(path, data)
    refused = project.rampctl("apply", "--allow-deletes", str(path))
    assert refused.code == 4, refused.out + refused.err
    assert "vendor/initech (delete): missing from the plan file" in refused.err
    assert "all changes (no --target or --exclude)" in refused.err


def test_the_deletion_gate_is_judged_on_the_changes_not_on_the_file(project: Project) -> None:
    assert project.rampctl("apply", "--auto-approve").code == 0
    _edit_acme_and_drop_initech(project)
    strict = ("--max-delete-fraction", "0.01", "--min-managed", "0")
    assert project.rampctl("plan", *strict, "--out", "full.plan").code == 0
    path = project.root / "full.plan"
    data = _read(path)
    assert data["safety"]["reasons"]  # the plan says it is unsafe
    data["safety"] = {"safe": True, "reasons": [], "replacements": []}
    _write(path, data)
    project.sandbox.clear_log()
    refused = project.rampctl("apply", *strict, str(path))
    assert refused.code == 3, refused.out + refused.err
    assert "refusing an unsafe plan (use --allow-deletes)" in refused.err
    assert project.writes() == []
    # narrowed by apply's own --target to the update, nothing is deleted: it is safe
    applied = project.rampctl("apply", *strict, "--target", "vendor/acme-cloud", str(path))
    assert applied.code == 0, applied.out + applied.err
    assert len(project.vendor_by_key("initech")) == 1


# A saved plan's money section: every entry is the one its change implies, no entry lacks a
# change, the summary is the sum of the entries; what only live Ramp knows is checked by apply.

Edit = Callable[[dict[str, Any]], None]


def _rent(project: Project) -> tuple[str, ...]:
    """The rent example applied (its landlord, then its twelve bills)."""
    root = project.root / "rent"
    shutil.copytree(REPO / "examples" / "bills", root)
    args = ("--manifests", str(root))
    assert project.rampctl(*args, "apply", "--auto-approve").code == 0
    return args


def _raise_rent(project: Project, args: tuple[str, ...]) -> Path:
    """A saved plan raising every rent bill by USD 1,000.00 (twelve raised payments)."""
    assert project.rampctl(*args, "apply", "--auto-approve", "--allow-payments").code == 0
    variables = project.root / "rent" / "vars" / "rent.yaml"
    variables.write_text(variables.read_text().replace('"8500.00"', '"9500.00"'))
    assert project.rampctl(*args, "plan", "--out", "up.json").code == 0
    return project.root / "up.json"


def _hide_raises(data: dict[str, Any]) -> None:
    for entry in data["money"]["bills"]:
        entry["before_total"] = entry["total"]
        entry["new_payment"] = None
    data["money"]["payments"] = {"count": 0, "totals": {}}


def _first(key: str, value: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        data["money"]["bills"][0][key] = value

    return edit


def _extra_archive(data: dict[str, Any]) -> None:
    entry = dict(data["money"]["bills"][0], action="archive", section="archive")
    entry.update(address="bill/rent-2027-01", new_payment=None, before_total=entry["total"])
    data["money"]["bills"].append(entry)
    data["money"]["archive"] = {"count": 1, "totals": {"USD": entry["total"]}}


def _unknown_currency(data: dict[str, Any]) -> None:
    money = data["money"]
    money["bills"][0]["currency"] = "ZZZ"
    for name in ("update", "payments"):
        section = money[name]
        section["totals"] = {"USD": section["totals"]["USD"], "ZZZ": "0.00"}


def _reorder(data: dict[str, Any]) -> None:
    data["money"]["bills"].reverse()


def _extra_key(data: dict[str, Any]) -> None:
    data["money"]["extra"] = "x"


def _extra_entry_key(data: dict[str, Any]) -> None:
    data["money"]["bills"][0]["extra"] = "x"


def _extra_line_key(data: dict[str, Any]) -> None:
    data["money"]["bills"][0]["lines"][0]["extra"] = "x"


SHOW_REFUSES: dict[str, Edit] = {
    "hidden raises": _hide_raises,
    "name": _first("name", "Harbor Properties RENT-2099-01"),
    "invoice number": _first("invoice_number", "RENT-2099-01"),
    "action": _first("action", "adopt"),
    "extra archive entry": _extra_archive,
    "unknown currency": _unknown_currency,
    "reordered entries": _reorder,
    "unknown key in money": _extra_key,
    "unknown key in a bill": _extra_entry_key,
    "unknown key in a line": _extra_line_key,
    "non-numeric total": _first("total", "abc"),
}


def _refused_by_show(project: Project, saved: Path, edits: dict[str, Edit]) -> None:
    clean = _read(saved)
    for what, edit in edits.items():
        data = copy.deepcopy(clean)
        edit(data)
        path = project.root / "edited.json"
        _write(path, data)
        shown = project.rampctl("show", str(path))
        assert shown.code == 1, f"{what}: {shown.out}{shown.err}"
        assert "was the file edited?" in shown.err or "not a plan file" in shown.err, what
        assert "unexpected" not in shown.err, what
        refused = project.rampctl("--manifests", str(project.root / "rent"), "apply", str(path))
        assert refused.code == 1, f"{what}: {refused.out}{refused.err}"


def test_a_plan_file_hiding_raised_payments_is_refused_by_show(project: Project) -> None:
    args = _rent(project)
    saved = _raise_rent(project, args)
    shown = project.rampctl("show", str(saved))
    assert shown.code == 0, shown.out + shown.err
    assert "12 new or raised payments scheduled: USD 12,000.00" in shown.out
    assert "(was USD 8,912.50)" in shown.out
    project.sandbox.clear_log()
    _refused_by_show(project, saved, SHOW_REFUSES)
    assert project.writes() == []


def test_a_created_bill_entry_edited_in_the_file_is_refused_by_show(project: Project) -> None:
    args = _rent(project)
    assert project.rampctl(*args, "plan", "--out", "new.json").code == 0
    edits = {
        "pays on": _first("pays_on", "2099-01-01"),
        "added before total": _first("before_total", "0.00"),
        "hidden payments": _hide_raises,
    }
    _refused_by_show(project, project.root / "new.json", edits)


def test_live_values_edited_in_the_file_are_refused_by_apply(project: Project) -> None:
    """What only Ramp knows (an update's payment date and method) is checked when apply
    reads Ramp again: a file that differs is refused as edited, nothing is written."""
    args = _rent(project)
    saved = _raise_rent(project, args)
    clean = _read(saved)
    for key, value in (("pays_on", "2099-01-01"), ("payment_method", "ACH")):
        data = copy.deepcopy(clean)
        data["money"]["bills"][0][key] = value
        _write(saved, data)
        project.sandbox.clear_log()
        refused = project.rampctl(*args, "apply", "--allow-payments", str(saved))
        assert refused.code == 4, f"{key}: {refused.out}{refused.err}"
        assert "bill/rent-2026-01: its money entry is not what Ramp gives now" in refused.err
        assert "was the file edited?" in refused.err
        assert project.writes() == []
    _write(saved, clean)
    applied = project.rampctl(*args, "apply", "--allow-payments", str(saved))
    assert applied.code == 0, applied.out + applied.err


def _request_line(key: str, value: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        [change, *_] = [c for c in data["changes"] if c["kind"] == "bill"]
        change["request"]["line_items"][0][key] = value

    return edit


def _drop_request_key(key: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        [change, *_] = [c for c in data["changes"] if c["kind"] == "bill"]
        del change["request"][key]

    return edit


def test_a_request_edited_past_pricing_is_refused_by_show(project: Project) -> None:
    """A request whose money cannot be worked out is refused as edited, never a crash."""
    args = _rent(project)
    assert project.rampctl(*args, "plan", "--out", "new.json").code == 0
    edits = {
        "non-numeric line": _request_line("amount", "abc"),
        "line without an amount": _request_line("amount", None),
        "no currency": _drop_request_key("invoice_currency"),
        "no payment method": _drop_request_key("payment_method"),
    }
    _refused_by_show(project, project.root / "new.json", edits)
    saved = _raise_rent(project, args)
    _refused_by_show(project, saved, {"non-numeric update line": _request_line("amount", "1e")})


def test_a_plan_whose_manifest_digest_is_of_an_earlier_form_is_refused_as_such(
    project: Project,
) -> None:
    """Plan format 1.4 files carry the manifests' digest in a form this rampctl does not
    compute: unchanged manifests cannot be told from changed ones, and apply says so."""
    assert project.rampctl("plan", "--out", "old.plan").code == 0
    path = project.root / "old.plan"
    data = _read(path)
    data["format_version"] = "1.4"
    data["manifest_digest"] = "3f" * 32  # the same manifests, digested the earlier way
    _write(path, data)
    project.sandbox.clear_log()
    refused = project.rampctl("apply", str(path))
    assert refused.code == 4, refused.out + refused.err
    assert "the manifests changed" not in refused.err
    assert (
        "the plan file (format 1.4) was written by an earlier rampctl, whose digest of the "
        "manifests this rampctl does not compute: run plan again" in refused.err
    )
    assert project.writes() == []


def test_a_plan_of_an_earlier_format_with_the_same_digest_still_applies(project: Project) -> None:
    assert project.rampctl("plan", "--out", "old.plan").code == 0
    path = project.root / "old.plan"
    data = _read(path)
    data["format_version"] = "1.4"
    _write(path, data)
    applied = project.rampctl("apply", str(path))
    assert applied.code == 0, applied.out + applied.err


def test_a_saved_archive_shows_applies_and_cannot_be_edited(project: Project) -> None:
    args = _rent(project)
    assert project.rampctl(*args, "apply", "--auto-approve", "--allow-payments").code == 0
    variables = project.root / "rent" / "vars" / "rent.yaml"
    january = '    - {month: "2026-01", arrival: "2026-01-01"}\n'
    variables.write_text(variables.read_text().replace(january, ""))
    assert project.rampctl(*args, "plan", "--out", "archive.json").code == 0
    saved = project.root / "archive.json"
    assert [e["section"] for e in _read(saved)["money"]["bills"]] == ["archive"]
    edits = {
        "lowered total before": _first("before_total", "1.00"),
        "name": _first("name", "Harbor Properties LLC RENT-2026-02"),
        "a payment": _first("new_payment", "1.00"),
    }
    _refused_by_show(project, saved, edits)
    shown = project.rampctl("show", str(saved))
    assert shown.code == 0 and "bill/rent-2026-01" in shown.out, shown.out + shown.err
    applied = project.rampctl(*args, "apply", str(saved))
    assert applied.code == 0, applied.out + applied.err
