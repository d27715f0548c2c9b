"""Each kind's declaration agrees with the manifest spec models, the JSON Schema and Ramp's models.

A field added to a spec model but not to its kind's declaration (or the other way round),
a Ramp field name that no Ramp model has, or a schema left behind fails here.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any, get_type_hints

import pytest
from pydantic import BaseModel

from rampctl.engine.view import accounting_vendor_view, contact_view, vendor_view
from rampctl.manifest import specs
from rampctl.manifest.schema import SCHEMA_PATH, json_schema
from rampctl.model import normalise as norm
from rampctl.model.desired import Managed
from rampctl.model.kinds import (
    ACCOUNTING_VENDOR,
    BILL,
    KIND_SPECS,
    USER,
    VENDOR,
    FieldSpec,
    KindSpec,
    PostalAddressValues,
    VendorContactValues,
    VendorValues,
)
from rampctl.model.kinds.bill import BillValues, LiveBillValues, LivePaymentValues
from rampctl.ramp import models as ramp
from rampctl.sensitive import is_sensitive

ROOT = Path(__file__).resolve().parents[2]

#: (kind, its spec model, {nested field: its spec model})
SPEC_MODELS: list[tuple[KindSpec, type[BaseModel], dict[str, type[BaseModel]]]] = [
    (
        VENDOR,
        specs.VendorSpec,
        {
            "address": specs.PostalAddressSpec,
            "contact": specs.Contact,
            "contacts": specs.ContactEntry,
        },
    ),
    (ACCOUNTING_VENDOR, specs.AccountingVendorSpec, {}),
    (USER, specs.UserSpec, {}),
    (
        BILL,
        specs.BillSpec,
        {
            "line_items": specs.BillLine,
            "inventory_line_items": specs.InventoryLine,
            "payment": specs.BillPaymentSpec,
        },
    ),
]
IDS = [kind.kind for kind, _, _ in SPEC_MODELS]


def _declared(kind: KindSpec) -> set[str]:
    return {f.path for f in kind.manifest_fields()} | set(kind.settings)


def _schemas() -> list[dict[str, Any]]:
    committed = json.loads((ROOT / SCHEMA_PATH).read_text(encoding="utf-8"))
    return [json_schema(), committed]


@pytest.mark.parametrize(("kind", "model", "nested"), SPEC_MODELS, ids=IDS)
def test_spec_model_has_exactly_the_declared_fields(
    kind: KindSpec, model: type[BaseModel], nested: dict[str, type[BaseModel]]
) -> None:
    assert set(model.model_fields) == _declared(kind)
    for path, part_model in nested.items():
        assert set(part_model.model_fields) == {p.path for p in kind.field(path).parts}, path


@pytest.mark.parametrize(("kind", "model", "nested"), SPEC_MODELS, ids=IDS)
@pytest.mark.parametrize("schema", _schemas(), ids=["generated", "committed"])
def test_json_schema_has_exactly_the_declared_fields(
    kind: KindSpec,
    model: type[BaseModel],
    nested: dict[str, type[BaseModel]],
    schema: dict[str, Any],
) -> None:
    defs = schema["$defs"]
    assert set(defs[model.__name__]["properties"]) == _declared(kind)
    for path, part_model in nested.items():
        props = set(defs[part_model.__name__]["properties"])
        assert props == {p.path for p in kind.field(path).parts}, path


@pytest.mark.parametrize("schema", _schemas(), ids=["generated", "committed"])
def test_ignore_changes_names_the_declared_paths(schema: dict[str, Any]) -> None:
    items = schema["$defs"]["VendorSpec"]["properties"]["ignore_changes"]["items"]
    assert items["enum"] == list(VENDOR.ignorable_paths())
    assert "address.line2" in items["enum"] and "external_id" not in items["enum"]


def _names(*models: type[BaseModel]) -> set[str]:
    return {name for model in models for name in model.model_fields}


def test_vendor_ramp_names_are_ramps() -> None:
    """Reads use the response model's names; writes the create and update requests' names."""
    for spec in VENDOR.view_fields():
        assert spec.ramp in ramp.Vendor.model_fields, spec.path
    for spec in VENDOR.manifest_fields():
        wanted = set()  # a field create leaves out is set by a follow-up update
        if spec.create:
            wanted.add(ramp.VendorCreate)
        if spec.update:
            wanted.add(ramp.VendorUpdate)
        for request in wanted:
            assert spec.ramp in request.model_fields, (spec.path, request.__name__)
    address = VENDOR.field("address").parts
    assert {p.ramp for p in address} == _names(ramp.AddressInput)
    assert {p.ramp for p in address} <= _names(ramp.PostalAddress)
    assert {p.ramp for p in VENDOR.field("contact").parts} == _names(ramp.ContactCreate)
    assert {p.ramp for p in VENDOR.field("contact").parts} <= _names(ramp.VendorContact)


def test_accounting_vendor_ramp_names_are_ramps() -> None:
    for spec in ACCOUNTING_VENDOR.fields:
        assert spec.ramp in ramp.AccountingVendor.model_fields, spec.path
        if spec.create:
            assert spec.ramp in ramp.AccountingVendorInput.model_fields, spec.path
    updatable = [f for f in ACCOUNTING_VENDOR.fields if f.update and f.path != "active"]
    # `active` is written as `reactivate` (and a delete deactivates): the engine's own rule
    assert {f.ramp for f in updatable} | {"reactivate"} == _names(ramp.AccountingVendorUpdate)


def test_bill_ramp_names_are_ramps() -> None:
    for spec in BILL.fields:
        assert spec.ramp in ramp.BillCreate.model_fields, spec.path
    lines = BILL.field("line_items").parts
    assert {p.ramp for p in lines} == _names(ramp.BillLineItemInput)
    inventory = BILL.field("inventory_line_items").parts
    assert {p.ramp for p in inventory} == _names(ramp.BillInventoryLineInput)
    details = {p.ramp for p in BILL.field("payment").parts if p.path != "method"}
    assert details == _names(*ramp.DETAILS_FOR_METHOD.values())
    assert BILL.field("payment.method").ramp in ramp.BillCreate.model_fields


def test_a_live_bill_has_the_declared_bill_fields_and_payment_details() -> None:
    """Both sides of a bill's diff have one shape: the live bill's compared fields are the
    Bill declaration's (name, Ramp name, type; Ramp may leave a value empty), and its payment
    has the declared payment's fields."""
    live = {f.path: f for f in LiveBillValues.specs()}
    live_types = get_type_hints(LiveBillValues)
    desired_types = get_type_hints(BillValues)
    for spec in BILL.view_fields():
        if spec.path == "payment":
            continue
        assert live[spec.path].ramp == spec.ramp, spec.path
        wanted = desired_types[spec.path]
        assert live_types[spec.path] in (wanted, wanted | None), spec.path
    payment = [(f.path, f.ramp) for f in BILL.field("payment").parts]
    assert [(f.path, f.ramp) for f in LivePaymentValues.specs()] == payment


@pytest.mark.parametrize("kind", [VENDOR, ACCOUNTING_VENDOR, BILL], ids=lambda k: k.kind)
def test_sensitive_flags_agree_with_the_masking_rule(kind: KindSpec) -> None:
    """A field the output masks is declared sensitive, and a declared one is masked."""
    paths = [f.path for f in kind.fields]
    paths += [f"{f.path}.{p.path}" for f in kind.fields for p in f.parts]
    assert {p for p in paths if is_sensitive(p)} == set(kind.sensitive_paths())


def _plain(spec: FieldSpec) -> bool:
    """A field read from one Ramp value by its normaliser alone (no parts, no lookup)."""
    return spec.manifest and not spec.parts and spec.reference is None


def _ramp_value(spec: FieldSpec) -> object:
    return False if spec.normalise is norm.flag else f" {spec.path} "


def test_views_have_the_declared_fields_read_from_ramps_names() -> None:
    """Each plain declared field is read from its Ramp name and normalised; the nested,
    referenced and Ramp-only ones as the view resolves them."""
    plain = [f for f in VENDOR.view_fields() if _plain(f)]
    given: dict[str, Any] = {f.ramp: _ramp_value(f) for f in plain}
    live = ramp.Vendor(
        **given | {"id": "v1", "name": " Acme ", "country": "us", "external_vendor_id": " acme "},
        address=ramp.PostalAddress(
            address_line_1="1 Main St", city="Boston", postal_code="02134", country="us"
        ),
        vendor_owner_id="u1",
        accounting_vendor_remote_id="QB-1",
        contacts=["c2", "c1"],
    )
    users = {"u1": ramp.User(id="u1", email="Bob@Northwind.Example")}
    view = vendor_view(live, users)
    assert list(view) == [f.path for f in VENDOR.view_fields()]
    assert len(plain) >= 5 and {"name", "description", "active"} <= {f.path for f in plain}
    for spec in plain:
        if spec.path not in {"name", "country", "external_id"}:
            assert view[spec.path] == spec.normalise(_ramp_value(spec)), spec.path
    assert view["description"] == "description" and view["active"] is False
    assert {k: view[k] for k in ("name", "country", "external_id")} == {
        "name": "Acme",
        "country": "US",
        "external_id": "acme",
    }
    assert {k: v for k, v in view.items() if k not in {f.path for f in plain}} == {
        "address": {
            "line1": "1 Main St",
            "line2": None,
            "city": "Boston",
            "postal_code": "02134",
            "state": None,
            "country": "US",
        },
        "owner": "bob@northwind.example",
        "accounting_vendor": "QB-1",
        "contact_ids": ["c1", "c2"],
        "pending": None,
    }
    item = ramp.AccountingVendor(ramp_id="r1", id=" QB-1 ", name="Acme", code="")
    assert accounting_vendor_view(item) == {
        "remote_id": "QB-1",
        "name": "Acme",
        "code": None,
        "active": True,
    }
    person = ramp.VendorContact(id="c1", email="AP@Acme.Example", phone="+1 (415) 555-0100")
    assert contact_view(person) == VendorContactValues(
        email="ap@acme.example", phone="+14155550100"
    )


def test_values_come_back_from_their_record_form() -> None:
    """What the state records (`as_dict`) reads back as the same typed values."""
    values = VendorValues(
        name="Acme",
        address=PostalAddressValues(line1="1 Main St", city="Boston", postal_code="02134"),
        contact=VendorContactValues(email="ap@acme.example"),
        active=False,
        contact_ids=("c1", "c2"),
    )
    record = values.as_dict()
    assert "contact" not in record  # the contact is read on its own, not part of the view
    assert record["contact_ids"] == ["c1", "c2"] and record["address"]["line2"] is None
    assert VendorValues.from_dict(record) == replace(values, contact=None)
    assert values.get("address.city") == "Boston" and VendorValues().get("address.city") is None


def test_desired_values_compare_only_what_the_manifest_sets() -> None:
    desired = Managed(managed=frozenset({"name", "address", "address.city", "state"}))
    values = VendorValues(
        name="Acme", address=PostalAddressValues(city="Boston"), description="not managed"
    )
    assert desired.wanted(values) == {
        "name": "Acme",
        "state": None,
        "address": {"city": "Boston"},
    }
    assert desired.manages("state") and not desired.manages("description")


def test_user_ramp_names_are_ramps() -> None:
    """Reads use the User model's names; invite and update take the same names, except the
    manager, which Ramp reads as `manager_id` and writes as `direct_manager_id`."""
    for spec in USER.fields:
        assert spec.ramp in ramp.User.model_fields, spec.path
    written = {f.ramp for f in USER.manifest_fields()} - {"manager_id"} | {"direct_manager_id"}
    assert written <= set(ramp.UserInvite.model_fields)
    assert written - {"email"} <= set(ramp.UserUpdate.model_fields)


@pytest.mark.parametrize("kind", list(KIND_SPECS.values()), ids=list(KIND_SPECS))
def test_a_kind_with_a_values_class_declares_its_fields_there(kind: KindSpec) -> None:
    if kind.values is not None:
        assert kind.fields == kind.values.specs()
    assert len({f.path for f in kind.fields}) == len(kind.fields)  # one declaration per path
