"""Format upgrades: the registry chain, a format-0 file, and versions this rampctl cannot read."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from rampctl.errors import StateError
from rampctl.state import FORMAT_VERSION, StateStore, upgrade

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_format_0_file_loads_as_the_current_format(store: StateStore) -> None:
    shutil.copy(FIXTURES / "state-v0.json", store.path)
    state = store.load()
    assert state.format_version == FORMAT_VERSION
    assert (state.serial, state.lineage) == (7, "0b6f3d1e-6a55-4a8e-9d7e-2f4f3f1c9a10")
    assert state.environment is None and state.business_id is None
    contact = state.resources["vendor_contact/acme-cloud/ada"]
    assert contact.ramp_id == "9a8b-ada" and contact.depends_on == ["vendor/acme-cloud"]
    assert state.resources["vendor/acme-cloud"].protect is False


def test_the_next_write_saves_the_current_format_and_backs_up_the_old(store: StateStore) -> None:
    shutil.copy(FIXTURES / "state-v0.json", store.path)
    written = store.write(store.load())
    assert written.serial == 8
    assert json.loads(store.path.read_text())["format_version"] == FORMAT_VERSION
    assert json.loads(store.backup_path.read_text())["version"] == 0


def test_upgrades_run_one_step_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    steps: list[int] = []

    def to_2(doc: dict[str, Any]) -> dict[str, Any]:
        steps.append(1)
        return {**doc, "format_version": 2, "note": "added in 2"}

    real_0_to_1 = upgrade.UPGRADES[0]

    def to_1(doc: dict[str, Any]) -> dict[str, Any]:
        steps.append(0)
        return real_0_to_1(doc)

    monkeypatch.setitem(upgrade.UPGRADES, 0, to_1)
    monkeypatch.setitem(upgrade.UPGRADES, 1, to_2)
    doc = json.loads((FIXTURES / "state-v0.json").read_text())
    result = upgrade.upgrade(doc, target=2)
    assert steps == [0, 1]
    assert result["format_version"] == 2 and result["note"] == "added in 2"
    assert result["resources"]["vendor/acme-cloud"]["ramp_id"] == "3f0d4a1c-acme"


def test_a_gap_in_the_registry_is_reported() -> None:
    with pytest.raises(StateError, match="no upgrade from format_version 1"):
        upgrade.upgrade({"format_version": 1}, target=3)


@pytest.mark.parametrize(
    ("doc", "problem"),
    [
        ({"version": 0, "resources": {"a": 1}}, "resources is not a list"),
        ({"version": 0, "resources": ["x"]}, "is not an object"),
        ({"version": 0, "resources": [{"kind": "vendor"}]}, "without an address"),
        ({"format_version": True}, "not a non-negative integer"),
        ({"format_version": -1}, "not a non-negative integer"),
    ],
)
def test_malformed_old_documents_are_refused(doc: dict[str, Any], problem: str) -> None:
    with pytest.raises(StateError, match=problem):
        upgrade.upgrade(doc)
