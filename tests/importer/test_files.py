"""Where import writes, the text it writes (canonical, with the schema header), safe writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from rampctl.importer.bills import BillSource, ManagedBills, draft_bills
from rampctl.importer.draft import Draft, ImportOptions, build_draft
from rampctl.importer.existing import Existing
from rampctl.importer.files import OutputFile, layout, render, undo, write_files
from rampctl.manifest import load_manifests
from rampctl.manifest.fmt import format_text
from tests.importer.conftest import accounting, bill, bill_document, snapshot, vendor


def _draft() -> Draft:
    live = [
        vendor("v1", "Acme", accounting_vendor_remote_id="QB-1"),
        vendor("v2", "Müller GmbH", description='Says "hi": twice'),
    ]
    return build_draft(
        snapshot(live, accounting_vendors=[accounting("QB-1", "Acme")]), Existing(), ImportOptions()
    )


def test_one_file_per_kind_or_one_per_object(tmp_path: Path) -> None:
    draft = _draft()
    assert [f.path for f in layout(draft, tmp_path, split=False)] == [
        tmp_path / "accounting-vendors.yaml",
        tmp_path / "vendors.yaml",
    ]
    assert [
        f.path.relative_to(tmp_path).as_posix() for f in layout(draft, tmp_path, split=True)
    ] == [
        "accounting-vendors/acme.yaml",
        "vendors/acme.yaml",
        "vendors/muller-gmbh.yaml",
    ]


def test_rendered_files_are_canonical_valid_and_point_at_the_schema(tmp_path: Path) -> None:
    files = layout(_draft(), tmp_path, split=True)
    written = write_files({f.path: render(f, tmp_path) for f in files})
    for item in written:
        text = item.path.read_text(encoding="utf-8")
        assert text.startswith("# yaml-language-server: $schema=../rampctl.schema.json\n")
        assert format_text(text, "x.yaml").text == text
    loaded = load_manifests(tmp_path)
    assert sorted(d.address for d in loaded.documents) == [
        "accounting_vendor/acme",
        "vendor/acme",
        "vendor/muller-gmbh",
    ]
    muller = loaded.by_address("vendor/muller-gmbh")
    assert muller is not None and muller.spec.description == 'Says "hi": twice'  # type: ignore[union-attr]


def test_rendering_into_an_existing_file_keeps_its_documents(tmp_path: Path) -> None:
    path = tmp_path / "vendors.yaml"
    path.write_text(
        "# ours\napiVersion: rampctl/v1\nkind: Vendor\nmetadata: {name: keep}\nspec: {name: Keep}\n"
    )
    files = layout(_draft(), tmp_path, split=False)
    texts = {f.path: render(f, tmp_path) for f in files}
    assert texts[path].startswith("# ours\n")
    write_files(texts)
    vendors = load_manifests(tmp_path).vendors()
    assert [d.name for d in vendors] == ["keep", "acme", "muller-gmbh"]


def test_undo_restores_changed_files_and_removes_new_ones(tmp_path: Path) -> None:
    old, new = tmp_path / "old.yaml", tmp_path / "sub" / "new.yaml"
    old.write_text("before")
    written = write_files({old: "after", new: "fresh"})
    assert old.read_text() == "after" and new.read_text() == "fresh"
    assert (new.stat().st_mode & 0o777) == 0o644
    undo(written)
    assert old.read_text() == "before" and not new.exists()


def test_a_failed_write_undoes_the_files_already_written(tmp_path: Path) -> None:
    first = tmp_path / "a.yaml"
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    with pytest.raises(Exception, match="cannot write"):
        write_files({first: "a", blocked / "b.yaml": "b"})
    assert not first.exists()


def test_output_file_knows_whether_it_exists(tmp_path: Path) -> None:
    item = OutputFile(path=tmp_path / "x.yaml", documents=[])
    assert not item.exists()
    item.path.write_text("")
    assert item.exists()


def test_bills_go_to_bills_yaml_in_the_text_fmt_writes(tmp_path: Path) -> None:
    (tmp_path / "vendor.yaml").write_text(
        "apiVersion: rampctl/v1\nkind: Vendor\nmetadata:\n  name: acme\nspec:\n  name: Acme\n"
    )
    live = [bill("b1", "v1", "INV-1"), bill("b2", "v1", "INV-2", amount=35050)]
    source = BillSource(bills=live, documents=[bill_document(b, "acme") for b in live])
    draft = Draft()
    draft_bills(source, ManagedBills(), {"v1": "acme"}, snapshot([vendor("v1", "Acme")]), draft)
    split = layout(draft, tmp_path, split=True)
    assert [f.path.relative_to(tmp_path).as_posix() for f in split] == [
        "bills/acme-inv-1.yaml",
        "bills/acme-inv-2.yaml",
    ]
    [file] = layout(draft, tmp_path, split=False)
    text = render(file, tmp_path)
    assert file.path == tmp_path / "bills.yaml" and format_text(text, "x.yaml").text == text
    assert '    - amount: "350.50"\n' in text and '  issue_date: "2025-01-10"\n' in text
    write_files({file.path: text})
    loaded = load_manifests(tmp_path)
    assert [d.address for d in loaded.bills()] == ["bill/acme-inv-1", "bill/acme-inv-2"]


def test_every_document_of_a_written_file_carries_the_schema_modeline(tmp_path: Path) -> None:
    """yaml-language-server reads the modeline per document: each one needs it."""
    draft = _draft()
    (file,) = [f for f in layout(draft, tmp_path, split=False) if f.path.name == "vendors.yaml"]
    text = render(file, tmp_path)
    modeline = "# yaml-language-server: $schema=rampctl.schema.json\n"
    assert text.count(modeline) == text.count("kind: Vendor") == 2
    assert text.startswith(modeline) and f"---\n{modeline}apiVersion" in text
