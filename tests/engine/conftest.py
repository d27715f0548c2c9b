"""Builders for engine tests: manifests on disk, a hand-made live snapshot, states."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from rampctl.engine.context import PlanContext
from rampctl.engine.plan import Plan
from rampctl.engine.planner import PlanSettings, build_plan
from rampctl.engine.snapshot import Snapshot, read_snapshot
from rampctl.importer.bill_draft import import_bills
from rampctl.manifest import load_manifests
from rampctl.model.desired import DesiredGraph, build_graph
from rampctl.ramp.client import RampClient
from rampctl.ramp.config import ClientConfig
from rampctl.ramp.models import AccountingVendor, Business, User, Vendor
from rampctl.ramp.scopes import READ_SCOPES
from rampctl.state.model import State

REPO = Path(__file__).resolve().parents[2]
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


@dataclass(frozen=True)
class DemoBills:
    """A read client on the demo sandbox, its snapshot, and its open bills drafted by import."""

    client: RampClient
    snapshot: Snapshot
    acme_id: str
    docs: list[dict[str, Any]]


@contextmanager
def demo_bills() -> Iterator[DemoBills]:
    """The demo sandbox's bills drafted as manifests, with the client still open."""
    embedded = pytest.importorskip("rampctl.sandbox.embedded")
    with embedded.running_sandbox(seed="demo") as sandbox:
        config = ClientConfig(
            base_url=sandbox.base_url,
            client_id=sandbox.client_id,
            client_secret=sandbox.client_secret,
        )
        with RampClient(config, scopes=READ_SCOPES) as client:
            snapshot = read_snapshot(client)
            acme = snapshot.vendors_by_key["acme-cloud"][0]
            docs = import_bills(
                client, snapshot, since="2025-01-01", vendor_names={acme.id: "acme-cloud"}
            )
            yield DemoBills(client=client, snapshot=snapshot, acme_id=acme.id, docs=docs)


def demo_manifests_with(root: Path, bills: list[dict[str, Any]]) -> DesiredGraph:
    """The demo manifests copied to `root` with `bills` beside them, as a desired graph."""
    shutil.copytree(REPO / "manifests", root)
    (root / "bills.yaml").write_text(yaml.safe_dump_all(bills, sort_keys=False))
    return build_graph(load_manifests(root))
