"""`rampctl fmt`: rewrite manifest files in canonical key order and style, keeping comments.

Canonical means: keys in the order of the spec (apiVersion, kind, metadata, spec; spec fields
as documented), block style, two-space indentation, booleans as `true`/`false`, and double
quotes around text that other YAML readers would take for a number, boolean, date or null
(`"02134"`, `"NO"`, `"1e3"`): the rule of `rampctl.manifest.quoting`, which `import` follows.
Values never change: the result is re-read and compared with the input, and a file whose
meaning would change is left alone and reported. Templates are not formatted, and neither is
a file with a document that is not a rampctl manifest (template variables in `vars/`, CI
workflows): their values mean what other YAML readers say they mean.
"""

from __future__ import annotations

import itertools
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from ruamel.yaml.tokens import CommentToken

from rampctl.errors import Problem
from rampctl.manifest.position import FieldPath
from rampctl.manifest.quoting import dump_yaml, needs_quotes, yaml_handler
from rampctl.manifest.specs import MANIFEST_MODELS, Flag
from rampctl.manifest.validate import fields_at, model_in
from rampctl.manifest.yamlparse import ParseFailure, RawDocument, parse_yaml

_BOOL: TypeAdapter[bool] = TypeAdapter(Flag)


@dataclass(frozen=True, kw_only=True)
class Formatted:
    """The canonical text of one file, or the problems that kept it from being formatted."""

    text: str
    changed: bool
    problems: list[Problem]
    #: True when the file is not made of rampctl manifests and was left alone.
    skipped: bool = False


def format_text(text: str, file: str) -> Formatted:
    """Format one manifest file's text; on any problem return it unchanged with the problems."""
    try:
        raws = parse_yaml(text, file)
    except ParseFailure as exc:
        return Formatted(text=text, changed=False, problems=exc.problems)
    if not all(_is_manifest(raw) for raw in raws):
        return Formatted(text=text, changed=False, problems=[], skipped=True)
    docs = list(yaml_handler().load_all(text))
    if any(d is None for d in docs) or len(docs) != len(raws):
        return Formatted(text=text, changed=False, problems=[])  # empty documents: left alone
    for doc, raw in zip(docs, raws, strict=True):
        _canonical(doc, raw.value, _model_of(raw), ())
    result = dump_yaml(docs)
    if not _same_meaning(raws, result, file):
        message = "fmt would change the meaning of this file; left unchanged"
        return Formatted(text=text, changed=False, problems=[_problem(file, message)])
    return Formatted(text=result, changed=result != text, problems=[])


def _problem(file: str, message: str) -> Problem:
    return Problem(file=file, line=1, col=1, message=message)


def _is_manifest(raw: RawDocument) -> bool:
    """A document that says it is a rampctl manifest (`apiVersion: rampctl/...`)."""
    version = raw.value.get("apiVersion") if isinstance(raw.value, dict) else None
    return isinstance(version, str) and version.startswith("rampctl/")


def _model_of(raw: RawDocument) -> type[BaseModel] | None:
    kind = raw.value.get("kind") if isinstance(raw.value, dict) else None
    return MANIFEST_MODELS.get(kind) if isinstance(kind, str) else None


def _canonical(node: Any, value: Any, model: type[BaseModel] | None, path: FieldPath) -> None:
    """Reorder keys, set block style and canonical scalars in place, below `node`."""
    if isinstance(node, CommentedMap) and isinstance(value, dict):
        node.fa.set_block_style()
        _reorder(node, fields_at(model, path) if model else [])
        for key in list(node.keys()):
            if isinstance(key, str) and key in value:
                node[key] = _scalar(node[key], value[key], model, (*path, key))
                _canonical(node[key], value[key], model, (*path, key))
    elif isinstance(node, CommentedSeq) and isinstance(value, list):
        node.fa.set_block_style()
        for index, item in enumerate(value[: len(node)]):
            node[index] = _scalar(node[index], item, model, (*path, index))
            _canonical(node[index], item, model, (*path, index))


def _reorder(node: CommentedMap, order: list[str]) -> None:
    known = [k for k in order if k in node]
    wanted = known + [k for k in node if k not in order]
    if wanted == list(node):
        return
    moved = _detach_leading(node)
    for key in wanted:
        node.move_to_end(key)
    _attach_leading(node, moved)


def _eol_token(node: CommentedMap, key: Any) -> Any:
    """The comment token after a scalar value (its end-of-line comment and lines below)."""
    if isinstance(node[key], CommentedMap | CommentedSeq):
        return None
    entry = node.ca.items.get(key)
    return entry[2] if entry and len(entry) > 2 else None


def _detach_leading(node: CommentedMap) -> dict[Any, tuple[Any, str]]:
    """Comment lines written above each key; ruamel keeps them on the key before it."""
    keys = list(node)
    moved = {}
    for prev, key in itertools.pairwise(keys):
        token = _eol_token(node, prev)
        if token is None:
            continue
        first, sep, rest = token.value.partition("\n")
        if rest:
            token.value = first + sep
            moved[key] = (prev, rest)
    return moved


def _attach_leading(node: CommentedMap, moved: dict[Any, tuple[Any, str]]) -> None:
    keys = list(node)
    for key, (old_prev, text) in moved.items():
        index = keys.index(key)
        prev = keys[index - 1] if index else old_prev
        if index == 0 or isinstance(node[prev], CommentedMap | CommentedSeq):
            prev = old_prev  # nowhere better to put it: keep it where it was
        token = _eol_token(node, prev)
        if token is None:
            entry = node.ca.items.setdefault(prev, [None, None, None, None])
            entry[2] = CommentToken("\n" + text, CommentMark(0), None)
        else:
            token.value += text


def _scalar(node: Any, value: Any, model: type[BaseModel] | None, path: FieldPath) -> Any:
    """The canonical form of a scalar; collections and nulls are returned as they are."""
    if not isinstance(value, str) or isinstance(node, CommentedMap | CommentedSeq):
        return node
    if model is not None and _is_bool(model, path):
        try:
            return _BOOL.validate_python(value)
        except ValidationError:
            return node
    if isinstance(node, str) and node == value and not _misread(node, value):
        return node
    return DoubleQuotedScalarString(value)


def _misread(node: str, value: str) -> bool:
    """A plain scalar that some YAML reader takes for something other than this text."""
    if type(node) is not str:  # already quoted or a block scalar
        return False
    return needs_quotes(value)


def _is_bool(model: type[BaseModel], path: FieldPath) -> bool:
    if not path or not isinstance(path[-1], str):
        return False
    owner = model
    for part in path[:-1]:
        if isinstance(part, int):
            continue  # an item of a list of models (`contacts[0].default`)
        if part not in owner.model_fields:
            return False
        inner = model_in(owner.model_fields[part].annotation)
        if inner is None:
            return False
        owner = inner
    info = owner.model_fields.get(path[-1])
    if info is None:
        return False
    options = [info.annotation, *typing.get_args(info.annotation)]
    return any(_unannotated(option) is bool for option in options)


def _unannotated(annotation: Any) -> Any:
    if typing.get_origin(annotation) is typing.Annotated:
        return typing.get_args(annotation)[0]
    return annotation


def _same_meaning(before: list[RawDocument], text: str, file: str) -> bool:
    try:
        after = parse_yaml(text, file)
    except ParseFailure:
        return False
    if len(after) != len(before):
        return False
    return all(
        _normal(a.value, _model_of(a), ()) == _normal(b.value, _model_of(b), ())
        for a, b in zip(after, before, strict=True)
    )


def _normal(value: Any, model: type[BaseModel] | None, path: FieldPath) -> Any:
    """Values as the specs read them: booleans parsed, everything else as text."""
    if isinstance(value, dict):
        return {k: _normal(v, model, (*path, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_normal(v, model, (*path, i)) for i, v in enumerate(value)]
    if isinstance(value, str) and model is not None and _is_bool(model, path):
        try:
            return _BOOL.validate_python(value)
        except ValidationError:
            return value
    return value
