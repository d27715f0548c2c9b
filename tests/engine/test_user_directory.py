"""Department and location names resolved against Ramp's listings."""

from __future__ import annotations

import pytest

from rampctl.engine.user_directory import is_id, names_given
from rampctl.errors import ManifestError
from tests.engine.conftest import Manifests, plan_for, snapshot

DEPT = "c16b6ee1-2f5d-45e9-9fb4-c1c541a9ea70"
LOC = "f4efe11c-221f-4b49-a1e4-33eaf96a49ee"
DOC = """
apiVersion: rampctl/v1
kind: User
metadata: {{name: dana}}
spec:
  email: dana@example.com
  first_name: Dana
  last_name: Lee
  role: BUSINESS_USER
{extra}"""


def test_ids_are_uuids() -> None:
    assert is_id(DEPT) and not is_id("Engineering") and not is_id("")


def test_only_names_need_the_listings(manifests: Manifests) -> None:
    manifests.write("u.yaml", DOC.format(extra=f"  department: {DEPT}\n  location: London\n"))
    assert names_given(manifests.graph()) == {"location"}


def test_names_become_ids_case_blind(manifests: Manifests) -> None:
    manifests.write("u.yaml", DOC.format(extra="  department: bookkeeping \n  location: NYC\n"))
    snap = snapshot()
    snap.departments = {DEPT: "Bookkeeping", "other": "Sales"}
    snap.locations = {LOC: "nyc"}
    [invite] = plan_for(manifests.graph(), snap).changes
    assert invite.request is not None
    assert (invite.request["department_id"], invite.request["location_id"]) == (DEPT, LOC)


def test_a_name_not_read_or_unknown_is_positioned(manifests: Manifests) -> None:
    manifests.write("u.yaml", DOC.format(extra="  location: Paris\n"))
    snap = snapshot()
    snap.locations = {LOC: "London"}
    with pytest.raises(ManifestError) as raised:
        plan_for(manifests.graph(), snap)
    [problem] = raised.value.problems
    assert (problem.line, problem.field) == (9, "spec.location")
    assert problem.message.startswith("no Ramp location is named 'Paris'")
