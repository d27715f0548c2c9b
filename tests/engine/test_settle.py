"""Settling an earlier run's unresolved writes: interrupted invites are resumed, not dropped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rampctl.engine.changes import Action, Change, Level
from rampctl.engine.settle import invite_record, settle_pending
from rampctl.errors import OutcomeUncertainError
from rampctl.state.journal import Journal

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
