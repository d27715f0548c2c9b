"""Apply's rules before it writes: the scopes it needs and the plans it refuses.

- `write_scopes`: the token asks for write scopes only for the kinds apply may change.
- `refuse_unsafe` / `refuse_payments`: plans the safety rules or the payment limit refuse.
- waiting out the writes an earlier run left unresolved is `rampctl.engine.settle`.
- `manual_contacts`: vendors whose live contact differs from the manifest (Ramp cannot edit
  contacts), recorded as such in the state.

The engine never prints: the CLI turns these refusals into messages and exit codes.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from rampctl.engine.bill_money import Money
from rampctl.engine.changes import Action, Change
from rampctl.engine.plan import Plan
from rampctl.engine.safety import payment_refusal
from rampctl.errors import UnsafePlanError
from rampctl.model.desired import DesiredGraph
from rampctl.ramp.scopes import scopes_for_writes
from rampctl.state.model import State


def write_scopes(graph: DesiredGraph, state: State) -> tuple[str, ...]:
    """Read scopes plus the write scopes of the kinds apply may change.

    Bills and users only when manifests or the state have some: a vendors-only project never
    asks Ramp for `bills:write` or `users:write`.
    """
    kinds = {"vendors", "accounting"}
    if graph.bills or any(r.kind == "bill" for r in state.resources.values()):
        kinds.add("bills")
    if graph.users or any(r.kind == "user" for r in state.resources.values()):
        kinds.add("users")
    return scopes_for_writes(kinds)


def refuse_unsafe(plan: Plan, *, allow_deletes: bool, allow_replace: bool) -> None:
    """Raise UnsafePlanError for a plan the safety rules refuse without the matching flag."""
    if plan.safety.reasons and not allow_deletes:
        raise UnsafePlanError(
            "refusing an unsafe plan (use --allow-deletes): " + "; ".join(plan.safety.reasons)
        )
    if plan.safety.replacements and not allow_replace:
        raise UnsafePlanError(
            "refusing to replace live objects (use --allow-replace): "
            + "; ".join(plan.safety.replacements)
        )


def refuse_payments(
    money: Money, *, allow_payments: bool, limit: Decimal | None, interactive: bool
) -> None:
    """Raise UnsafePlanError when new payments exceed the limit and were not allowed."""
    if allow_payments:
        return
    reason = payment_refusal(money, limit=limit, interactive=interactive)
    if reason is not None:
        raise UnsafePlanError("refusing to move money: " + reason)


def manual_contacts(changes: Iterable[Change]) -> set[str]:
    """Addresses of vendors whose contact differs in Ramp and can only be changed by hand."""
    return {
        c.address
        for c in changes
        if c.action is Action.MANUAL and any(f.path.startswith("contact.") for f in c.fields)
    }
