"""Checks across documents: direct managers that name the user themself or form a cycle."""

from __future__ import annotations

from pathlib import Path

import pytest

from rampctl.errors import ManifestError
from rampctl.manifest import load_manifests


def _user(root: Path, name: str, manager: str | None) -> None:
    text = (
        f"apiVersion: rampctl/v1\nkind: User\nmetadata:\n  name: {name}\nspec:\n"
        f"  email: {name}@x.example\n  first_name: A\n  last_name: B\n  role: BUSINESS_USER\n"
    )
    if manager:
        text += f"  direct_manager: {manager}@x.example\n"
    (root / f"{name}.yaml").write_text(text)


def _problems(root: Path) -> list[str]:
    with pytest.raises(ManifestError) as raised:
        load_manifests(root)
    return [
        f"{Path(p.file).name}:{p.line} {p.address} {p.field}: {p.message}"
        for p in raised.value.problems
    ]


def test_a_chain_of_managers_is_valid(tmp_path: Path) -> None:
    _user(tmp_path, "amy", "ben")
    _user(tmp_path, "ben", "cal")
    _user(tmp_path, "cal", "outside")  # a Ramp user without a manifest: checked at plan
    assert len(load_manifests(tmp_path).users()) == 3


def test_their_own_manager(tmp_path: Path) -> None:
    _user(tmp_path, "amy", "amy")
    assert _problems(tmp_path) == [
        "amy.yaml:10 user/amy spec.direct_manager: amy@x.example cannot be their own direct manager"
    ]


def test_a_cycle_is_reported_at_each_member_and_not_beyond(tmp_path: Path) -> None:
    _user(tmp_path, "amy", "ben")
    _user(tmp_path, "ben", "cal")
    _user(tmp_path, "cal", "amy")
    _user(tmp_path, "dot", "amy")  # reports into the cycle, is not part of it
    problems = _problems(tmp_path)
    assert [p.split(" ")[1] for p in problems] == ["user/amy", "user/ben", "user/cal"]
    assert problems[0].endswith("amy@x.example -> ben@x.example -> cal@x.example -> amy@x.example")
