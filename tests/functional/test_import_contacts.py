"""End to end: `rampctl import` of vendors with several contacts writes `spec.contacts`."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
import yaml

from rampctl.sandbox.seed_demo import vendor_id
from tests.functional.conftest import Project
from tests.functional.test_import import _changes, _converges


@pytest.fixture
def fresh(project: Project) -> Project:
    """The demo sandbox with an empty manifests folder and no state."""
    shutil.rmtree(project.root / "manifests")
    (project.root / "manifests").mkdir()
    return project


def _add_contact(project: Project, body: dict[str, Any]) -> dict[str, Any]:
    with project.api() as api:
        answer = api.post(f"/vendors/{vendor_id('acme')}/contacts", json=body)
        assert answer.status_code in (200, 201), answer.text
        created: dict[str, Any] = answer.json()
        return created


def _imported_spec(project: Project, name: str) -> dict[str, Any]:
    text = (project.root / "manifests" / "vendors.yaml").read_text()
    [doc] = [d for d in yaml.safe_load_all(text) if d and d["metadata"]["name"] == name]
    spec: dict[str, Any] = doc["spec"]
    return spec


def test_a_vendor_with_several_contacts_is_imported_with_all_of_them(fresh: Project) -> None:
    _add_contact(fresh, {"email": "billing@acme.example", "first_name": "Bill"})
    _add_contact(fresh, {"email": "ops@acme.example", "is_default": True})
    result = fresh.rampctl("import")
    assert result.code == 0, result.out + result.err
    spec = _imported_spec(fresh, "acme-cloud-inc")
    assert "contact" not in spec
    assert spec["contacts"] == [
        {
            "email": "ap@acme.example",
            "first_name": "Ada",
            "last_name": "Ng",
            "phone": "+14155550100",
        },
        {"email": "billing@acme.example", "first_name": "Bill"},
        {"email": "ops@acme.example", "default": True},
    ]
    assert fresh.rampctl("validate").code == 0
    assert _changes(fresh) == [("update", "vendor/umbrella-insurance", ["external_id"])]
    _converges(fresh)


def test_a_vendor_with_one_contact_keeps_the_single_contact_field(fresh: Project) -> None:
    assert fresh.rampctl("import").code == 0
    spec = _imported_spec(fresh, "acme-cloud-inc")
    assert "contacts" not in spec
    assert spec["contact"]["email"] == "ap@acme.example"


def test_a_contact_waiting_for_approval_is_left_out_and_reported(fresh: Project) -> None:
    _add_contact(fresh, {"email": "billing@acme.example"})
    fresh.sandbox.settings.contact_approval = "pending_approval"
    _add_contact(fresh, {"email": "later@acme.example"})
    result = fresh.rampctl("import")
    assert result.code == 0, result.out + result.err
    spec = _imported_spec(fresh, "acme-cloud-inc")
    assert [c["email"] for c in spec["contacts"]] == ["ap@acme.example", "billing@acme.example"]
    assert (
        "vendor/acme-cloud-inc: left contacts[later@acme.example] out of the manifest: it waits "
        "for approval in Ramp" in result.err
    )
    assert _changes(fresh) == [("update", "vendor/umbrella-insurance", ["external_id"])]
