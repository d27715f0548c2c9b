"""The spec models built from the kind declarations (`kind_model`, `declared_field`)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pydantic import ValidationError

from rampctl.manifest import specs
from rampctl.model import normalise as norm
from rampctl.model.kinds import ACCOUNTING_VENDOR, BILL, USER, VENDOR, FieldSpec, Input, KindSpec


def _vendor_with(*added: FieldSpec) -> type[specs._Model]:
    kind: KindSpec = replace(VENDOR, fields=VENDOR.fields + added)
    return specs.kind_model(
        "VendorSpec", specs._VendorSpecModel, kind, specs._VENDOR_WRITTEN, specs._VENDOR_SETTINGS
    )


def test_the_vendor_spec_has_the_declared_fields_in_order_then_its_settings() -> None:
    declared = [f.path for f in VENDOR.manifest_fields()]
    assert list(specs.VendorSpec.model_fields) == [*declared, "protect", "ignore_changes"]
    assert specs.VendorSpec.__doc__ == specs._VendorSpecModel.__doc__
    assert specs.VendorSpec(name="Acme").key("acme") == "acme"


def test_the_accounting_vendor_spec_is_its_declaration() -> None:
    model = specs.AccountingVendorSpec
    assert list(model.model_fields) == [f.path for f in ACCOUNTING_VENDOR.manifest_fields()]
    assert [n for n, f in model.model_fields.items() if f.is_required()] == ["remote_id", "name"]
    assert model(remote_id=" QB-1 ", name="Acme").remote_id == "QB-1"


def test_a_field_added_to_the_declaration_is_validated_and_described() -> None:
    legal = FieldSpec(
        path="legal_name", ramp="name_legal", normalise=norm.text, description="Legal name."
    )
    model = _vendor_with(legal)
    spec = model.model_validate({"name": "Acme", "legal_name": " Acme LLC "})
    assert spec.model_dump()["legal_name"] == "Acme LLC"
    assert model.model_validate({"name": "Acme"}).model_dump()["legal_name"] is None
    prop = model.model_json_schema()["properties"]["legal_name"]
    assert prop["description"] == "Legal name."
    with pytest.raises(ValidationError, match="legal_nam\n"):
        model.model_validate({"name": "Acme", "legal_nam": "x"})


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (Input.EMAIL, "is not an email address"),
        (Input.COUNTRY, "is not an ISO 3166-1 alpha-2 country code"),
        (Input.PHONE, "is not a phone number"),
        (Input.FLAG, "Input should be a valid boolean"),
    ],
)
def test_a_declared_input_checks_what_the_manifest_writes(given: Input, message: str) -> None:
    field = FieldSpec(path="extra", ramp="extra", input=given, description="An extra field.")
    with pytest.raises(ValidationError, match=message):
        _vendor_with(field).model_validate({"name": "Acme", "extra": "nope"})


def test_the_input_follows_the_normaliser_unless_declared() -> None:
    assert FieldSpec(path="a", ramp="a", normalise=norm.email).manifest_input() is Input.EMAIL
    assert FieldSpec(path="a", ramp="a", normalise=norm.code).manifest_input() is Input.TEXT
    assert VENDOR.field("country").manifest_input() is Input.COUNTRY


def test_a_required_field_must_be_given_and_not_empty() -> None:
    field = FieldSpec(
        path="code", ramp="code", input=Input.NONEMPTY, required=True, description="A code."
    )
    model = _vendor_with(field)
    with pytest.raises(ValidationError, match="code\n  Field required"):
        model.model_validate({"name": "Acme"})
    with pytest.raises(ValidationError, match="at least 1 character"):
        model.model_validate({"name": "Acme", "code": " "})


def test_a_declaration_without_a_description_or_a_nested_one_is_refused() -> None:
    with pytest.raises(TypeError, match="the declaration of bare needs a description"):
        _vendor_with(FieldSpec(path="bare", ramp="bare"))
    nested = FieldSpec(path="box", ramp="box", parts=VENDOR.field("address").parts)
    with pytest.raises(TypeError, match="box is nested"):
        _vendor_with(nested)


_USER = {
    "email": "Ann@Acme.Example",
    "first_name": "Ann",
    "last_name": "Lee",
    "role": "BUSINESS_USER",
}
_BILL = {
    "vendor": "acme",
    "entity": "Acme US",
    "invoice_number": "INV-1",
    "currency": "usd",
    "issue_date": "2025-03-03",
    "due_date": "2025-03-31",
    "line_items": [{"amount": "10.00"}],
    "payment": {"method": "PAID_MANUALLY", "manual_method": "CHECK", "payment_date": "2025-03-04"},
}


def _user_with(*added: FieldSpec) -> type[specs._Model]:
    kind: KindSpec = replace(USER, fields=USER.fields + added)
    return specs.kind_model("UserSpec", specs._UserSpecModel, kind, {}, specs._USER_SETTINGS)


def _bill_with(*added: FieldSpec) -> type[specs._Model]:
    kind: KindSpec = replace(BILL, fields=BILL.fields + added)
    return specs.kind_model(
        "BillSpec", specs._BillSpecModel, kind, specs._BILL_WRITTEN, specs._BILL_SETTINGS
    )


def test_the_user_and_bill_specs_are_their_declarations_then_their_settings() -> None:
    users = [f.path for f in USER.manifest_fields()]
    assert list(specs.UserSpec.model_fields) == [*users, "protect", "ignore_changes"]
    bills = [f.path for f in BILL.manifest_fields()]
    assert list(specs.BillSpec.model_fields) == [*bills, "protect"]
    for model in (specs.UserSpec, specs.BillSpec):
        assert model.__module__ == specs.__name__
        schema = model.model_json_schema()
        for name, field in model.model_fields.items():
            assert field.description, name  # every field lands in the schema described
            assert schema["properties"][name]["description"] == field.description
    user = specs.UserSpec.model_validate(_USER)
    assert user.email == "ann@acme.example" and user.model_fields_set == set(_USER)
    bill = specs.BillSpec.model_validate(_BILL)
    assert bill.key() == ("acme", "INV-1") and str(bill.issue_date) == "2025-03-03"


def test_a_field_added_to_the_user_declaration_is_validated_and_described() -> None:
    title = FieldSpec(path="title", ramp="title", normalise=norm.text, description="Job title.")
    model = _user_with(title)
    assert model.model_validate(_USER | {"title": " CFO "}).model_dump()["title"] == "CFO"
    assert model.model_json_schema()["properties"]["title"]["description"] == "Job title."
    with pytest.raises(ValidationError, match="titel\n"):
        model.model_validate(_USER | {"titel": "CFO"})


def test_a_field_added_to_the_bill_declaration_is_validated_and_described() -> None:
    paid = FieldSpec(path="received", ramp="received_at", input=Input.DATE, description="Got.")
    model = _bill_with(paid)
    assert str(model.model_validate(_BILL | {"received": "2025-03-05"}).received) == "2025-03-05"
    with pytest.raises(ValidationError, match="is not a date"):
        model.model_validate(_BILL | {"received": "tomorrow"})
    with pytest.raises(ValidationError, match="due_date 2025-03-31 is before issue_date"):
        model.model_validate(_BILL | {"issue_date": "2025-04-01"})  # the kind's rules stay


def test_declared_choices_and_length_limits_are_checked() -> None:
    size = FieldSpec(path="size", ramp="size", choices=("S", "M"), description="A size.")
    ref = FieldSpec(path="ref", ramp="ref", max_length=3, required=True, description="A ref.")
    model = _bill_with(size, ref)
    assert model.model_validate(_BILL | {"size": "M", "ref": "abc"}).size == "M"
    with pytest.raises(ValidationError, match="Input should be 'S' or 'M'"):
        model.model_validate(_BILL | {"size": "L", "ref": "abc"})
    with pytest.raises(ValidationError, match="at most 3 characters"):
        model.model_validate(_BILL | {"ref": "abcd"})
    with pytest.raises(ValidationError, match="ref\n  Field required"):
        model.model_validate(_BILL)
    props = model.model_json_schema()["properties"]
    assert props["ref"]["maxLength"] == 3 and props["size"]["anyOf"][0]["enum"] == ["S", "M"]
    with pytest.raises(ValidationError, match="Input should be 'AUDITOR', "):
        specs.UserSpec.model_validate(_USER | {"role": "BUSINESS_OWNER"})
