"""The desired graph built from validated manifests."""

from __future__ import annotations

from pathlib import Path

from rampctl.manifest import load_manifests
from rampctl.model.desired import build_graph

VENDOR = """apiVersion: rampctl/v1
kind: Vendor
metadata:
  name: acme
  previously: [acme-old]
spec:
  name: Acme
  country: US
  address: {line1: 1 Main St, city: Oakland, postal_code: '94607'}
"""


def test_desired_objects_keep_where_they_are_declared_but_not_the_spec(tmp_path: Path) -> None:
    """The graph lives as long as the run: each desired object keeps its document's
    positions and earlier names (for problems and moves), not the spec it was read from."""
    (tmp_path / "acme.yaml").write_text(VENDOR)
    desired = build_graph(load_manifests(tmp_path)).vendors["vendor/acme"]
    origin = desired.document
    assert not hasattr(origin, "spec")
    assert origin.previously == ("acme-old",)
    assert origin.position_of("spec.address.city").line == 9
    assert origin.position_of("spec.address.state").line == 9  # its nearest written parent
    assert origin.position_of("spec.owner").line == 6
