"""How vendors are found in Ramp: by `external_vendor_id`, or by a verified match without it.

rampctl keeps its adoption key in Ramp's `external_vendor_id`. A Ramp whose API does not
return that field (the 2025 document) cannot find a vendor by key, so adoption, recovery of
a create whose answer was lost and `state rebuild` fall back to a *verified match*: the
vendor's normalised name, its owner and its accounting link must all agree, and exactly one
unclaimed live vendor may agree; several are listed for a person to choose, none means
create. Which mode is in force is found out once per business (`probe_external_vendor_id`)
and kept in the state's `capabilities`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set

from pydantic import JsonValue

from rampctl.model import normalise as norm
from rampctl.model.desired import DesiredVendor
from rampctl.ramp.capabilities import ExternalIdSupport, probe_external_vendor_id
from rampctl.ramp.client import RampClient
from rampctl.ramp.models import User, Vendor
from rampctl.state.model import State

KEY_MODE = "external_vendor_id"
MATCH_MODE = "verified_match"
CAPABILITY = "external_vendor_id"
MATCHED_REASON = "found by name, owner and accounting link (this Ramp has no external_vendor_id)"


def cached_support(state: State) -> ExternalIdSupport | None:
    """The answer the state keeps for this business, if a known one."""
    kept = state.capabilities.get(CAPABILITY)
    if not isinstance(kept, dict):
        return None
    support = ExternalIdSupport(
        returned=_flag(kept.get("returned")), filtered=_flag(kept.get("filtered"))
    )
    return support if support.known else None


def _flag(value: JsonValue) -> bool | None:
    """A kept yes/no answer; None for an unknown (or unreadable) one."""
    return value if isinstance(value, bool) else None


def find_support(client: RampClient, state: State) -> ExternalIdSupport:
    """Whether this Ramp returns and filters by `external_vendor_id`: kept, else asked."""
    return cached_support(state) or probe_external_vendor_id(client)


def capability_record(support: ExternalIdSupport | None) -> dict[str, JsonValue]:
    """The state's `capabilities` entries for a known answer (nothing for an unknown one)."""
    if support is None or not support.known:
        return {}
    return {CAPABILITY: {"returned": support.returned, "filtered": support.filtered}}


def mode_of(support: ExternalIdSupport | None) -> str:
    """`verified_match` where Ramp is known not to return the key, else `external_vendor_id`.

    A Ramp that returns the key but ignores its filter still finds vendors by key: plan
    reads every vendor, and lookups check the key on what comes back.
    """
    return MATCH_MODE if support is not None and support.returned is False else KEY_MODE


def describe(mode: str) -> str:
    """The plan header line naming the mode."""
    if mode == MATCH_MODE:
        return (
            "Vendors matched by name, owner and accounting link: this Ramp does not return "
            "external_vendor_id."
        )
    return "Vendors matched by external_vendor_id."


def match_name(name: str | None) -> str:
    """A name as the verified match compares it: trimmed, inner spaces single, case folded."""
    return " ".join(str(norm.text(name) or "").split()).casefold()


def verified_matches(
    desired: DesiredVendor,
    vendors: Iterable[Vendor],
    users: Mapping[str, User],
    taken: Set[str],
) -> list[Vendor]:
    """The live vendors not in `taken` whose name, owner and accounting link agree with the
    manifest's (owner and link only where the manifest sets them), by Ramp id."""
    name = match_name(desired.fields.name)
    owner = desired.fields.owner if desired.manages("owner") else None
    link = desired.fields.accounting_vendor if desired.manages("accounting_vendor") else None
    found = []
    for vendor in vendors:
        if vendor.id in taken or match_name(vendor.name) != name:
            continue
        if desired.manages("owner") and _owner_email(vendor, users) != owner:
            continue
        if desired.manages("accounting_vendor") and (
            norm.text(vendor.accounting_vendor_remote_id) != link
        ):
            continue
        found.append(vendor)
    return sorted(found, key=lambda v: v.id)


def _owner_email(vendor: Vendor, users: Mapping[str, User]) -> str | None:
    user = users.get(vendor.vendor_owner_id or "")
    return norm.email(user.email) if user and user.email else None


def candidates_text(vendors: Iterable[Vendor]) -> str:
    """`v1 (Acme), v2 (ACME)`: candidates as a reason lists them."""
    return ", ".join(f"{v.id} ({v.name})" for v in vendors)
