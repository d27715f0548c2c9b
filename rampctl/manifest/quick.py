"""A quicker validator of each manifest kind for documents whose text is plain, and the full
validator for every other document.

Every field of a manifest model passes through `_Model._printable`, which refuses control
and invisible formatting characters: a Python call for each field, about a fifth of
validating a vendor document, that almost never finds anything. The quick validator of a
kind is built once from the kind's own core schema, without those calls and with a pattern
on every text value instead (matched inside pydantic-core): each character is one that
`_printable` takes in any field, whose lower and upper case are too (`PLAIN_RANGES` bounds
the characters considered, so that the pattern is built in about a millisecond).

What the quick validator accepts is what the full one gives: the same classes, values and
fields set. `_printable` only ever refuses, and every text it would look at has passed the
pattern (after the same trimming; newlines and tabs only in the fields `_printable` lets
have them) and then only validators that trim, change case or drop characters. A document
the quick validator refuses, for any reason (a problem, a character outside the ranges), is
validated again by the full validator, whose model or errors are the verdict.
Where pydantic-core cannot build a validator without reusing the models' own
(`_use_prebuilt`), there is no quick validator and every document takes the full one.
"""

from __future__ import annotations

import functools
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import SchemaValidator

from rampctl.manifest.specs import MANIFEST_MODELS, MULTILINE_FIELDS, printable_check
from rampctl.model.characters import forbidden_character

#: The characters the quick pattern may take (others send a document to the full
#: validator): Basic Latin to Latin Extended-B, Greek and Cyrillic.
PLAIN_RANGES = ((0x20, 0x24F), (0x370, 0x4FF))


def validated(model: type[BaseModel], value: Any) -> Any:
    """`model` validated from `value` (ValidationError with the full validator's errors)."""
    quick = quick_validators().get(model)
    if quick is not None:
        try:
            return quick.validate_python(value)
        except ValidationError:
            pass  # the full validator decides, and says why
    return model.__pydantic_validator__.validate_python(value)


@functools.cache
def quick_validators() -> dict[type[BaseModel], SchemaValidator]:
    """The quick validator of each manifest model (none where pydantic-core cannot build
    them)."""
    found: dict[type[BaseModel], SchemaValidator] = {}
    for model in MANIFEST_MODELS.values():
        schema = model.__pydantic_core_schema__
        checks = _Surgery(plain_pattern(), plain_pattern(multiline=True))
        quick_schema = checks.apply(schema)
        if not checks.removed:
            raise TypeError(f"{model.__qualname__}: no printable check found in its schema")
        try:
            found[model] = SchemaValidator(
                quick_schema,
                schema.get("config"),
                _use_prebuilt=False,
            )
        except TypeError:  # a pydantic-core without the option
            return {}
    return found


class _Surgery:
    """A core schema copied without its printable checks and with a pattern on every text
    value: `pattern`, or `multiline` in the fields that take newlines and tabs."""

    def __init__(self, pattern: str, multiline: str) -> None:
        self.patterns = (pattern, multiline)
        self.removed = 0

    def apply(self, node: Any, multiline: bool = False) -> Any:
        if isinstance(node, list):
            return [self.apply(item, multiline) for item in node]
        if not isinstance(node, dict):
            return node
        kind = node.get("type")
        if kind == "function-after" and _is_printable_check(node.get("function")):
            self.removed += 1
            return self.apply(node["schema"], multiline)
        if kind == "model":
            multiline = False  # a model's own fields say
        copied = {
            key: self.apply(value, multiline) for key, value in node.items() if key != "fields"
        }
        if "fields" in node:  # a model's fields, by name
            fields = node["fields"]
            copied["fields"] = {k: self.apply(f, k in MULTILINE_FIELDS) for k, f in fields.items()}
        if kind == "str":
            if "pattern" in copied:
                raise TypeError("a text field with its own pattern")
            copied["pattern"] = self.patterns[multiline]
        return copied


def _is_printable_check(function: Any) -> bool:
    inner = function.get("function") if isinstance(function, dict) else None
    return getattr(inner, "__func__", None) is printable_check()


@functools.cache
def plain_pattern(*, multiline: bool = False) -> str:
    """A pattern of text made only of characters in `PLAIN_RANGES` that every field takes,
    in lower and upper case alike (and, for a `multiline` field, newlines and tabs)."""
    spans: list[list[int]] = [[9, 10]] if multiline else []
    for low, high in PLAIN_RANGES:
        for code in range(low, high + 1):
            if not _plain(chr(code)):
                continue
            if spans and spans[-1][1] == code - 1:
                spans[-1][1] = code
            else:
                spans.append([code, code])
    ranges = "".join(f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in spans)
    return f"^[{ranges}]*$"


def _plain(char: str) -> bool:
    return forbidden_character(char + char.lower() + char.upper()) is None
