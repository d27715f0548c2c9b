"""The common base of the desired objects: address, document and settings declared once."""

from __future__ import annotations

import dataclasses

import pytest

from rampctl.model.bills import DesiredBill
from rampctl.model.declared import Desired
from rampctl.model.desired import DesiredAccountingVendor, DesiredUser, DesiredVendor

COMMON = {f.name for f in dataclasses.fields(Desired)}


@pytest.mark.parametrize("kind", [DesiredVendor, DesiredAccountingVendor, DesiredUser, DesiredBill])
def test_each_desired_kind_takes_its_common_fields_from_the_base(kind: type[Desired]) -> None:
    assert issubclass(kind, Desired)
    assert {"address", "document", "protect", "ignore"} == COMMON
    assert {f.name for f in dataclasses.fields(kind)} >= COMMON
    own = set(vars(kind).get("__annotations__", {}))
    assert not own & COMMON  # not declared again
