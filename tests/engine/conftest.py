"""Builders for engine tests: manifests on disk, a hand-made live snapshot, states."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from rampctl.engine.context import PlanContext
from rampctl.engine.plan import Plan
from rampctl.engine.planner import PlanSettings, build_plan
from rampctl.engine.snapshot import Snapshot
from rampctl.manifest import load_manifests
from rampctl.model.desired import DesiredGraph, build_graph
from rampctl.ramp.models import AccountingVendor, Business, User, Vendor
from rampctl.state.model import State

BUSINESS = "b0000000-0000-4000-8000-000000000001"
BOB = "u0000000-0000-4000-8000-00000000000b"
CAROL = "u0000000-0000-4000-8000-00000000000c"


def vendor(vid: str, name: str, **fields: Any) -> Vendor:
    """A live vendor with sensible defaults."""
    base: dict[str, Any] = {
        "id": vid,
        "name": name,
        "country": "US",
        "vendor_owner_id": BOB,
        "contacts": [],
        "is_active": True,
        "is_deletable": True,
    }
    return Vendor.model_validate({**base, **fields})


def accounting_vendor(ramp_id: str, remote: str, name: str, **fields: Any) -> AccountingVendor:
    """A live accounting vendor."""
    return AccountingVendor.model_validate(
        {"ramp_id": ramp_id, "id": remote, "name": name, "is_active": True, **fields}
    )


def snapshot(vendors: list[Vendor] = (), avs: list[AccountingVendor] = ()) -> Snapshot:  # type: ignore[assignment]
    """A snapshot of a business with two users and the given objects."""
    users = {
        BOB: User(id=BOB, email="bob@example.com"),
        CAROL: User(id=CAROL, email="carol@example.com"),
    }
    return Snapshot(
        business=Business(id=BUSINESS),
        users=users,
        vendors={v.id: v for v in vendors},
        accounting_vendors={a.ramp_id: a for a in avs},
        entities={},
    )


class Manifests:
    """Writes manifest files under a temporary root and loads them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(exist_ok=True)

    def write(self, name: str, text: str) -> None:
        """Write one manifest file."""
        (self.root / name).write_text(textwrap.dedent(text).lstrip())

    def graph(self) -> DesiredGraph:
        """Load and build the desired graph."""
        return build_graph(load_manifests(self.root))


@pytest.fixture
def manifests(tmp_path: Path) -> Manifests:
    return Manifests(tmp_path / "manifests")


def plan_for(
    graph: DesiredGraph, snap: Snapshot, state: State | None = None, **settings: Any
) -> Plan:
    """Plan with an already-read snapshot."""
    ctx = PlanContext(graph=graph, state=state or State.new(), snapshot=snap)
    return build_plan(ctx, environment="sandbox", settings=PlanSettings(**settings))


VENDOR_DOC = """
apiVersion: rampctl/v1
kind: Vendor
metadata: {{name: {name}}}
spec:
  name: {title}
  country: US
  owner: bob@example.com
  contact: {{email: ap@{name}.example, first_name: Ada}}
{extra}
"""


def vendor_doc(name: str, title: str, extra: str = "") -> str:
    """A Vendor manifest document."""
    return VENDOR_DOC.format(name=name, title=title, extra=textwrap.indent(extra, "  "))
