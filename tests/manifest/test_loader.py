"""load_manifests: the bundled demo manifests, the public API, templates and variables."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rampctl.errors import ConfigError, ManifestError
from rampctl.manifest import (
    AccountingRef,
    AccountingVendorSpec,
    Position,
    VendorSpec,
    load_manifests,
)
from rampctl.manifest import loader as loader_module

REPO = Path(__file__).resolve().parents[2]
MANIFESTS = REPO / "manifests"
SEEDED = {  # the demo business's existing vendors that the manifests adopt
    "acme-cloud": ("Acme Cloud Inc.", "US", "CA", "bob.martin@northwind.example", "QB-1001"),
    "globex-logistics": ("Globex Logistics", "US", "NY", "carol.diaz@northwind.example", "QB-1002"),
    "initech": ("Initech Software", "US", "TX", "dave.okafor@northwind.example", "QB-1003"),
}
USERS = {
    f"{u}@northwind.example"
    for u in (
        "alice.chen",
        "bob.martin",
        "carol.diaz",
        "dave.okafor",
        "erin.walsh",
        "frank.ito",
        "grace.kim",
        "henry.novak",
    )
}


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def vendor(name: str, extra: str = "") -> str:
    return (
        f"apiVersion: rampctl/v1\nkind: Vendor\nmetadata:\n  name: {name}\n"
        f"spec:\n  name: {name.title()}\n{extra}"
    )


def test_bundled_manifests_describe_the_demo_business() -> None:
    result = load_manifests(MANIFESTS)
    vendors = result.vendors()
    assert 10 <= len(vendors) <= 15
    for doc in vendors:
        spec = doc.spec
        assert isinstance(spec, VendorSpec)
        assert spec.owner in USERS and spec.contact is not None, doc.address
        assert spec.country is not None
    linked = [result.accounting_remote_id(d) for d in vendors]
    claimed = {
        d.spec.remote_id
        for d in result.accounting_vendors()
        if isinstance(d.spec, AccountingVendorSpec)
    }
    assert not {"QB-1004", "QB-1009"} & (set(linked) | claimed)
    assert len([r for r in linked if r]) == len({r for r in linked if r})
    for name, (title, country, state, owner, remote) in SEEDED.items():
        doc = result.by_address(f"vendor/{name}")
        assert doc is not None and isinstance(doc.spec, VendorSpec)
        assert (doc.spec.name, doc.spec.country, doc.spec.state, doc.spec.owner) == (
            title,
            country,
            state,
            owner,
        )
        assert doc.spec.key(doc.name) == name
        assert result.accounting_remote_id(doc) == remote
    assert any(f.endswith(".yaml.j2") for f in result.files)


def test_lossless_values_reach_the_spec(tmp_path: Path) -> None:
    extra = (
        "  country: NO\n  address: {line1: 1 Main St, city: Boston, postal_code: 02134}\n"
        "  contact: {email: AP@Acme.Example, phone: +14155550100}\n"
        "  external_id: '12:30'\n  description: 011000015\n  active: yes\n"
        "  accounting_vendor: {remote_id: 0042}\n"
    )
    _write(tmp_path, "v.yaml", vendor("acme", extra))
    [doc] = load_manifests(tmp_path).documents
    spec = doc.spec
    assert isinstance(spec, VendorSpec) and spec.address and spec.contact
    assert spec.country == "NO" and spec.address.postal_code == "02134"
    assert spec.contact.phone == "+14155550100" and spec.contact.email == "ap@acme.example"
    assert spec.external_id == "12:30" and spec.description == "011000015"
    assert spec.active is True and spec.accounting_vendor == AccountingRef(remote_id="0042")
    assert spec.key("acme") == "12:30"
    assert spec.model_fields_set == {
        "name",
        "country",
        "address",
        "contact",
        "external_id",
        "description",
        "active",
        "accounting_vendor",
    }


@pytest.mark.parametrize("written", ['" acme "', '"acme\\t"', '"\\u3000acme"'])
def test_a_name_with_spaces_around_it_is_trimmed_as_every_text_is(
    tmp_path: Path, written: str
) -> None:
    _write(tmp_path, "v.yaml", vendor("acme").replace("name: acme", f"name: {written}", 1))
    [doc] = load_manifests(tmp_path).documents
    assert (doc.name, doc.address) == ("acme", "vendor/acme")


def test_position_of_falls_back_to_parent_then_document(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "a/v.yaml",
        "# hi\n" + vendor("acme", "  address:\n    line1: x\n    city: y\n    postal_code: '1'\n"),
    )
    [doc] = load_manifests(tmp_path).documents
    file = f"{tmp_path.as_posix()}/a/v.yaml"
    assert doc.position == Position(file, 2, 1)
    assert doc.position_of("spec.address.city") == Position(file, 10, 5)
    assert doc.position_of("spec.address.state") == Position(file, 8, 3)
    assert doc.position_of("spec.owner") == Position(file, 6, 1)
    assert doc.position_of("nothing") == doc.position


def test_documents_sorted_and_addressed(tmp_path: Path) -> None:
    _write(tmp_path, "b.yaml", vendor("bee"))
    _write(
        tmp_path,
        "a.yaml",
        vendor("ant")
        + "---\n"
        + (
            "apiVersion: rampctl/v1\nkind: AccountingVendor\nmetadata: {name: ant}\n"
            "spec: {remote_id: R1, name: Ant}\n"
        ),
    )
    result = load_manifests(tmp_path)
    assert [d.address for d in result.documents] == [
        "vendor/ant",
        "accounting_vendor/ant",
        "vendor/bee",
    ]
    assert result.by_address("accounting_vendor/ant") is result.accounting_vendors()[0]
    assert result.by_address("vendor/none") is None


def test_digest_covers_paths_and_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, "m/v.yaml", vendor("acme"))
    first = load_manifests(tmp_path / "m").digest
    monkeypatch.chdir(tmp_path)
    assert load_manifests(Path("m")).digest == first  # independent of how the root is given
    _write(tmp_path, "m/v.yaml", vendor("acme") + "# a comment\n")
    assert load_manifests(Path("m")).digest != first
    (tmp_path / "m/v.yaml").rename(tmp_path / "m/w.yaml")
    assert load_manifests(Path("m")).digest not in {first}


def test_skipped_files_and_folders(tmp_path: Path) -> None:
    _write(tmp_path, "v.yaml", vendor("acme"))
    for rel in (
        ".hidden/x.yaml",
        "_drafts/x.yaml",
        "_partial.yaml",
        "vars/x.yaml",
        "notes.md",
        "x.json",
    ):
        _write(tmp_path, rel, "not: [a manifest\n")
    assert [d.name for d in load_manifests(tmp_path).documents] == ["acme"]


def test_single_file_root(tmp_path: Path) -> None:
    _write(tmp_path, "v.yml", vendor("acme"))
    result = load_manifests(tmp_path / "v.yml")
    assert [d.position.file for d in result.documents] == [(tmp_path / "v.yml").as_posix()]


def test_missing_root_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        load_manifests(tmp_path / "nope")


def test_template_variables_files_and_overrides(tmp_path: Path) -> None:
    _write(tmp_path, "vars/a.yaml", "owner: a@x.example\nnames: [one, two]\n")
    template = vendor("{{ n }}", "  owner: {{ owner }}\n").replace("{{ N }}", "{{ n }}")
    _write(tmp_path, "t.yaml.j2", "{% for n in names %}\n---\n" + template + "{% endfor %}")
    result = load_manifests(tmp_path)
    assert [(d.name, d.spec.owner) for d in result.documents] == [  # type: ignore[union-attr]
        ("one", "a@x.example"),
        ("two", "a@x.example"),
    ]
    assert result.documents[1].position_of("spec.owner").line == 9  # the template line
    over = load_manifests(tmp_path, variables={"owner": "b@x.example"})
    assert {d.spec.owner for d in over.documents} == {"b@x.example"}  # type: ignore[union-attr]


def test_templates_include_partials_and_macros(tmp_path: Path) -> None:
    _write(tmp_path, "_macros.j2", "{% macro owner(o) %}owner: {{ o }}{% endmacro %}")
    _write(tmp_path, "parts/_contact.yaml", "  contact:\n    email: ap@x.example\n")
    _write(
        tmp_path,
        "t.yaml.j2",
        "{% from '_macros.j2' import owner %}\n"
        + vendor("acme", "  {{ owner('a@x.example') }}\n{% include 'parts/_contact.yaml' %}"),
    )
    [doc] = load_manifests(tmp_path).documents
    assert isinstance(doc.spec, VendorSpec) and doc.spec.contact is not None
    assert doc.spec.owner == "a@x.example"


def test_sandbox_blocks_unsafe_attribute_access(tmp_path: Path) -> None:
    _write(tmp_path, "t.yaml.j2", vendor("acme", "  description: {{ ''.__class__.__mro__ }}\n"))
    with pytest.raises(ManifestError) as info:
        load_manifests(tmp_path)
    assert "t.yaml.j2:7:1" in str(info.value) and "__class__" in str(info.value)


def test_examples_validate() -> None:
    for root in ("templated", "multi-entity"):
        assert load_manifests(REPO / "examples" / root).documents


def test_copying_bundled_manifests_keeps_them_valid(tmp_path: Path) -> None:
    shutil.copytree(MANIFESTS, tmp_path / "m")
    assert len(load_manifests(tmp_path / "m").documents) == len(load_manifests(MANIFESTS).documents)


@pytest.mark.parametrize("size", [0, 1, 65_535, 65_536, 65_537, 300_000])
def test_files_are_read_whole_whatever_their_size(tmp_path: Path, size: int) -> None:
    path = tmp_path / "f.yaml"
    data = bytes(n % 251 for n in range(size))
    path.write_bytes(data)
    assert loader_module._read_bytes(str(path)) == data
    assert loader_module._read_bytes(str(path), size) == data


def test_a_file_longer_than_its_stat_said_is_read_to_its_end(tmp_path: Path) -> None:
    """A file that grew after it was stat'ed (or a short read) is still read whole."""
    path = tmp_path / "f.yaml"
    path.write_bytes(b"a: 1\nb: 2\n")
    assert loader_module._read_bytes(str(path), 5) == b"a: 1\nb: 2\n"
    assert loader_module._read_bytes(str(path), 100) == b"a: 1\nb: 2\n"


def test_a_file_removed_before_it_is_read_is_a_problem(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        loader_module._read_bytes(str(tmp_path / "gone.yaml"))
