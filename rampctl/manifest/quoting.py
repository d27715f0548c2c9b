"""How rampctl writes YAML: one ruamel.yaml set-up and one quoting rule, for `fmt` and `import`.

The rule: text is written plain when every YAML reader reads it back as that same text, else
in double quotes. "Every reader" means YAML 1.1 (PyYAML, most CI tools: `NO`, `on`, `12:30`,
`02134` are not text there) and YAML 1.2 (yaml-language-server and JSON Schema tools: `1e3`
and `0o17` are numbers there), and text the emitter cannot write plain at all (empty, leading
or trailing spaces, `: ` or ` #` inside, a leading indicator such as `-`, `?`, `@`, `%`, `!`,
line breaks, invisible characters). Lines are never folded, whatever their length, so
what is written reads back as the same text.
"""

from __future__ import annotations

import io
import sys
import threading
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

_STR_TAG = "tag:yaml.org,2002:str"
_RESOLVER_11 = yaml.resolver.Resolver()
_RESOLVER_12 = VersionedResolver()
_EMITTER = yaml.emitter.Emitter(io.StringIO(), allow_unicode=True)
WIDTH = sys.maxsize
"""Lines are never folded: a plain scalar folded at a run of spaces reads back with one space
fewer, so long text is written on one line, as it is."""


def needs_quotes(text: str) -> bool:
    """Whether `text` must be double-quoted (see the module's rule)."""
    if not text:
        return True
    old = _RESOLVER_11.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    new = _RESOLVER_12.resolve(ScalarNode, text, (True, False))
    if old != _STR_TAG or str(new) != _STR_TAG:
        return True
    analysis = _EMITTER.analyze_scalar(text)
    return bool(analysis.multiline or not analysis.allow_block_plain)


def quoted(value: Any) -> Any:
    """`value` with every text that `needs_quotes` marked for double quotes (recursively;
    tuples become lists)."""
    if isinstance(value, dict):
        return {k: quoted(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [quoted(v) for v in value]
    if isinstance(value, str) and type(value) is str and needs_quotes(value):
        return DoubleQuotedScalarString(value)
    return value


def yaml_handler() -> YAML:
    """The ruamel.yaml round-trip set-up rampctl reads and writes manifests with: block style,
    two-space indentation, quotes kept as written, no folding."""
    handler = YAML(typ="rt")
    handler.preserve_quotes = True
    handler.indent(mapping=2, sequence=4, offset=2)
    handler.width = WIDTH
    handler.default_flow_style = False
    return handler


_WRITERS = threading.local()


def dump_yaml(documents: list[Any]) -> str:
    """`documents` as one multi-document YAML text, written by `yaml_handler`.

    Each thread keeps one handler (setting one up costs about as much as writing a small
    document); a handler a failed write leaves half-way is dropped.
    """
    writer: YAML | None = getattr(_WRITERS, "handler", None)
    if writer is None:
        writer = _WRITERS.handler = yaml_handler()
    out = io.StringIO()
    try:
        writer.dump_all(documents, out)
    except BaseException:
        _WRITERS.handler = None
        raise
    return out.getvalue()
