"""The per-file cache entry form: every outcome of every corpus case and example reads back
as it was, model by model (each field's value and type, the fields set), and a model kept
in another shape than its class's field order still reads back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from rampctl.manifest import cachecodec
from rampctl.manifest.cache import FileOutcome
from rampctl.manifest.loader import find, prepare
from rampctl.manifest.position import shared_paths
from rampctl.manifest.specs import Contact
from tests.manifest.cache_cases import manifest_roots


def _deep(value: Any) -> Any:
    """`value` with its type at every level and each model's fields set, comparable."""
    if isinstance(value, BaseModel):
        fields = {k: _deep(v) for k, v in value.__dict__.items()}
        return (type(value), fields, sorted(value.model_fields_set))
    if isinstance(value, list | tuple):
        return (type(value), [_deep(v) for v in value])
    if isinstance(value, dict):
        return (dict, {k: _deep(v) for k, v in value.items()})
    return (type(value), value)


def _view(outcome: FileOutcome) -> Any:
    checked = []
    for item in outcome.checked:
        doc = item.document
        document = None
        if doc is not None:
            keys = (dict(doc.keys), list(doc.keys))
            head = (doc.kind, doc.name, doc.address, doc.position, doc.previously)
            document = (head, _deep(doc.spec), keys)
        checked.append((item.identity, document, item.problems))
    return (checked, outcome.problems, outcome.failed)


def _outcomes(root: Path) -> list[FileOutcome]:
    prepared = prepare(find(root))
    return list(prepared.read(None).values())


@pytest.mark.parametrize(("name", "root"), manifest_roots(), ids=[n for n, _ in manifest_roots()])
def test_every_outcome_reads_back_as_it_was(
    name: str, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(root.parent)
    for outcome in _outcomes(Path(root.name)):
        blob = cachecodec.dumps(outcome.checked, outcome.problems, outcome.failed)
        checked, problems, failed = cachecodec.loads(blob)
        back = FileOutcome(checked=checked, problems=problems, failed=failed)
        assert _view(back) == _view(outcome)


def test_a_model_whose_fields_are_in_another_order_reads_back() -> None:
    contact = Contact(email="a@b.test", first_name="A")
    shuffled = dict(reversed(contact.__dict__.items()))
    object.__setattr__(contact, "__dict__", shuffled)
    written = cachecodec._model(contact)
    assert isinstance(written[2], dict)  # kept by name
    back = cachecodec._read_value(written)
    assert _deep(back) == _deep(contact)
    assert list(back.__dict__) == list(shuffled)


def test_a_model_with_a_field_missing_does_not_read_back() -> None:
    written = cachecodec._model(Contact(email="a@b.test"))
    short = (*written[:2], written[2][:-1], written[3])
    with pytest.raises(ValueError):
        cachecodec._read_value(short)


def test_entries_of_the_earlier_form_are_not_read() -> None:
    """The form is versioned: an entry of another version is a miss, never misread."""
    blob = cachecodec.marshal.dumps((3, ([], [], False)))
    with pytest.raises(ValueError):
        cachecodec.loads(blob)


def test_a_key_layout_is_written_once_and_read_back_shared() -> None:
    paths = shared_paths((("kind",), ("spec", "name")))
    data = cachecodec._layout(paths)
    assert cachecodec._layout(paths) is data
    assert cachecodec._read_layout(data) is paths
    with pytest.raises(ValueError, match="not a key layout"):
        cachecodec._read_layout(cachecodec.marshal.dumps(["kind"]))
