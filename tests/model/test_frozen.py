"""A `Maker` makes the object a frozen dataclass's `__init__` would make."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from rampctl.model.frozen import Maker
from rampctl.model.kinds import VendorContactValues, VendorValues


@dataclasses.dataclass(frozen=True, kw_only=True)
class _Item:
    name: str
    size: int = 3
    tags: list[str] = dataclasses.field(default_factory=list)


def test_an_object_equals_the_one_init_makes() -> None:
    make = Maker(_Item)
    assert make({"name": "a"}) == _Item(name="a")
    assert make({"name": "a", "size": 5, "tags": ["x"]}) == _Item(name="a", size=5, tags=["x"])
    made = make({"name": "a"})
    assert repr(made) == repr(_Item(name="a"))
    assert pickle.loads(pickle.dumps(made)) == made


def test_a_default_factory_gives_each_object_its_own_value() -> None:
    make = Maker(_Item)
    first, second = make({"name": "a"}), make({"name": "b"})
    assert first.tags == [] and first.tags is not second.tags


def test_an_object_stays_frozen() -> None:
    made = Maker(_Item)({"name": "a"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.name = "b"  # type: ignore[misc]


def test_declared_values_hash_and_compare_as_made_by_init() -> None:
    given = {"email": "a@x.example", "first_name": "A", "last_name": None, "phone": None}
    made = Maker(VendorContactValues)(given)
    assert made == VendorContactValues(**given)
    assert hash(made) == hash(VendorContactValues(**given))
    assert Maker(VendorValues)({"name": "Acme"}) == VendorValues(name="Acme")


def test_only_frozen_dataclasses_without_slots_or_post_init() -> None:
    @dataclasses.dataclass
    class Loose:
        name: str

    @dataclasses.dataclass(frozen=True, slots=True)
    class Slotted:
        name: str

    @dataclasses.dataclass(frozen=True)
    class Checked:
        name: str

        def __post_init__(self) -> None:
            assert self.name

    for cls in (Loose, Slotted, Checked, int):
        with pytest.raises(TypeError):
            Maker(cls)
