"""`rampctl.manifest.validate` as it was before it was made faster: the reference the new one
is compared with (`tests/manifest/test_validate.py`)."""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from rampctl.errors import Problem
from rampctl.manifest.document import Document
from rampctl.manifest.position import FieldPath, KeyPositions, Places, Position, format_path
from rampctl.manifest.specs import (
    ADDRESS_PREFIX,
    API_VERSION,
    MANIFEST_MODELS,
    SLUG_MAX,
    SLUG_RE,
    suggest,
)
from rampctl.manifest.validate import Checked, Identity, _surrogate_problem
from rampctl.manifest.yamlparse import RawDocument

_NOT_A_MAPPING = "a manifest document must be a mapping with apiVersion, kind, metadata and spec"


def validate_document(raw: RawDocument) -> Checked:
    """Validate one document against the spec of its kind, collecting every problem."""
    value = raw.value
    if not isinstance(value, dict):
        return Checked(problems=[_at(raw.start, _NOT_A_MAPPING)])
    kind_problem = _check_kind(raw, value)
    if kind_problem is not None:
        return Checked(problems=[kind_problem])
    kind = str(value["kind"])
    identity = _identity(raw, kind, value)
    address = identity.address if identity else ""
    model = MANIFEST_MODELS[kind]
    try:
        manifest = model.model_validate(value)
    except ValidationError as exc:
        problems = [_problem(raw, model, err, address) for err in exc.errors(include_url=False)]
        return Checked(identity=identity, problems=problems)
    except UnicodeEncodeError:  # as rampctl reports a lone surrogate pydantic-core refuses
        return Checked(identity=identity, problems=[_surrogate_problem(raw, value, address)])
    assert identity is not None  # a valid manifest has a valid name
    document = Document(
        kind=kind,
        name=manifest.metadata.name,
        address=identity.address,
        spec=manifest.spec,
        position=raw.start,
        keys=_key_positions(raw),
        previously=tuple(manifest.metadata.previously),
    )
    return Checked(identity=identity, document=document)


def _key_positions(raw: RawDocument) -> KeyPositions:
    """What a document keeps of where its keys are written."""
    keys = raw.keys
    if type(keys) is Places and keys.file == raw.start.file:
        return KeyPositions.of_places(keys)
    return KeyPositions.of(raw.start.file, keys)


def _at(position: Position, message: str, address: str = "", path: FieldPath = ()) -> Problem:
    return Problem(
        file=position.file,
        line=position.line,
        col=position.col,
        message=message,
        address=address,
        field=format_path(path),
    )


def _check_kind(raw: RawDocument, value: dict[str, Any]) -> Problem | None:
    kind = value.get("kind")
    if "kind" not in value:
        return _at(raw.start, "missing required field 'kind'", path=("kind",))
    if isinstance(kind, str) and kind in MANIFEST_MODELS:
        return None
    where = raw.values.get(("kind",), raw.start)
    if not isinstance(kind, str):
        return _at(where, "kind must be text", path=("kind",))
    known = ", ".join(sorted(MANIFEST_MODELS))
    message = f"unknown kind '{kind}'{suggest(kind, MANIFEST_MODELS)}; expected one of: {known}"
    return _at(where, message, path=("kind",))


def _identity(raw: RawDocument, kind: str, value: dict[str, Any]) -> Identity | None:
    metadata = value.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    if isinstance(name, str):
        name = name.strip()  # as validation trims it
    if not isinstance(name, str) or len(name) > SLUG_MAX or not SLUG_RE.fullmatch(name):
        return None
    address = f"{ADDRESS_PREFIX[kind]}/{name}"
    where = raw.values.get(("metadata", "name"), raw.start)
    return Identity(kind=kind, name=name, address=address, position=where)


def _problem(raw: RawDocument, model: type[BaseModel], err: ErrorDetails, address: str) -> Problem:
    path = _clean_loc(err["loc"])
    kind = err["type"]
    if kind == "missing":
        return _at(_nearest(raw.keys, path[:-1], raw.start), _missing(path), address, path)
    if kind == "extra_forbidden":
        name = str(path[-1])
        hint = suggest(name, fields_at(model, path[:-1]))
        where = _nearest(raw.keys, path, raw.start)
        return _at(where, f"unknown field '{name}'{hint}", address, path)
    where = raw.values.get(path) or _nearest(raw.keys, path, raw.start)
    return _at(where, _message(err), address, path)


def _clean_loc(loc: tuple[int | str, ...]) -> FieldPath:
    """Drop the union-member tags pydantic adds to locations (`str`, model names)."""
    out: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and (part[:1].isupper() or "-" in part or part == "str"):
            continue
        out.append(part)
    return tuple(out)


def _missing(path: FieldPath) -> str:
    return f"missing required field '{path[-1]}'"


def _nearest(
    positions: Mapping[FieldPath, Position], path: FieldPath, default: Position
) -> Position:
    while path:
        if path in positions:
            return positions[path]
        path = path[:-1]
    return default


def _message(err: ErrorDetails) -> str:
    kind, given = err["type"], _describe(err["input"])
    if kind == "value_error":
        return str(err.get("ctx", {}).get("error", err["msg"]))
    if kind == "literal_error" and err["loc"] == ("apiVersion",):
        return f"unsupported apiVersion {given} (expected {API_VERSION!r})"
    if kind == "literal_error":
        return f"expected one of {err.get('ctx', {}).get('expected')}, got {given}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        limit = err.get("ctx", {}).get("max_length")
        return f"must be at most {limit} characters, got {len(str(err['input']))}"
    expected = _EXPECTED.get(kind)
    if expected:
        return f"expected {expected}, got {given}"
    return str(err["msg"])


_EXPECTED = {
    "string_type": "text",
    "model_type": "a mapping",
    "dict_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
}


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value) if isinstance(value, str) else type(value).__name__


def fields_at(model: type[BaseModel], path: FieldPath) -> list[str]:
    """The field names valid at `path` inside `model` (for "did you mean")."""
    current: type[BaseModel] | None = model
    for part in path:
        if isinstance(part, int):
            continue  # an item of a list of models: its fields are the model's
        if current is None or part not in current.model_fields:
            return []
        current = model_in(current.model_fields[part].annotation)
    return list(current.model_fields) if current else []


def model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) is list:
        return model_in(typing.get_args(annotation)[0])
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        for arg in typing.get_args(annotation):
            found = model_in(arg)
            if found is not None:
                return found
    return None
