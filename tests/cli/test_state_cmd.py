"""`rampctl state`: list, show, rm, mv and unlock, driven through the real CLI entry point."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from rampctl.cli import state_cmd
from rampctl.cli.main import run
from rampctl.errors import ExitCode
from rampctl.state import ResourceState, StateStore


@pytest.fixture
def store(tmp_path: Path) -> StateStore:
    """A state with a vendor and a contact depending on it (serial 1)."""
    store = StateStore(tmp_path / "team.state.json")
    acme = ResourceState(
        kind="vendor",
        ramp_id="v-acme",
        fingerprint="sha256:aa",
        attributes={"name": "Acme Cloud Inc.", "country": "US", "tags": ["cloud"]},
        key="acme-cloud",
        protect=True,
    )
    ada = ResourceState(
        kind="vendor_contact", ramp_id="c-ada", fingerprint="sha256:bb", depends_on=["vendor/acme"]
    )
    state = store.load().with_resource("vendor/acme", acme)
    store.write(state.with_resource("vendor_contact/acme/ada", ada))
    return store


def _rampctl(store: StateStore, *args: str) -> int:
    return run(["--no-color", "--state", str(store.path), "state", *args])


def test_list_prints_address_kind_and_ramp_id(
    store: StateStore, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _rampctl(store, "list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ADDRESS", "KIND", "RAMP", "ID"]
    assert [line.split() for line in lines[1:]] == [
        ["vendor/acme", "vendor", "v-acme"],
        ["vendor_contact/acme/ada", "vendor_contact", "c-ada"],
    ]


def test_list_json(store: StateStore, capsys: pytest.CaptureFixture[str]) -> None:
    assert _rampctl(store, "list", "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0] == {"address": "vendor/acme", "kind": "vendor", "ramp_id": "v-acme"}
    assert len(rows) == 2


def test_list_without_a_state_file_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _rampctl(StateStore(tmp_path / "none.json"), "list") == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "no state file at" in captured.err
    assert not (tmp_path / "none.json").exists()


def test_show_readable_and_json(store: StateStore, capsys: pytest.CaptureFixture[str]) -> None:
    assert _rampctl(store, "show", "vendor/acme") == 0
    text = capsys.readouterr().out
    assert "ramp id      v-acme" in text and "protect      yes" in text
    assert "key          acme-cloud" in text and '    tags: ["cloud"]' in text
    assert _rampctl(store, "show", "vendor/acme", "--json") == 0
    entry = json.loads(capsys.readouterr().out)
    assert entry["address"] == "vendor/acme" and entry["attributes"]["country"] == "US"


def test_show_unknown_address_is_a_clear_error(
    store: StateStore, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _rampctl(store, "show", "vendor/nope") == ExitCode.ERROR
    err = capsys.readouterr().err
    assert "no resource 'vendor/nope' in the state" in err and "Traceback" not in err


def test_rm_forgets_the_entry_with_a_new_serial_and_a_backup(
    store: StateStore, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _rampctl(store, "rm", "vendor/acme") == 0
    captured = capsys.readouterr()
    assert "removed vendor/acme" in captured.out
    assert "vendor_contact/acme/ada still depend on vendor/acme" in captured.err
    state = StateStore(store.path).load()
    assert state.serial == 2 and set(state.resources) == {"vendor_contact/acme/ada"}
    assert json.loads(store.backup_path.read_text())["serial"] == 1
    assert store.holder() is None and not store.is_locked()


def test_rm_of_an_unknown_address_changes_nothing(store: StateStore) -> None:
    assert _rampctl(store, "rm", "vendor/acme", "vendor/nope") == ExitCode.ERROR
    state = StateStore(store.path).load()
    assert state.serial == 1 and len(state.resources) == 2


def test_mv_renames_and_rewrites_dependencies(
    store: StateStore, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _rampctl(store, "mv", "vendor/acme", "vendor/acme-cloud") == 0
    assert "moved vendor/acme to vendor/acme-cloud" in capsys.readouterr().out
    state = StateStore(store.path).load()
    assert state.serial == 2
    assert state.resources["vendor/acme-cloud"].ramp_id == "v-acme"
    assert state.resources["vendor_contact/acme/ada"].depends_on == ["vendor/acme-cloud"]


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("vendor/nope", "vendor/x", "no resource 'vendor/nope'"),
        ("vendor/acme", "vendor_contact/acme/ada", "already in the state"),
        ("vendor/acme", "contact/acme", "another kind"),
        ("vendor/acme", "acme", "not an address"),
    ],
)
def test_mv_refuses_bad_targets(
    store: StateStore, capsys: pytest.CaptureFixture[str], old: str, new: str, problem: str
) -> None:
    assert _rampctl(store, "mv", old, new) == ExitCode.ERROR
    assert problem in capsys.readouterr().err
    assert StateStore(store.path).load().serial == 1


def test_writes_fail_fast_when_another_run_holds_the_lock(
    store: StateStore, capsys: pytest.CaptureFixture[str]
) -> None:
    with StateStore(store.path).lock(command="apply"):
        assert _rampctl(store, "rm", "vendor/acme") == ExitCode.LOCKED
        assert _rampctl(store, "mv", "vendor/acme", "vendor/b", "--lock-timeout", "0.2") == 5
    err = capsys.readouterr().err
    assert 'running "apply"' in err and "after waiting 0.2s" in err
    assert StateStore(store.path).load().serial == 1


def test_unlock_when_not_locked(store: StateStore, capsys: pytest.CaptureFixture[str]) -> None:
    assert _rampctl(store, "unlock") == 0
    assert "not locked" in capsys.readouterr().out


def _leave_stale_note(store: StateStore) -> None:
    """A holder note like the one a killed run leaves behind (the OS lock itself is free)."""
    with StateStore(store.path).lock(command="apply"):
        note = store.holder_path.read_bytes()
    store.holder_path.write_bytes(note)


def test_unlock_with_force_removes_a_stale_lock(
    store: StateStore, capsys: pytest.CaptureFixture[str]
) -> None:
    _leave_stale_note(store)
    assert _rampctl(store, "unlock", "--force") == 0
    captured = capsys.readouterr()
    assert "left by" in captured.err and 'running "apply"' in captured.err
    assert "state lock removed" in captured.out
    assert store.holder() is None


def test_unlock_needs_force_off_a_terminal(
    store: StateStore, capsys: pytest.CaptureFixture[str]
) -> None:
    _leave_stale_note(store)
    assert _rampctl(store, "unlock") == ExitCode.ERROR
    assert "--force" in capsys.readouterr().err
    assert store.holder() is not None


@pytest.mark.parametrize(("answer", "removed"), [("y\n", True), ("n\n", False)])
def test_unlock_asks_on_a_terminal(
    store: StateStore, monkeypatch: pytest.MonkeyPatch, answer: str, removed: bool
) -> None:
    _leave_stale_note(store)
    monkeypatch.setattr(state_cmd, "_interactive", lambda: True)
    monkeypatch.setattr("sys.stdin", io.StringIO(answer))
    assert _rampctl(store, "unlock") == (0 if removed else 1)
    assert (store.holder() is None) is removed


def test_corrupt_state_is_reported_without_traceback(
    store: StateStore, capsys: pytest.CaptureFixture[str]
) -> None:
    store.path.write_text('{"format_version": 1, "serial": ')
    assert _rampctl(store, "list") == ExitCode.ERROR
    err = capsys.readouterr().err
    assert "not valid JSON" in err and "Traceback" not in err
