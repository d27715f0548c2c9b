"""Plan-time checks of a Vendor manifest against Ramp and the other manifests.

Each check returns the problems it finds (empty when the manifest is fine); none writes.
"""

from __future__ import annotations

from collections.abc import Mapping

from rampctl.engine.context import PlanContext
from rampctl.engine.kind_plan import problem_at
from rampctl.errors import Problem
from rampctl.model.desired import DesiredGraph, DesiredVendor
from rampctl.model.kinds.user import INACTIVE
from rampctl.ramp.models import User, Vendor


def check_owner(ctx: PlanContext, desired: DesiredVendor, live: Vendor | None) -> list[Problem]:
    """An owner must be a user of the Ramp business (or declared by a User manifest), and a
    vendor is never created with, or handed to, a user deactivated in Ramp that no User
    manifest reactivates (Ramp would leave it owned by nobody who can act)."""
    return owner_problems(ctx.graph, ctx.snapshot.users_by_email, desired, live)


def owner_problems(
    graph: DesiredGraph,
    users_by_email: Mapping[str, User],
    desired: DesiredVendor,
    live: Vendor | None,
) -> list[Problem]:
    """`check_owner` over the graph and Ramp's users by (trimmed, lower-case) email."""
    owner = desired.fields.owner
    if not owner or graph.user_by_email(owner):
        return []
    found = users_by_email.get(owner)
    if found is None:
        message = f"no Ramp user and no User manifest has the email {owner!r}"
    elif found.status == INACTIVE and _sends_owner(desired, live, found.id):
        message = (
            f"the owner {owner} is deactivated in Ramp: name another, or declare them with a "
            "User manifest (which reactivates them first)"
        )
    else:
        return []
    return [problem_at(desired, "spec.owner", message)]


def _sends_owner(desired: DesiredVendor, live: Vendor | None, owner_id: str) -> bool:
    """Whether the plan writes this owner: on create, or as a change of a live vendor's."""
    if live is None:
        return True
    return live.vendor_owner_id != owner_id and "owner" not in desired.ignore


def check_link(ctx: PlanContext, desired: DesiredVendor, live: Vendor | None) -> list[Problem]:
    """A linked accounting vendor must exist and not be linked to another vendor."""
    remote = desired.fields.accounting_vendor
    if not remote or "accounting_vendor" in desired.ignore:
        return []
    if remote not in ctx.snapshot.accounting_by_remote and not _planned_remote(ctx, remote):
        message = f"no accounting vendor with remote id {remote!r} in Ramp or the manifests"
        return [problem_at(desired, "spec.accounting_vendor", message)]
    holder = ctx.snapshot.vendor_by_link.get(remote)
    if holder is None or (live is not None and holder.id == live.id) or _moves_away(ctx, holder):
        return []
    message = (
        f"accounting vendor {remote!r} is already linked to vendor {holder.name!r} "
        "in Ramp; Ramp links an accounting vendor to one vendor only"
    )
    return [problem_at(desired, "spec.accounting_vendor", message)]


def _planned_remote(ctx: PlanContext, remote: str) -> bool:
    return any(a.remote_id == remote for a in ctx.graph.accounting_vendors.values())


def _moves_away(ctx: PlanContext, holder: Vendor) -> bool:
    """Whether a managed vendor currently holding a link is relinked by the manifests."""
    for desired in ctx.graph.vendors.values():
        if ctx.match_vendor(desired) is holder:
            wanted = (
                desired.fields.accounting_vendor
                if desired.manages("accounting_vendor")
                else holder.accounting_vendor_remote_id
            )
            return bool(wanted) and wanted != holder.accounting_vendor_remote_id
    return False


def check_creatable(desired: DesiredVendor) -> list[Problem]:
    """Ramp needs a name, a country, an owner and a contact to create a vendor."""
    required = (("name", "spec.name"), ("country", "spec.country"), ("owner", "spec.owner"))
    problems = [
        problem_at(desired, path, f"{name} is required to create the vendor in Ramp")
        for name, path in required
        if not desired.fields.get(name)
    ]
    if not desired.contact or not desired.contact.email:
        message = "a contact with an email is required to create the vendor in Ramp"
        problems.append(problem_at(desired, "spec.contact", message))
    return problems
