"""Validation and the graph build give exactly what the reference gives (`reference/`: the
code as it was before it was made faster): the same specs, documents and positions, the same
problems in the same order at the same file:line:col with the same address and field path,
and the same desired graph, over every corpus case and example and over generated manifests,
valid and invalid."""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from rampctl.errors import ManifestError
from rampctl.manifest import load_manifests
from rampctl.manifest import loader as loader_module
from rampctl.manifest.validate import Checked, validate_document
from rampctl.manifest.yamlparse import ParseFailure, parse_yaml
from rampctl.model.desired import DesiredGraph, build_graph
from tests.manifest.cache_cases import manifest_roots
from tests.manifest.reference import checks as reference_checks
from tests.manifest.reference import desired as reference_desired
from tests.manifest.reference import validate as reference_validate

pytestmark = pytest.mark.usefixtures("yaml_events")


def _value(value: Any) -> Any:
    """A spec (or any value in it) as plain data, with each model's class and fields-set."""
    if isinstance(value, BaseModel):
        fields = {k: _value(v) for k, v in value.__dict__.items()}
        return (type(value), fields, sorted(value.model_fields_set), value.__pydantic_extra__)
    if isinstance(value, list | tuple):
        return (type(value), [_value(v) for v in value])
    if isinstance(value, dict):
        return {k: _value(v) for k, v in value.items()}
    return (type(value), value)


def _checked(item: Checked) -> Any:
    """Everything one validated document holds, comparable."""
    identity = item.identity
    ident = None
    if identity is not None:
        ident = (identity.kind, identity.name, identity.address, tuple(identity.position))
    doc = item.document
    document = None
    if doc is not None:
        where = (doc.position, list(doc.keys.items()), doc.previously)
        document = (doc.kind, doc.name, doc.address, _value(doc.spec), where)
    return (ident, document, item.problems)


def _graph(graph: DesiredGraph) -> Any:
    """Everything a graph holds, in order (documents compare by identity: their positions)."""
    out = []
    for kind in ("vendors", "accounting_vendors", "bills", "users"):
        for address, obj in getattr(graph, kind).items():
            doc: Any = obj.document
            where = (doc.position, list(doc.keys.items()), doc.previously)
            out.append((kind, address, dataclasses.replace(obj, document=None), where))
    return (out, graph.digest)


@contextmanager
def _reference() -> Iterator[Callable[[Any], DesiredGraph]]:
    """The loader validating with the reference's code; yields the reference graph build."""

    def validate(run: Any) -> Any:
        problems, documents = reference_checks.validate(run.checked, run.failed_files)
        run.problems += problems
        return documents

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loader_module, "validate_document", reference_validate.validate_document)
        patch.setattr(loader_module, "_validate", validate)
        yield reference_desired.build_graph


def _load(root: Path, build: Callable[[Any], DesiredGraph]) -> Any:
    """What a load of `root` decides: its problems in order as found, or its graph."""
    found: list[Any] = []
    real = ManifestError.__init__

    def keep(self: ManifestError, problems: Any) -> None:
        found.append(list(problems))
        real(self, problems)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ManifestError, "__init__", keep)
        try:
            manifests = load_manifests(root)
        except ManifestError as exc:
            return ("problems", found[-1], exc.problems)
    return ("valid", [d.address for d in manifests.documents], _graph(build(manifests)))


def _documents(root: Path) -> list[Any]:
    """Each YAML document under `root` (templates apart), parsed."""
    raws = []
    for path in sorted(root.rglob("*.y*ml")):
        try:
            raws += parse_yaml(path.read_text(errors="replace"), str(path))
        except ParseFailure:
            continue
    return raws


def _same(root: Path) -> None:
    for raw in _documents(root):
        expected = _checked(reference_validate.validate_document(raw))
        assert _checked(validate_document(raw)) == expected
    with _reference() as reference_build:
        expected = _load(root, reference_build)
    assert _load(root, build_graph) == expected


@pytest.mark.parametrize(("name", "root"), manifest_roots(), ids=[n for n, _ in manifest_roots()])
def test_every_case_reads_as_the_reference_reads_it(
    name: str, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(root.parent)
    _same(Path(root.name))


# -- generated manifests ---------------------------------------------------------------------

VENDOR_NAMES = ["acme", "globex", "initech", "hooli", "umbrella", "stark", "wayne"]
LINKED = ["av-one", "av-two"]
TEXTS = ["Acme", "  Acme Inc. ", "Ünïcode", None]
BAD_TEXTS = ["", "two\nlines", "tab\there", "zero\u200bwidth", ["a", "list"], {"a": "b"}]
EMAILS = ["ap@acme.example", " AP@Acme.Example ", "amy@x.example", "ben@x.example", None]
BAD_EMAILS = ["not-an-email", "", ["a@b.example"]]
COUNTRIES = ["US", "us", " gb ", None]
BAD_COUNTRIES = ["XX", "", {"c": "US"}]
FLAGS = ["true", "no", "On", None]
BAD_FLAGS = ["1", "", ["true"]]
DATES = ["2025-03-03", "2025-03-31"]
BAD_DATES = ["2025-03-29", "2025-02-30", "soon"]


@dataclasses.dataclass(frozen=True)
class _Drawer:
    """Draws values: mostly good ones, and (unless `clean`) now and then a bad one."""

    draw: st.DrawFn
    clean: bool

    def pick(self, good: list[Any], bad: list[Any] | None = None) -> Any:
        if bad and not self.clean and self.draw(st.integers(0, 11)) == 0:
            return self.draw(st.sampled_from(bad))
        return self.draw(st.sampled_from(good))

    def count(self, low: int, high: int) -> int:
        return self.draw(st.integers(low, high))

    def some(self, fields: dict[str, Callable[[], Any]], *required: str) -> Any:
        """`required` and some other of `fields`, in a drawn order, each with a drawn value;
        unless clean, now and then a required one missing, an unknown one, or not a mapping."""
        draw, clean = self.draw, self.clean
        if not clean and draw(st.integers(0, 40)) == 0:
            return draw(st.sampled_from(["x", None, ["a"]]))
        names = draw(st.lists(st.sampled_from(sorted(fields)), unique=True, max_size=len(fields)))
        names += [r for r in required if r not in names and (clean or draw(st.integers(0, 15)))]
        spec = {name: fields[name]() for name in names}
        if not clean and draw(st.integers(0, 15)) == 0:
            spec[draw(st.sampled_from(["nmae", "colour", "remote"]))] = "x"
        return spec


def _contact(d: _Drawer, default: bool = False) -> Any:
    fields: dict[str, Callable[[], Any]] = {
        "email": lambda: d.pick(EMAILS[:-1], BAD_EMAILS),
        "first_name": lambda: d.pick(TEXTS, BAD_TEXTS),
        "last_name": lambda: d.pick(TEXTS),
        "phone": lambda: d.pick(["+14155550100", "+1 (415) 555-0100", None], ["555"]),
    }
    if default:
        fields["default"] = lambda: d.pick(FLAGS, BAD_FLAGS)
    return d.some(fields, "email")


def _vendor(d: _Drawer) -> dict[str, Any]:
    address = {
        "line1": lambda: d.pick(TEXTS[:-1], BAD_TEXTS),
        "line2": lambda: d.pick(TEXTS),
        "city": lambda: d.pick(TEXTS[:-1]),
        "postal_code": lambda: d.pick(["02134", " 94105 "], ["", None]),
        "country": lambda: d.pick(COUNTRIES, BAD_COUNTRIES),
    }
    links = [*LINKED, " av-one ", {"remote_id": "R1"}, {"remote_id": " R7"}, None]
    fields: dict[str, Callable[[], Any]] = {
        "name": lambda: d.pick(TEXTS[:-1], BAD_TEXTS),
        "country": lambda: d.pick(COUNTRIES, BAD_COUNTRIES),
        "state": lambda: d.pick(["CA", " ny ", "Bavaria", "", None]),
        "description": lambda: d.pick([*TEXTS, "", "two\nlines"], BAD_TEXTS),
        "address": lambda: d.some(address, "line1", "city", "postal_code"),
        "owner": lambda: d.pick(EMAILS, BAD_EMAILS),
        "contact": lambda: _contact(d),
        "contacts": lambda: [_contact(d, True) for _ in range(d.count(0, 3))],
        "accounting_vendor": lambda: d.pick(
            links, ["av-none", "Bad_Name", {"x": "y"}, {"remote_id": ""}]
        ),
        "active": lambda: d.pick(FLAGS, BAD_FLAGS),
        "external_id": lambda: d.pick(["K1", "K2", "acme", None], [""]),
        "protect": lambda: d.pick(FLAGS[:-1], [None, *BAD_FLAGS]),
        "ignore_changes": lambda: d.pick(
            [[], ["description"], ["address.line2", "owner"]], [["nope"], "owner"]
        ),
    }
    return d.some(fields, "name")  # type: ignore[no-any-return]


def _accounting(d: _Drawer) -> dict[str, Any]:
    fields: dict[str, Callable[[], Any]] = {
        "remote_id": lambda: d.pick(["R1", "R2", " R3 "], ["", None]),
        "name": lambda: d.pick(TEXTS[:-1], BAD_TEXTS),
        "code": lambda: d.pick(["ACME", None]),
    }
    return d.some(fields, "remote_id", "name")  # type: ignore[no-any-return]


def _user(d: _Drawer) -> dict[str, Any]:
    fields: dict[str, Callable[[], Any]] = {
        "email": lambda: d.pick(EMAILS[:-1], BAD_EMAILS),
        "first_name": lambda: d.pick(TEXTS[:-1], BAD_TEXTS),
        "last_name": lambda: d.pick(TEXTS[:-1]),
        "role": lambda: d.pick(["BUSINESS_USER", "AUDITOR"], ["KING", None]),
        "direct_manager": lambda: d.pick(EMAILS, BAD_EMAILS),
        "employee_id": lambda: d.pick(["E1", None]),
        "is_manager": lambda: d.pick(FLAGS, BAD_FLAGS),
        "protect": lambda: d.pick(FLAGS[:-1], [None]),
        "ignore_changes": lambda: d.pick([[], ["role"]], [["x"]]),
    }
    return d.some(fields, "email", "first_name", "last_name", "role")  # type: ignore[no-any-return]


def _bill(d: _Drawer) -> dict[str, Any]:
    amounts, bad_amounts = ["600.50", "0", " 12 "], ["12.345", "-1", "1000000000000", "x"]

    def line() -> Any:
        return {"amount": d.pick(amounts, bad_amounts), "memo": d.pick(TEXTS)}

    def inventory() -> Any:
        quantity = d.pick(["3", "0"], ["3.0", "x", "true"])
        return {"unit_price": d.pick(amounts, bad_amounts), "quantity": quantity}

    payment = {
        "method": lambda: d.pick(["ACH"], ["CHECK", "CARD", "PAID_MANUALLY", "GOLD"]),
        "source_account": lambda: d.pick(["Operating"], [None]),
        "vendor_account": lambda: d.pick(["Acme operating"], [None]),
        "arrival_date": lambda: d.pick(DATES, BAD_DATES),
    }
    fields: dict[str, Callable[[], Any]] = {
        "vendor": lambda: d.pick([*VENDOR_NAMES[:3], {"id": "v1"}], ["nobody", {"x": "y"}]),
        "entity": lambda: d.pick(["Northwind"], [""]),
        "invoice_number": lambda: d.pick(["INV-1", "INV-2", "INV-3"], ["X" * 21]),
        "currency": lambda: d.pick(["USD", " usd"], ["jpy", "XXX"]),
        "issue_date": lambda: d.pick(DATES[:1], BAD_DATES),
        "due_date": lambda: d.pick(DATES[1:], BAD_DATES),
        "memo": lambda: d.pick(TEXTS, BAD_TEXTS),
        "line_items": lambda: [line() for _ in range(d.count(0 if not d.clean else 1, 2))],
        "inventory_line_items": lambda: [inventory() for _ in range(d.count(0, 1))],
        "payment": lambda: d.some(payment, *payment),
        "protect": lambda: d.pick(FLAGS[:-1], [None]),
    }
    required = ("vendor", "entity", "invoice_number", "currency", "issue_date", "due_date")
    return d.some(fields, *required, "line_items", "payment")  # type: ignore[no-any-return]


_SPECS = {"Vendor": _vendor, "AccountingVendor": _accounting, "User": _user, "Bill": _bill}
_NAMES = {
    "Vendor": VENDOR_NAMES,
    "AccountingVendor": LINKED,
    "User": ["amy", "ben", "cal"],
    "Bill": ["inv-1", "inv-2", "inv-3"],
}


def _document(d: _Drawer) -> Any:
    """A manifest document: mostly well formed (unless clean, now and then not), with a
    drawn kind, name and spec."""
    shape = 99 if d.clean else d.count(0, 59)
    if shape == 0:
        return d.pick(["just text", ["a", "list"], None])
    kind = d.pick(list(_SPECS)) if shape != 1 else "Vendr"
    names = _NAMES.get(kind, VENDOR_NAMES)
    metadata: dict[str, Any] = {"name": d.pick(names, ["Bad_Name", "", "-x", "a" * 64, ["x"]])}
    if d.count(0, 7) == 0:
        metadata["previously"] = d.draw(st.lists(st.sampled_from([*names, "old"]), max_size=2))
    document: dict[str, Any] = {
        "apiVersion": "rampctl/v1" if shape != 2 else "rampctl/v2",
        "kind": kind,
        "metadata": metadata if shape != 3 else "acme",
    }
    if shape != 4:
        document["spec"] = _SPECS.get(kind, _vendor)(d)
    if shape == 5:
        del document["kind"]
    return document


def _tidy(documents: list[dict[str, Any]]) -> None:
    """Make the cross-document facts of clean documents hold: names, keys, remote ids,
    invoices and emails unique, links to declared accounting vendors (each once), bills of
    declared vendors, no moves onto declared names, managers without cycles."""
    count: dict[str, int] = {}
    declared: dict[str, list[str]] = {kind: [] for kind in _SPECS}
    for doc in documents:
        kind, spec, metadata = doc["kind"], doc["spec"], doc["metadata"]
        n = count[kind] = count.get(kind, 0) + 1
        metadata["name"] = f"{metadata['name']}-{n}"
        metadata["previously"] = [f"{old}-0" for old in metadata.get("previously", [])[:1]]
        declared[kind].append(metadata["name"])
        if kind == "AccountingVendor":
            spec["remote_id"] = f"R{n}"
        elif kind == "User":
            spec["email"] = f"u{n}@x.example"
            if spec.get("direct_manager"):
                spec["direct_manager"] = f"U{n - 1}@x.example" if n > 1 else "boss@x.example"
        elif kind == "Bill":
            spec["invoice_number"] = f"INV-{n}"
            vendors = declared["Vendor"]
            spec["vendor"] = vendors[-1] if vendors else {"id": "v1"}
        elif kind == "Vendor":
            if spec.get("external_id"):
                spec["external_id"] = f"K{n}"
            link = spec.get("accounting_vendor")
            if isinstance(link, dict):
                spec["accounting_vendor"] = {"remote_id": f"X{n}"}
            elif isinstance(link, str):
                unlinked = declared["AccountingVendor"]
                spec["accounting_vendor"] = unlinked.pop() if unlinked else None
            for entry in [spec["contacts"]] if spec.get("contacts") else []:
                for m, contact in enumerate(entry):
                    contact["email"] = f"c{m}@x.example"
                    contact["default"] = "true" if m == 0 else "no"
                spec.pop("contact", None)


@st.composite
def _project(draw: st.DrawFn) -> dict[str, str]:
    """Manifest files by path: their documents as YAML text, block or flow style; half the
    projects clean (valid), half with a bad value now and then."""
    drawer = _Drawer(draw, clean=draw(st.booleans()))
    sizes = [drawer.count(1, 3) for _ in range(drawer.count(1, 4))]
    docs = [_document(drawer) for _ in range(sum(sizes))]
    if drawer.clean:
        _tidy(docs)
    files = {}
    for n, size in enumerate(sizes):
        flow = drawer.pick([False, None, True])
        text = yaml.safe_dump_all(docs[:size], sort_keys=False, default_flow_style=flow)
        files[f"m/{'sub/' if n % 2 else ''}f{n}.yaml"] = text
        docs = docs[size:]
    return files


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(files=_project())
def test_generated_manifests_read_as_the_reference_reads_them(files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for rel, text in files.items():
            path = Path(tmp) / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        _same(Path(tmp) / "m")
