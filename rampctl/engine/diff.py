"""Field-level comparison of a live view with the desired (managed) fields.

Nested values are compared part by part, giving dotted paths (`address.city`): their parts
are declared with the kind (`rampctl.model.kinds`), and only the parts a manifest sets are
compared, which a generic differ cannot know. Lists (bill lines, accounting codings) are
compared whole: Ramp's API replaces them whole, so a whole-list change is what apply sends.
That is why rampctl does not use deepdiff: it would add a dependency to produce paths
(`root['address']['city']`) to translate back, and could not tell managed from unmanaged parts.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import JsonValue

from rampctl.engine.changes import FieldChange


def diff_fields(
    live: Mapping[str, JsonValue], wanted: Mapping[str, JsonValue]
) -> list[FieldChange]:
    """The fields of `wanted` whose value differs in `live`, nested dicts by sub-field.

    Only the keys of `wanted` are compared: a field absent from a manifest is not
    managed. For a nested dict (an address) only the sub-fields the manifest sets count.
    """
    if wanted.items() <= live.items():
        return []  # the usual case, told at C speed without walking the fields
    changes: list[FieldChange] = []
    for name in sorted(wanted):
        want, have = wanted[name], live.get(name)
        if isinstance(want, Mapping):
            changes += _diff_nested(name, have if isinstance(have, Mapping) else {}, want)
        elif want != have:
            changes.append(FieldChange(path=name, before=have, after=want))
    return changes


def _diff_nested(
    prefix: str, have: Mapping[str, JsonValue], want: Mapping[str, JsonValue]
) -> list[FieldChange]:
    return [
        FieldChange(path=f"{prefix}.{key}", before=have.get(key), after=want[key])
        for key in sorted(want)
        if want[key] != have.get(key)
    ]


def drift_fields(
    recorded: Mapping[str, JsonValue], live: Mapping[str, JsonValue]
) -> list[FieldChange]:
    """What changed in `live` since `recorded` (the last apply), over the recorded fields."""
    if recorded.items() <= live.items():
        return []  # the usual case, told at C speed without walking the fields
    changes: list[FieldChange] = []
    for name in sorted(recorded):
        before, after = recorded[name], live.get(name)
        if isinstance(before, Mapping) and isinstance(after, Mapping):
            keys = sorted(set(before) | set(after))
            changes += [
                FieldChange(path=f"{name}.{k}", before=before.get(k), after=after.get(k))
                for k in keys
                if before.get(k) != after.get(k)
            ]
        elif before != after:
            changes.append(FieldChange(path=name, before=before, after=after))
    return changes


def value_at(values: Mapping[str, JsonValue], path: str) -> JsonValue:
    """The value at a dotted path of nested mappings (None where absent)."""
    current: JsonValue = dict(values)
    for part in path.split("."):
        current = current.get(part) if isinstance(current, Mapping) else None
    return current
