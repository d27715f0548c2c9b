"""What became of vendor edits the state recorded as waiting for approval in Ramp.

Apply records an edit Ramp holds (the vendor's `pending` attribute: when it was sent and the
values waiting). Once Ramp holds it no more, each value it carried is either in force
(approved) or not. Ramp's API keeps no record of the decision, so a value that is not in
force reads the same whether the edit was rejected or was approved and changed back before
any run saw it: rampctl reports it as drift (changed outside rampctl), the louder reading,
and plans the update again. An approval a run does see is recorded at the next state write
(`settled`), so a later change in Ramp is ordinary drift. Contacts rampctl created that Ramp
held are kept waiting in the state until Ramp decides them (`contacts_settled`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import JsonValue

from rampctl.engine.changes import FieldChange
from rampctl.engine.diff import value_at
from rampctl.model import normalise as norm
from rampctl.ramp.models import VendorContact

PENDING = "pending"
"""The vendor attribute holding an update Ramp holds for approval."""


def held_fields(recorded: Mapping[str, JsonValue]) -> dict[str, JsonValue]:
    """The values the recorded pending update carried (manifest field -> value), or {}."""
    pending = recorded.get(PENDING)
    fields = pending.get("fields") if isinstance(pending, Mapping) else None
    return dict(fields) if isinstance(fields, Mapping) else {}


def decided(recorded: Mapping[str, JsonValue], live: Mapping[str, JsonValue]) -> bool:
    """Whether Ramp holds the recorded pending update no more (approved or not)."""
    if not held_fields(recorded):
        return False
    now, sent = live.get(PENDING), recorded.get(PENDING)
    sent_at = sent.get("requested_at") if isinstance(sent, Mapping) else None
    return not isinstance(now, Mapping) or now.get("requested_at") != sent_at


def unkept(recorded: Mapping[str, JsonValue], live: Mapping[str, JsonValue]) -> list[FieldChange]:
    """The recorded pending values Ramp decided and does not hold (before: the value sent,
    after: the live one): rejected, or approved and changed back since."""
    if not decided(recorded, live):
        return []
    return [
        FieldChange(path=path, before=value, after=value_at(live, path))
        for path, value in sorted(_leaves(held_fields(recorded)).items())
        if value_at(live, path) != value
    ]


def settled(
    recorded: Mapping[str, JsonValue], live: Mapping[str, JsonValue]
) -> dict[str, JsonValue] | None:
    """The attributes to record once Ramp approved every value of the recorded pending update
    (those values, and no pending record); None when there is nothing to settle."""
    if not decided(recorded, live) or unkept(recorded, live):
        return None
    held = held_fields(recorded)
    return {**recorded, **{k: live.get(k) for k in held}, PENDING: live.get(PENDING)}


def _leaves(values: Mapping[str, JsonValue], prefix: str = "") -> dict[str, JsonValue]:
    """Nested values by dotted path (an address by its parts)."""
    out: dict[str, JsonValue] = {}
    for key, value in values.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_leaves(value, f"{path}."))
        else:
            out[path] = value
    return out


CONTACTS_PENDING = "contacts_pending"
"""The vendor attribute holding the contacts rampctl created that Ramp held (email -> sent)."""


def contacts_settled(
    recorded: Mapping[str, JsonValue],
    live: Mapping[str, JsonValue],
    listed: Sequence[VendorContact] | None,
) -> dict[str, JsonValue] | None:
    """The attributes to record once Ramp decided contacts recorded as waiting for approval
    (approved: listed and in force; rejected: gone): only those still waiting are kept, and
    the vendor's contact ids are Ramp's. None when nothing was decided or the contacts were
    not read."""
    waiting = recorded.get(CONTACTS_PENDING)
    if not isinstance(waiting, Mapping) or not waiting or listed is None:
        return None
    held = {norm.email(c.email) for c in listed if c.is_pending_approval}
    still = {email: sent for email, sent in waiting.items() if norm.email(email) in held}
    if still == dict(waiting):
        return None
    out = {k: v for k, v in recorded.items() if k != CONTACTS_PENDING}
    out["contact_ids"] = live.get("contact_ids")
    return {**out, CONTACTS_PENDING: still} if still else out
