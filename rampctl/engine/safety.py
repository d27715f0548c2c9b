"""Safety rules: plans that remove too much, touch protected objects, or empty a state."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pydantic import (
    BaseModel,
    ConfigDict,
    JsonValue,
    SerializerFunctionWrapHandler,
    computed_field,
    model_serializer,
)

from rampctl.engine.bill_money import Money
from rampctl.engine.changes import REMOVALS, Action, Change
from rampctl.engine.moves import loose_name
from rampctl.model import address as addr
from rampctl.words import count, plural


@dataclass(frozen=True, kw_only=True)
class SafetySettings:
    """Thresholds of the safety rules (defaults: 25% of managed objects when at least 10)."""

    max_removal_fraction: float = 0.25
    min_managed: int = 10


class SafetyReport(BaseModel):
    """Whether a plan is safe to apply: `reasons` need `--allow-deletes`, `replacements`
    (a live object removed and an equal one created) need `--allow-replace`.

    Its plan-file form is its pydantic dump (`safe` included); `replacements` is absent
    from files before format 1.2.
    """

    model_config = ConfigDict(frozen=True)

    reasons: tuple[str, ...] = ()
    replacements: tuple[str, ...] = ()

    @computed_field  # type: ignore[prop-decorator]
    @property
    def safe(self) -> bool:
        """True when no rule objects."""
        return not self.reasons and not self.replacements

    @model_serializer(mode="wrap")
    def _safe_first(self, dump: SerializerFunctionWrapHandler) -> dict[str, JsonValue]:
        """`safe` leads, as plan files have always written it."""
        data: dict[str, JsonValue] = dump(self)
        return {"safe": data.pop("safe"), **data}


def check(
    changes: list[Change], *, managed: int, desired: int, settings: SafetySettings
) -> SafetyReport:
    """Apply the rules to a plan's changes."""
    reasons: list[str] = []
    removals = [c for c in changes if c.action in REMOVALS]
    if desired == 0 and managed > 0:
        reasons.append(f"no manifests, but the state manages {count(managed, 'object')}")
    if managed >= settings.min_managed and len(removals) > managed * settings.max_removal_fraction:
        share = round(100 * settings.max_removal_fraction)
        reasons.append(
            f"{len(removals)} of {managed} managed objects would be deleted or deactivated "
            f"(more than {share}%)"
        )
    protected = [c.address for c in changes if c.protect and _removes(c)]
    if protected:
        noun = plural(len(protected), "protected object")
        reasons.append(f"{noun} would be removed: " + ", ".join(sorted(protected)))
    return SafetyReport(reasons=tuple(reasons), replacements=tuple(replacements(changes)))


def replacements(changes: list[Change]) -> list[str]:
    """Removals of a live object planned together with the creation of one of the same kind
    and (loosely) the same name: a destroy-and-recreate that would lose the Ramp id."""
    created: dict[tuple[str, str], Change] = {}
    for change in changes:
        if change.action is Action.CREATE:
            created.setdefault((change.kind, loose_name(change.name)), change)
    found = []
    for change in changes:
        twin = created.get((change.kind, loose_name(change.name)))
        if change.action in REMOVALS and twin is not None:
            found.append(
                f"{change.address} ({change.name!r}, {change.ramp_id}) would be "
                f"{change.action.value}d and {twin.address} ({twin.name!r}) created in its "
                f"place; if it is the same {change.kind.replace('_', ' ')}, add "
                f"`previously: [{addr.name_of(change.address)}]` to the metadata of "
                f"{twin.address}"
            )
    return found


def _removes(change: Change) -> bool:
    return change.action in REMOVALS or change.action is Action.FORGET


def payment_refusal(money: Money, *, limit: Decimal | None, interactive: bool) -> str | None:
    """Why the new payments a plan schedules need `--allow-payments`, or None when they don't.

    With a limit, any currency's new-payment total above it is refused. Without one, a
    person confirming the plan at a terminal is the check; any amount is refused otherwise.
    """
    totals = money.payments.totals
    if limit is None:
        over = {} if interactive else totals
    else:
        over = {cur: amount for cur, amount in totals.items() if Decimal(amount) > limit}
    if not over:
        return None
    listed = ", ".join(f"{cur} {amount}" for cur, amount in sorted(over.items()))
    bound = f"the payment limit {limit}" if limit is not None else "no payment limit is set"
    return (
        f"the plan schedules new or raised bill payments of {listed} ({bound}); "
        "use --allow-payments"
    )
