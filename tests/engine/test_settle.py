"""Settling an earlier run's unresolved writes: interrupted invites are resumed, not dropped,
and the intents of its updates are kept until a state write has recorded them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rampctl.engine.changes import Action, Change, Level
from rampctl.engine.intents import forget_recorded_intents, intent_record, journaled_intents
from rampctl.engine.settle import invite_record, settle_pending
from rampctl.errors import OutcomeUncertainError
from rampctl.state.journal import Journal
from tests.engine.test_intents import contact_update

INVITE = {"email": "dana@example.com", "first_name": "Dana", "idempotency_key": "k-1"}


def _interrupted_invite(tmp_path: Path) -> Journal:
    journal = Journal(tmp_path / "journal.jsonl")
    change = Change(
        address="user/dana",
        kind="user",
        action=Action.CREATE,
        name="Dana",
        request=INVITE,
        level=Level.USERS,
    )
    journal.intend(op_id="op-1", address="user/dana", action="create", key="dana@example.com")
    journal.append(invite_record("op-1", change))
    return journal


def test_an_interrupted_invite_is_resent_with_its_own_body(tmp_path: Path) -> None:
    journal = _interrupted_invite(tmp_path)
    sent: list[dict[str, Any]] = []
    settled = settle_pending(journal, 0, lambda _: None, resume=sent.append)
    assert (settled, sent) == (1, [INVITE])
    assert journal.records() == []


def test_an_invite_that_cannot_be_resumed_stays_journaled(tmp_path: Path) -> None:
    journal = _interrupted_invite(tmp_path)

    def still_running(_: dict[str, Any]) -> None:
        raise OutcomeUncertainError("still running", method="POST", path="/users/deferred")

    with pytest.raises(OutcomeUncertainError):
        settle_pending(journal, 0, lambda _: None, resume=still_running)
    assert [e.op_id for e in journal.pending()] == ["op-1"]


def _unresolved_update(tmp_path: Path) -> Journal:
    journal = Journal(tmp_path / "journal.jsonl")
    journal.intend(op_id="op-2", address="vendor/cyberdyne", action="update", key="k")
    journal.append(intent_record("op-2", contact_update()))
    return journal


def test_settling_keeps_the_intents_until_a_state_write_records_them(tmp_path: Path) -> None:
    journal = _unresolved_update(tmp_path)
    [before] = journaled_intents(journal)
    assert settle_pending(journal, 0, lambda _: None) == 1
    assert journal.pending() == []  # the write is settled ...
    assert journaled_intents(journal) == [before]  # ... its intent survives a kill from here
    assert settle_pending(journal, 0, lambda _: None) == 0  # a later run finds it as well
    assert journaled_intents(journal) == [before]
    forget_recorded_intents(journal)
    assert (journal.records(), journaled_intents(journal)) == ([], [])


def test_intents_of_writes_still_unresolved_are_not_forgotten(tmp_path: Path) -> None:
    journal = _unresolved_update(tmp_path)
    forget_recorded_intents(journal)
    assert [e.op_id for e in journal.pending()] == ["op-2"]
    assert len(journaled_intents(journal)) == 1
