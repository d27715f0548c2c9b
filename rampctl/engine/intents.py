"""Updates an earlier run sent but never recorded, recognised from the apply journal.

Before it sends an update of an existing object (a vendor's PATCH or contact creations, an
accounting vendor's, a bill's or a user's update), apply journals what the write is meant to
leave in Ramp (an `intent` record: the fields in manifest vocabulary, the contacts' emails).
A run killed after the write, or whose answer and the read deciding it were lost, leaves that
record behind. The next run compares it with Ramp: each intended value Ramp now holds (or holds
for approval) is rampctl's own write, so it is taken into the state's record of that vendor
(`settle`) instead of being reported as a change made outside rampctl. A contact Ramp holds
for approval is recorded as waiting (`contacts_pending`, sent when the write was journaled),
as an answered write records it, so that its approval is taken in later. Plan does this in
memory; apply stores it with its next state write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic import JsonValue

from rampctl.engine.approvals import CONTACTS_PENDING
from rampctl.engine.changes import Action, Change
from rampctl.engine.diff import value_at
from rampctl.engine.live import VendorReader, live_record
from rampctl.engine.snapshot import Snapshot
from rampctl.engine.view import OWN_ATTRIBUTES, fingerprint
from rampctl.model import normalise as norm
from rampctl.state.backend import ApplyJournal
from rampctl.state.model import ResourceState, State

INTENT_RECORD = "intent"
"""`type` of a journal record keeping what a vendor write is meant to leave in Ramp."""
CARRIED = "carried"
"""Flag of an intent record kept through the clearing of its resolved write (`carry_intents`)."""


@dataclass(frozen=True, kw_only=True)
class Intent:
    """What one unresolved update was meant to leave in Ramp."""

    address: str
    ramp_id: str
    fields: Mapping[str, JsonValue]
    contacts: tuple[str, ...] = ()
    sent: str = ""
    """When the write was journaled (ISO 8601 UTC): the time a held contact was sent."""


def is_intended(change: Change) -> bool:
    """Whether a change's write to an existing object is journaled with its intent."""
    return (
        change.action in (Action.UPDATE, Action.ADOPT)
        and change.ramp_id is not None
        and bool(change.request or change.contacts)
    )


def intent_record(op_id: str, change: Change) -> dict[str, JsonValue]:
    """The journal record of `change`'s intent for the operation `op_id`."""
    return {
        "type": INTENT_RECORD,
        "op_id": op_id,
        "address": change.address,
        "ramp_id": change.ramp_id,
        "fields": {f.path: f.after for f in change.fields if not f.path.startswith("contacts[")},
        "contacts": [str(body["email"]) for body in change.contacts],
    }


def journaled_intents(journal: ApplyJournal) -> list[Intent]:
    """The intents of the writes the journal leaves unresolved (read only)."""
    return [
        Intent(
            address=str(r["address"]),
            ramp_id=str(r["ramp_id"]),
            fields=_object(r.get("fields")),
            contacts=tuple(str(e) for e in _list(r.get("contacts"))),
            sent=_seconds(str(r["time"])),
        )
        for r in unrecorded_intents(journal)
    ]


def _object(value: JsonValue) -> dict[str, JsonValue]:
    return dict(value) if isinstance(value, dict) else {}


def _list(value: JsonValue) -> list[JsonValue]:
    return list(value) if isinstance(value, list) else []


def unrecorded_intents(journal: ApplyJournal) -> list[dict[str, JsonValue]]:
    """The journal's intent records not yet taken into the state, each with its sending time:
    those of unresolved writes, and those an earlier settling carried over (`carry_intents`)."""
    pending = {entry.op_id: entry for entry in journal.pending()}
    return [
        {**r, "time": r.get("time") or pending[str(r["op_id"])].time}
        for r in journal.records()
        if r.get("type") == INTENT_RECORD and (r.get(CARRIED) or r.get("op_id") in pending)
    ]


def forget_recorded_intents(journal: ApplyJournal) -> None:
    """Clear a journal holding nothing but intents a state write has just recorded."""
    if journal.records() and not journal.pending():
        journal.clear()


def carry_intents(journal: ApplyJournal, records: Sequence[dict[str, JsonValue]]) -> None:
    """Append `records` (from `unrecorded_intents`, read before the journal was cleared) again,
    marked carried: a run killed after settling its journal and before its next state write
    still recognises those writes as its own. The next clear of the journal, after a state
    write has recorded them, drops them."""
    for record in records:
        journal.append({**record, CARRIED: True})


def _seconds(stamp: str) -> str:
    """A journal time to the second, as apply records a contact's sending."""
    try:
        return dt.datetime.fromisoformat(stamp).isoformat(timespec="seconds")
    except ValueError:
        return stamp


def settle(
    state: State,
    intents: Sequence[Intent],
    snapshot: Snapshot,
    read_vendor: VendorReader | None = None,
) -> dict[str, ResourceState]:
    """The state entries that change once each intent Ramp carried out is recorded."""
    settled: dict[str, ResourceState] = {}
    for intent in intents:
        entry = settled.get(intent.address) or state.resources.get(intent.address)
        if entry is None or entry.ramp_id != intent.ramp_id:
            continue
        live = live_record(snapshot, entry.kind, intent.ramp_id, read_vendor)
        attributes = _carried_out(entry.attributes, intent, live, snapshot) if live else None
        if attributes is not None:
            recorded = {k: v for k, v in attributes.items() if k not in OWN_ATTRIBUTES}
            settled[intent.address] = entry.model_copy(
                update={"attributes": attributes, "fingerprint": fingerprint(recorded)}
            )
    return settled


def settled_state(
    state: State,
    intents: Sequence[Intent],
    snapshot: Snapshot,
    read_vendor: VendorReader | None = None,
) -> State:
    """`state` with every intent Ramp carried out recorded (in memory)."""
    return state.with_resources(settle(state, intents, snapshot, read_vendor))


def _carried_out(
    recorded: Mapping[str, JsonValue],
    intent: Intent,
    live: Mapping[str, JsonValue],
    snapshot: Snapshot,
) -> dict[str, JsonValue] | None:
    """`recorded` with the intended values Ramp holds (or holds for approval) taken from Ramp;
    None when Ramp holds none of them."""
    out = dict(recorded)
    done = False
    for path, value in intent.fields.items():
        if value_at(live, path) == value:
            top = path.split(".", 1)[0]
            out[top] = live.get(top)
            done = True
    held = live.get("pending")
    if isinstance(held, Mapping) and held != recorded.get("pending"):
        waiting = _object(held.get("fields"))
        if any(value_at(waiting, path) == value for path, value in intent.fields.items()):
            out["pending"] = held
            done = True
    contacts = _contacts_made(recorded, intent, live, snapshot)
    if contacts is not None:
        out = {k: v for k, v in out.items() if k != CONTACTS_PENDING}
        out.update(contacts)
        done = True
    return out if done and out != recorded else None


def _contacts_made(
    recorded: Mapping[str, JsonValue],
    intent: Intent,
    live: Mapping[str, JsonValue],
    snapshot: Snapshot,
) -> dict[str, JsonValue] | None:
    """The contact attributes to record once Ramp has every contact the intent created: the
    vendor's contact ids (approved ones) and, besides those already recorded, the contacts Ramp
    holds for approval (`contacts_pending`, sent when the intent was journaled). None when the
    intent created none, or Ramp lacks one (or its contacts were not read)."""
    listed = snapshot.contacts.get(intent.ramp_id)
    if not intent.contacts or listed is None:
        return None
    found = {norm.email(c.email): c for c in listed}
    made = [found.get(norm.email(e)) for e in intent.contacts]
    if any(contact is None for contact in made):
        return None
    earlier = recorded.get(CONTACTS_PENDING)
    waiting = dict(earlier) if isinstance(earlier, Mapping) else {}
    for email, contact in zip(intent.contacts, made, strict=True):
        if contact is not None and contact.is_pending_approval:
            waiting.setdefault(email, intent.sent)
    out: dict[str, JsonValue] = {"contact_ids": live.get("contact_ids")}
    return {**out, CONTACTS_PENDING: waiting} if waiting else out
