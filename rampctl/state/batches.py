"""Validating a state document in the layout rampctl writes, a batch of entries at a time.

`serialise` writes a state with `model_dump_json(indent=2)`: one key per line, each managed
object's entry opening on a line indented by four spaces under `"resources": {`, which a line
indented by two spaces and `}` closes. A JSON string holds no raw newline, so in that layout
every line start is structure. Validating the entries from slices of the bytes, a thousand
at a time, holds the parsed JSON of one batch instead of the whole document's: at 100,000
objects the peak memory of a load falls from about 390 to about 220 MB, and the CPU a little.

Any other layout (a file edited by hand, say) is not recognised, and the caller validates the
document whole; a slice that is not valid JSON raises `ValidationError`, like a whole
document would, and the caller validates it whole to name the problem. Each slice is also
strict JSON: a key repeated in any object, an address repeated across batches, or a NaN or
Infinity anywhere raises `StateError` naming it. A slice that is exactly what rampctl writes
for the entries validated from it (as a file rampctl wrote is) repeats no key, since a written
object never does: only its bytes are screened for NaN and Infinity. Any other slice is read as
strict JSON (`rampctl.state.strict`), which at 100,000 objects costs about a third more.
"""

from __future__ import annotations

import re

from pydantic import TypeAdapter

from rampctl.errors import StateError
from rampctl.state import strict
from rampctl.state.model import ResourceState, State, is_address

BATCH = 1000
"""Entries validated together: fewer calls than one by one, little parsed JSON held at once."""

_RESOURCES_OPEN = re.compile(rb'\n  "resources": \{\n')
_RESOURCES_CLOSE = re.compile(rb"\n  \}(?=,?\n)")
_ENTRY_OPEN = re.compile(rb'\n    "')

#: Entries as a batch reads them. (pydantic caches the strings it reads: caching only the
#: keys saved about 0.1 s of CPU at 100,000 objects but held 70 MB more, the values that
#: repeat, such as kinds, countries and owners, each a string of its own.)
_ENTRIES: TypeAdapter[dict[str, ResourceState]] = TypeAdapter(dict[str, ResourceState])
#: Entries as they are written: under `"resources"`, at the indentation of the document.
_WRITTEN: TypeAdapter[dict[str, dict[str, ResourceState]]] = TypeAdapter(
    dict[str, dict[str, ResourceState]]
)
_WRITTEN_OPEN = b'{\n  "resources": {\n'
_WRITTEN_CLOSE = b"\n  }\n}"


def validate_in_batches(
    data: bytes, batch: int = BATCH, *, own_writing: bool = False
) -> State | None:
    """The state in `data`, its entries validated `batch` at a time; None when `data` is not
    in the layout rampctl writes (or names an object by something not an address).

    Raises pydantic's `ValidationError` when a part is invalid, `StateError` when a part is
    not strict JSON (see `rampctl.state.strict`). `own_writing` (a document rampctl just
    serialised, whose objects cannot repeat a key) skips that reading: at 100,000 objects it
    costs about 0.4 s of CPU, half the load. An address in two batches is refused either way.
    """
    opened = _RESOURCES_OPEN.search(data)
    if opened is None:
        return None
    start = opened.end() - 1  # the newline before the first entry
    closed = _RESOURCES_CLOSE.search(data, start)
    if closed is None:
        return None
    brace = opened.end() - 2
    rest = data[:brace] + b"{}" + data[closed.end() :]
    if not (own_writing or _strict(rest, data)):
        return None
    state = State.model_validate_json(rest)
    starts = [m.start() + 1 for m in _ENTRY_OPEN.finditer(data, start, closed.start() + 1)]
    resources: dict[str, ResourceState] = {}
    for first in range(0, len(starts), batch):
        end = starts[first + batch] if first + batch < len(starts) else closed.start()
        body = data[starts[first] : end].rstrip().removesuffix(b",")
        piece = b"{" + body + b"}"
        entries = _ENTRIES.validate_json(piece)
        if not (own_writing or _as_written(body, entries) or _strict(piece, data)):
            return None
        before = len(resources)
        resources.update(entries)
        if len(resources) != before + len(entries):  # an address of an earlier batch again
            raise StateError(strict.describe(data))
    if not all(is_address(address) for address in resources):
        return None
    return state.model_copy(update={"resources": resources})


def _as_written(body: bytes, entries: dict[str, ResourceState]) -> bool:
    """Whether `body` (entries at the indentation `serialise` gives them) is exactly what
    rampctl writes for `entries`, with no NaN or Infinity (which it writes as such)."""
    if b"NaN" in body or b"Infinity" in body:
        return False
    # b'{\n  "resources": {\n    "address": {...}\n  }\n}': the entries' lines as in the file
    written = _WRITTEN.dump_json({"resources": entries}, indent=2)
    size = len(_WRITTEN_OPEN) + len(body) + len(_WRITTEN_CLOSE)
    return (
        len(written) == size
        and written.startswith(_WRITTEN_OPEN)
        and written.startswith(body, len(_WRITTEN_OPEN))
        and written.endswith(_WRITTEN_CLOSE)
    )


def _strict(piece: bytes, data: bytes) -> bool:
    """Whether `piece` of `data` is JSON; StateError when it is JSON but not strict JSON."""
    try:
        strict.loads(piece, document=data)
    except StateError:
        raise
    except ValueError:
        return False
    return True
