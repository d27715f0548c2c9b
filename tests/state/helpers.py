"""Factories for state tests: plausible resource entries and states."""

from __future__ import annotations

from rampctl.state import ResourceState, State


def vendor(ramp_id: str = "v-1", **changes: object) -> ResourceState:
    """A vendor entry with plausible defaults."""
    fields: dict[str, object] = {
        "kind": "vendor",
        "ramp_id": ramp_id,
        "fingerprint": f"sha256:{ramp_id}",
        "attributes": {"name": f"Vendor {ramp_id}"},
    }
    fields.update(changes)
    return ResourceState.model_validate(fields)


def with_vendors(state: State, count: int) -> State:
    """`state` plus `count` vendors vendor/v0..."""
    for index in range(count):
        state = state.with_resource(f"vendor/v{index}", vendor(f"id-{index}"))
    return state
