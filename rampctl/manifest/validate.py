"""Turn one raw YAML document into a validated Document, or into positioned problems."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from rampctl.errors import Problem
from rampctl.manifest.document import Document
from rampctl.manifest.position import FieldPath, KeyPositions, Places, Position, format_path
from rampctl.manifest.quick import validated
from rampctl.manifest.specs import (
    ADDRESS_PREFIX,
    API_VERSION,
    MANIFEST_MODELS,
    SLUG_MAX,
    SLUG_RE,
    suggest,
)
from rampctl.manifest.yamlparse import RawDocument
from rampctl.model.frozen import Maker

_NOT_A_MAPPING = "a manifest document must be a mapping with apiVersion, kind, metadata and spec"


@dataclass(frozen=True, kw_only=True)
class Identity:
    """Kind, name and address of a document, known even when its spec is invalid."""

    kind: str
    name: str
    address: str
    position: Position


@dataclass(kw_only=True)
class Checked:
    """The outcome of validating one document."""

    identity: Identity | None = None
    document: Document | None = None
    problems: list[Problem] = field(default_factory=list)


_IDENTITY = Maker(Identity)
_DOCUMENT = Maker(Document)
_NAME_PATH = ("metadata", "name")


def validate_document(raw: RawDocument) -> Checked:
    """Validate one document against the spec of its kind, collecting every problem."""
    value = raw.value
    if not isinstance(value, dict):
        return Checked(problems=[_at(raw.start, _NOT_A_MAPPING)])
    kind = value.get("kind")
    if not isinstance(kind, str) or (model := MANIFEST_MODELS.get(kind)) is None:
        return Checked(problems=[_kind_problem(raw, value)])
    identity = _identity(raw, kind, value)
    try:
        manifest = validated(model, value)
    except ValidationError as exc:
        address = identity.address if identity else ""
        problems = [_problem(raw, model, err, address) for err in exc.errors(include_url=False)]
        return Checked(identity=identity, problems=problems)
    except UnicodeEncodeError:  # pydantic-core refuses some lone surrogates this way
        address = identity.address if identity else ""
        return Checked(identity=identity, problems=[_surrogate_problem(raw, value, address)])
    metadata = manifest.metadata
    if identity is None or identity.name != metadata.name:  # the name as validated decides
        identity = _named(raw, kind, metadata.name)
    document = _DOCUMENT(
        {
            "kind": kind,
            "name": metadata.name,
            "address": identity.address,
            "spec": manifest.spec,
            "position": raw.start,
            "keys": _key_positions(raw),
            "previously": tuple(metadata.previously),
        }
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


_SURROGATE = "text holds a lone UTF-16 surrogate (an escape like \\ud800), which is not a character"


def _surrogate_problem(raw: RawDocument, value: Any, address: str) -> Problem:
    """Where the first text holding a lone UTF-16 surrogate (`"\\ud800"`, which is not a
    character) is written in the document."""
    path = _surrogate_path(value, ())
    if path is None:
        return _at(raw.start, _SURROGATE, address)
    where = raw.values.get(path) or _nearest(raw.keys, path, raw.start)
    return _at(where, _SURROGATE, address, path)


def _surrogate_path(value: Any, path: FieldPath) -> FieldPath | None:
    """The path of the first key or text below `value` holding a lone surrogate."""
    if isinstance(value, str):
        return path if not _encodes(value) else None
    items: Iterable[tuple[Any, Any]]
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        if isinstance(key, str) and not _encodes(key):
            return (*path, key)
        found = _surrogate_path(item, (*path, key))
        if found is not None:
            return found
    return None


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _kind_problem(raw: RawDocument, value: dict[str, Any]) -> Problem:
    """What is wrong with the `kind` of a document whose kind is not one of rampctl's."""
    if "kind" not in value:
        return _at(raw.start, "missing required field 'kind'", path=("kind",))
    kind = value["kind"]
    where = raw.values.get(("kind",), raw.start)
    if not isinstance(kind, str):
        return _at(where, "kind must be text", path=("kind",))
    known = ", ".join(sorted(MANIFEST_MODELS))
    message = f"unknown kind '{kind}'{suggest(kind, MANIFEST_MODELS)}; expected one of: {known}"
    return _at(where, message, path=("kind",))


def _identity(raw: RawDocument, kind: str, value: dict[str, Any]) -> Identity | None:
    """The document's identity, when its name is valid (spaces around it are trimmed, as
    validation trims them); None otherwise."""
    metadata = value.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    if not isinstance(name, str):
        return None
    if name[:1].isspace() or name[-1:].isspace():
        name = name.strip()
    if len(name) > SLUG_MAX or not SLUG_RE.fullmatch(name):
        return None
    return _named(raw, kind, name)


def _named(raw: RawDocument, kind: str, name: str) -> Identity:
    """The identity of a document named `name`, placed where its name is written."""
    try:
        where = raw.values[_NAME_PATH]
    except KeyError:
        where = raw.start
    address = f"{ADDRESS_PREFIX[kind]}/{name}"
    return _IDENTITY({"kind": kind, "name": name, "address": address, "position": where})


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
