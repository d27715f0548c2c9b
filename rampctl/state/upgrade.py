"""Upgrades of older state file layouts to the current one, one version step at a time.

`UPGRADES[n]` turns a raw format-`n` document into a raw format-`n + 1` document. Loading
runs the chain from the file's version up to `FORMAT_VERSION`; the next write saves the
current layout (the backup keeps the old one). A file newer than this rampctl is refused.

Format 0 is the draft layout: `version` instead of `format_version`, resources as a list of
objects carrying their `address` and an `id` (the Ramp id), `dependencies` instead of
`depends_on`, no environment, attributes, protect or key.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import JsonValue

from rampctl.errors import StateError
from rampctl.state.model import FORMAT_VERSION

Raw = dict[str, JsonValue]
"""A state document as read from JSON, before validation."""


def _upgrade_0_to_1(doc: Raw) -> Raw:
    """Format 0 -> 1: resources become a mapping by address; rename the moved fields."""
    resources: Raw = {}
    for item in _list(doc.get("resources", []), "resources"):
        entry = dict(_dict(item, "resources[]"))
        address = entry.pop("address", None)
        if not isinstance(address, str):
            raise StateError("format 0 resource without an address")
        if "id" in entry:
            entry["ramp_id"] = entry.pop("id")
        if "dependencies" in entry:
            entry["depends_on"] = entry.pop("dependencies")
        resources[address] = entry
    rest = {k: v for k, v in doc.items() if k not in {"version", "resources"}}
    return {
        "format_version": 1,
        "environment": None,
        "business_id": None,
        **rest,
        "resources": resources,
    }


UPGRADES: dict[int, Callable[[Raw], Raw]] = {0: _upgrade_0_to_1}
"""Registry of one-step upgrades, keyed by the version they upgrade from."""


def version_of(doc: Raw) -> int:
    """The layout version of a raw state document (format 0 named it `version`)."""
    if "format_version" in doc:
        value = doc["format_version"]
    elif "version" in doc:
        value = doc["version"]
    else:
        raise StateError("it has no format_version")
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise StateError(f"format_version {value!r} is not a non-negative integer")
    return value


def upgrade(doc: Raw, *, target: int = FORMAT_VERSION) -> Raw:
    """Upgrade a raw document to format `target`, step by step; StateError if impossible."""
    version = version_of(doc)
    if version > target:
        raise StateError(
            f"it has format_version {version}, newer than this rampctl reads ({target}); "
            "upgrade rampctl"
        )
    while version < target:
        step = UPGRADES.get(version)
        if step is None:
            raise StateError(f"no upgrade from format_version {version}")
        doc = step(doc)
        new = version_of(doc)
        if new != version + 1:  # pragma: no cover - a broken registry entry
            raise StateError(f"upgrade from format {version} produced format {new}")
        version = new
    return doc


def _list(value: JsonValue, where: str) -> list[JsonValue]:
    if not isinstance(value, list):
        raise StateError(f"{where} is not a list")
    return value


def _dict(value: JsonValue, where: str) -> Raw:
    if not isinstance(value, dict):
        raise StateError(f"{where} is not an object")
    return value
