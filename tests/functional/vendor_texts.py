"""Vendor manifest texts the functional tests add to a demo project."""

from __future__ import annotations

BLUE_SUN_HEAD = """\
apiVersion: rampctl/v1
kind: Vendor
metadata:
  name: blue-sun
spec:
  name: Blue Sun Corp
  country: US
"""


def blue_sun(owner: str, people: str) -> str:
    """The `blue-sun` vendor owned by `owner`, with `people` (its contact or contacts block)."""
    return f"{BLUE_SUN_HEAD}  owner: {owner}\n{people}"
