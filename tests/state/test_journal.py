"""The apply journal: intents and outcomes, pending operations, torn lines, clearing."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest

from rampctl.errors import StateError
from rampctl.state import Journal


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / "rampctl.state.json.journal")


def _intend(journal: Journal, op_id: str, address: str = "vendor/acme") -> None:
    journal.intend(op_id=op_id, address=address, action="create", key="acme")


def test_an_intent_without_outcome_is_pending(journal: Journal) -> None:
    _intend(journal, "op-1")
    [entry] = journal.pending()
    intent = (entry.op_id, entry.address, entry.action, entry.key)
    assert intent == ("op-1", "vendor/acme", "create", "acme")
    assert entry.status == "intended" and entry.ramp_id is None and entry.time


def test_done_and_failed_resolve_an_intent_but_uncertain_does_not(journal: Journal) -> None:
    for op_id in ("done", "failed", "uncertain", "open"):
        _intend(journal, op_id, address=f"vendor/{op_id}")
    journal.outcome(op_id="done", status="done", ramp_id="v-1")
    journal.outcome(op_id="failed", status="failed")
    journal.outcome(op_id="uncertain", status="uncertain")
    assert [(e.op_id, e.status) for e in journal.pending()] == [
        ("uncertain", "uncertain"),
        ("open", "intended"),
    ]
    done = {e.op_id: e for e in journal.entries()}["done"]
    assert done.status == "done" and done.ramp_id == "v-1" and done.address == "vendor/done"


def test_a_later_outcome_overrides_an_uncertain_one(journal: Journal) -> None:
    _intend(journal, "op-1")
    journal.outcome(op_id="op-1", status="uncertain")
    journal.outcome(op_id="op-1", status="done", ramp_id="v-9")
    assert journal.pending() == []
    assert journal.entries()[0].ramp_id == "v-9"


def test_records_are_json_lines_in_a_private_file(journal: Journal) -> None:
    _intend(journal, "op-1")
    journal.outcome(op_id="op-1", status="done", ramp_id="v-1")
    lines = journal.path.read_text().splitlines()
    assert [json.loads(line)["status"] for line in lines] == ["intended", "done"]
    assert stat.S_IMODE(os.stat(journal.path).st_mode) == 0o600


def test_a_new_journal_object_reads_what_another_wrote(journal: Journal) -> None:
    _intend(journal, "op-1")
    assert [e.op_id for e in Journal(journal.path).pending()] == ["op-1"]


def test_a_torn_last_line_is_ignored_then_cut_off(journal: Journal) -> None:
    _intend(journal, "op-1")
    with open(journal.path, "ab") as handle:
        handle.write(b'{"op_id": "op-2", "sta')  # a crash in the middle of a write
    reopened = Journal(journal.path)
    assert [e.op_id for e in reopened.pending()] == ["op-1"]
    reopened.outcome(op_id="op-1", status="done")
    lines = journal.path.read_text().splitlines()
    assert len(lines) == 2 and all(json.loads(line) for line in lines)
    assert reopened.pending() == []


def test_corruption_before_the_last_line_is_an_error(journal: Journal) -> None:
    _intend(journal, "op-1")
    with open(journal.path, "ab") as handle:
        handle.write(b"garbage\n")
    _intend(Journal(journal.path), "op-2")
    with pytest.raises(StateError, match="corrupt at line 2"):
        journal.pending()


def test_unknown_outcomes_are_refused(journal: Journal) -> None:
    with pytest.raises(ValueError, match="maybe"):
        journal.outcome(op_id="op-1", status="maybe")


def test_an_outcome_without_intent_is_not_pending(journal: Journal) -> None:
    journal.outcome(op_id="ghost", status="uncertain")
    assert journal.pending() == [] and journal.entries() == []


def test_clear_removes_the_journal(journal: Journal) -> None:
    journal.clear()  # nothing to clear is fine
    _intend(journal, "op-1")
    journal.clear()
    assert not journal.path.exists() and journal.pending() == []
    _intend(journal, "op-2")
    assert [e.op_id for e in journal.pending()] == ["op-2"]


def test_threads_append_whole_records(journal: Journal) -> None:
    def work(worker: int) -> None:
        for index in range(10):
            op_id = f"{worker}-{index}"
            _intend(journal, op_id, address=f"vendor/{op_id}")
            journal.outcome(op_id=op_id, status="done" if index % 2 else "uncertain")

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(journal.entries()) == 40
    assert sorted(e.op_id for e in journal.pending()) == sorted(
        f"{w}-{i}" for w in range(4) for i in range(0, 10, 2)
    )
