"""The documented JSON Schema of `rampctl plan --json` and plan files."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def plan_schema() -> dict[str, Any]:
    """The plan JSON Schema shipped with rampctl."""
    text = resources.files("rampctl.render").joinpath("plan.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
