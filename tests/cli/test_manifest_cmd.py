"""The validate, schema and fmt commands: exit codes, output and files written."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import yaml

from rampctl.cli.main import run
from rampctl.manifest import cache as cache_module
from rampctl.manifest import graphcodec
from tests.manifest.cache_cases import counting_reads

REPO = Path(__file__).resolve().parents[2]
VENDOR = "apiVersion: rampctl/v1\nkind: Vendor\nmetadata:\n  name: acme\nspec:\n  name: Acme\n"


def test_validate_bundled_manifests_and_examples(capsys: pytest.CaptureFixture[str]) -> None:
    roots = [str(REPO / p) for p in ("manifests", "examples/templated", "examples/multi-entity")]
    assert run(["validate", *roots]) == 0
    out = capsys.readouterr().out
    assert out.count(": valid (") == 3


def test_validate_reports_all_problems_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("m").mkdir()
    Path("m/a.yaml").write_text(VENDOR + "  nmae: x\n")
    Path("m/b.yaml").write_text("a: [b\n")
    assert run(["--manifests", "m", "validate"]) == 1
    err = capsys.readouterr().err
    assert "2 problems in the manifests" in err
    assert (
        "m/a.yaml:7:3: vendor/acme: spec.nmae: unknown field 'nmae' (did you mean 'name'?)" in err
    )
    assert err.index("m/a.yaml") < err.index("m/b.yaml:2:1")


def test_validate_var_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "t.yaml.j2").write_text(VENDOR + "  owner: {{ owner }}\n")
    assert run(["--manifests", str(tmp_path), "validate"]) == 1
    assert "'owner' is undefined" in capsys.readouterr().err
    assert run(["--manifests", str(tmp_path), "validate", "--var", "owner=a@x.example"]) == 0
    assert run(["--manifests", str(tmp_path), "validate", "--var", "no-equals"]) == 1


def test_schema_prints_and_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["title"] == "rampctl manifest"
    out = tmp_path / "schema.json"
    assert run(["schema", "--out", str(out)]) == 0
    assert json.loads(out.read_text()) == printed


def test_fmt_check_then_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    messy = tmp_path / "v.yaml"
    messy.write_text(
        "kind: Vendor\napiVersion: rampctl/v1\nmetadata: {name: acme}\nspec: {name: Acme}\n"
    )
    template = tmp_path / "t.yaml.j2"
    template.write_text("{# untouched #}\n" + VENDOR.replace("acme", "beta"))
    args = ["--manifests", str(tmp_path), "fmt"]
    assert run([*args, "--check"]) == 1
    assert f"would reformat {messy.as_posix()}" in capsys.readouterr().out
    assert messy.read_text().startswith("kind: Vendor")
    assert run(args) == 0
    assert messy.read_text().startswith(
        "apiVersion: rampctl/v1\nkind: Vendor\nmetadata:\n  name: acme"
    )
    assert run([*args, "--check"]) == 0
    assert template.read_text().startswith("{# untouched #}")


def test_fmt_reports_unparsable_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: b: c\n")
    assert run(["fmt", str(bad)]) == 1
    assert "mapping values are not allowed here" in capsys.readouterr().err
    assert bad.read_text() == "a: b: c\n"


def test_fmt_leaves_vars_files_and_other_yaml_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    variables = tmp_path / "vars" / "rent.yaml"
    variables.parent.mkdir()
    variables.write_text("year: 2026\nzip: 02134\nflag: yes\n")  # Jinja sees int, str, bool
    workflow = tmp_path / "ci.yml"
    workflow.write_text("on: {push: {}}\njobs: {}\n")
    kube = tmp_path / "deploy.yaml"
    kube.write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n")
    assert run(["fmt", str(variables), str(workflow), str(kube)]) == 0
    assert variables.read_text() == "year: 2026\nzip: 02134\nflag: yes\n"
    assert workflow.read_text() == "on: {push: {}}\njobs: {}\n"
    assert kube.read_text().startswith("apiVersion: apps/v1\nkind: Deployment\nmetadata: {")
    assert "0 of 3 files changed" in capsys.readouterr().err


BROKEN = (
    "apiVersion: rampctl/v1\nkind: Vendor\nmetadata: {name: acme}\n"
    "spec:\n  name: Acme\n  active: maybe\n  country: XX\n"
)


def test_validate_format_github_prints_one_annotation_per_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "v, 100%.yaml").write_text(BROKEN)
    assert run(["-C", str(tmp_path), "validate", "--format", "github", "."]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        "::error file=v%2C 100%25.yaml,line=6,col=11,title=rampctl validate::"
        "vendor/acme: spec.active: expected true or false, got 'maybe'",
        "::error file=v%2C 100%25.yaml,line=7,col=12,title=rampctl validate::"
        "vendor/acme: spec.country: 'XX' is not an ISO 3166-1 alpha-2 country code (like US or GB)",
    ]
    assert "2 problems in the manifests" in captured.err


def test_validate_format_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "v.yaml").write_text(BROKEN)
    assert run(["validate", "--format", "json", str(tmp_path)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is False
    assert [(p["line"], p["col"], p["field"]) for p in report["problems"]] == [
        (6, 11, "spec.active"),
        (7, 12, "spec.country"),
    ]
    assert run(["validate", "--format", "json", str(REPO / "manifests")]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is True and report["problems"] == []
    assert report["roots"][0]["vendors"] == 12 and report["roots"][0]["accounting_vendors"] == 8


def test_validate_format_github_when_valid_prints_the_summary(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["validate", "--format", "github", str(REPO / "manifests")]) == 0
    assert (
        "valid (12 vendors, 8 accounting vendors, 0 bills, 0 users in 9 files)"
        in capsys.readouterr().out
    )


def test_render_prints_every_document_with_templates_expanded(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["render", str(REPO / "manifests")]) == 0
    out = capsys.readouterr().out
    documents = [d for d in yaml.safe_load_all(out) if d is not None]
    assert len(documents) == 20  # 12 vendors and 8 accounting vendors
    names = {d["metadata"]["name"] for d in documents}
    assert {"lena-park-design", "reyes-data-consulting"} <= names  # from contractors.yaml.j2
    assert "{{" not in out and "{%" not in out
    assert f"# Source: {(REPO / 'manifests/vendors/people/contractors.yaml.j2').as_posix()}" in out


def test_render_reports_template_errors_and_takes_vars(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "t.yaml.j2").write_text(VENDOR.replace("name: Acme", "name: {{ who }}"))
    assert run(["render", str(tmp_path)]) == 1
    assert "who" in capsys.readouterr().err
    assert run(["render", "--var", "who=Zed", str(tmp_path)]) == 0
    assert yaml.safe_load(capsys.readouterr().out.split("\n", 2)[2])["spec"]["name"] == "Zed"


def test_validate_keeps_a_manifest_cache_in_the_project_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    Path("m").mkdir()
    Path("m/a.yaml").write_text(VENDOR)
    Path("m/b.yaml").write_text(VENDOR.replace("acme", "beta") + "  nmae: x\n")
    assert run(["--manifests", "m", "validate"]) == 1
    cold = capsys.readouterr().err
    database = tmp_path / ".rampctl" / "cache" / "manifests.sqlite"
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM entries").fetchone() == (2,)
    assert run(["--manifests", "m", "validate"]) == 1
    assert capsys.readouterr().err == cold
    Path("m/b.yaml").write_text(VENDOR.replace("acme", "beta"))
    assert run(["--manifests", "m", "validate"]) == 0


def test_rampctl_no_cache_reads_every_file_afresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RAMPCTL_NO_CACHE", "1")
    Path("m").mkdir()
    Path("m/a.yaml").write_text(VENDOR)
    assert run(["--manifests", "m", "validate"]) == 0
    assert not (tmp_path / ".rampctl").exists()


def test_validate_counts_every_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    user = (
        "apiVersion: rampctl/v1\nkind: User\nmetadata:\n  name: dana\nspec:\n"
        "  email: dana@x.example\n  first_name: Dana\n  last_name: Lee\n  role: BUSINESS_USER\n"
    )
    (tmp_path / "users.yaml").write_text(user)
    (tmp_path / "vendors.yaml").write_text(VENDOR)
    assert run(["validate", str(tmp_path)]) == 0
    assert "valid (1 vendor, 0 accounting vendors, 0 bills, 1 user in 2 files)" in (
        capsys.readouterr().out
    )
    assert run(["validate", "--format", "json", str(tmp_path)]) == 0
    [root] = json.loads(capsys.readouterr().out)["roots"]
    assert (root["vendors"], root["users"], root["files"]) == (1, 1, 2)


@pytest.mark.parametrize("no_cache", ["", "1"])
def test_validate_reports_a_broken_symlink_where_it_is(
    no_cache: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RAMPCTL_NO_CACHE", no_cache)
    Path("manifests").mkdir()
    Path("manifests/a.yaml").write_text(VENDOR)
    Path("manifests/dangling.yaml").symlink_to("missing.yaml")
    assert run(["validate"]) == 1
    err = capsys.readouterr().err
    assert "manifests/dangling.yaml:1:1: symlink to 'missing.yaml', which does not exist" in err
    assert "1 problem in the manifests" in err
    assert "unexpected" not in err


def _validated_twice(
    files: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[str, str, list[str], list[object]]:
    """`validate --format json` over `files` (written under m/ before the first run, so not
    racy), cold then warm: both outputs, the files the warm run read and the kept graph's
    parts it took."""
    Path("m").mkdir()
    for name, text in files.items():
        Path("m", name).write_text(text)
    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    assert run(["--manifests", "m", "validate", "--format", "json"]) == 0
    cold = capsys.readouterr().out
    reads = counting_reads(monkeypatch)
    taken: list[object] = []
    real = graphcodec.loads_value
    monkeypatch.setattr(graphcodec, "loads_value", lambda data: taken.append(1) or real(data))
    assert run(["--manifests", "m", "validate", "--format", "json"]) == 0
    return cold, capsys.readouterr().out, reads, taken


def test_a_warm_validate_takes_the_kept_graph_and_reads_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    files = {"a.yaml": VENDOR, "b.yaml": VENDOR.replace("acme", "beta")}
    cold, warm, reads, taken = _validated_twice(files, monkeypatch, capsys)
    assert warm == cold
    assert json.loads(cold)["roots"][0]["vendors"] == 2
    assert reads == []
    assert taken  # the kept graph's parts


@pytest.mark.parametrize("empty", ["# placeholder\n", "---\n", ""])
def test_a_file_declaring_nothing_does_not_stop_the_graph_being_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], empty: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    # todo.yaml is alone in its part of the kept graph
    files = {"a.yaml": VENDOR, "todo.yaml": empty}
    cold, warm, reads, taken = _validated_twice(files, monkeypatch, capsys)
    assert warm == cold
    assert reads == []
    assert taken  # the kept graph, not every document rebuilt
