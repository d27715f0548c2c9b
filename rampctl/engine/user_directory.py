"""Departments and locations by name: a User manifest gives a Ramp id or a name.

Names are looked up in Ramp's listings (`GET /departments`, `GET /locations`), read only when
some manifest gives a name, so a project that gives ids (or no department at all) never asks
Ramp for `departments:read` or `locations:read`. A name matches case-blind and must match
exactly one entry; an unknown or ambiguous name is a positioned plan error.
"""

from __future__ import annotations

import difflib
import uuid
from dataclasses import replace

from rampctl.engine.changes import FieldChange
from rampctl.engine.kind_plan import problem_at
from rampctl.engine.snapshot import Snapshot
from rampctl.errors import Problem
from rampctl.model.desired import DesiredGraph, DesiredUser
from rampctl.model.kinds import UserValues
from rampctl.ramp.client import RampClient
from rampctl.ramp.scopes import DIRECTORY_SCOPES

#: The User fields that name a department or a location.
FIELDS = ("department", "location")


def is_id(value: str) -> bool:
    """Whether a value is a Ramp id (a UUID) rather than a name."""
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def names_given(graph: DesiredGraph) -> set[str]:
    """The fields (`department`, `location`) some User manifest gives by name."""
    return {
        name
        for user in graph.users.values()
        for name in FIELDS
        if (value := getattr(user.fields, name)) and not is_id(value)
    }


def read_directory(client: RampClient, graph: DesiredGraph, snapshot: Snapshot) -> None:
    """Read the departments and locations the manifests name (only those listings)."""
    needed = names_given(graph)
    if not needed:
        return
    client.request_scopes(DIRECTORY_SCOPES[name] for name in sorted(needed))
    if "department" in needed:
        snapshot.departments = {d.id: d.name for d in client.list_departments()}
    if "location" in needed:
        snapshot.locations = {loc.id: loc.name for loc in client.list_locations()}


def resolve(desired: DesiredUser, snapshot: Snapshot) -> tuple[UserValues, list[Problem]]:
    """The user's values with department and location names replaced by Ramp ids."""
    given: dict[str, str] = {}
    problems: list[Problem] = []
    for name in FIELDS:
        value = getattr(desired.fields, name)
        if not value or is_id(value):
            continue
        listing = (snapshot.departments if name == "department" else snapshot.locations) or {}
        ids = [i for i, n in listing.items() if n.strip().casefold() == value.casefold()]
        if len(ids) == 1:
            given[name] = ids[0]
        else:
            problems.append(problem_at(desired, f"spec.{name}", _why(name, value, ids, listing)))
    fields = desired.fields
    department = given.get("department", fields.department)
    location = given.get("location", fields.location)
    return replace(fields, department=department, location=location), problems


def _why(name: str, value: str, ids: list[str], listing: dict[str, str]) -> str:
    if ids:
        return f"{len(ids)} Ramp {name}s are named {value!r}: give the id of one ({', '.join(ids)})"
    close = difflib.get_close_matches(value, sorted(set(listing.values())), n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"no Ramp {name} is named {value!r}{hint}; give a {name} name or id Ramp has"


def named(change: FieldChange, snapshot: Snapshot) -> FieldChange:
    """A department or location change as a reviewer reads it: names where Ramp's listing
    was read, ids otherwise (the request always carries ids)."""
    if change.path not in FIELDS:
        return change
    listing = (snapshot.departments if change.path == "department" else snapshot.locations) or {}
    return replace(
        change,
        before=listing.get(str(change.before), change.before),
        after=listing.get(str(change.after), change.after),
    )
