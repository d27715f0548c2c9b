"""A live vendor as a manifest spec: plan's values, and parts that cannot be written left out."""

from __future__ import annotations

from rampctl.importer.vendor import choose_contact, vendor_fields
from rampctl.manifest import VendorSpec
from rampctl.ramp.models import PostalAddress
from tests.importer.conftest import contact, user, vendor

USERS = {u.id: u for u in [user("alice")]}


def test_fields_use_plan_vocabulary_and_normalisation() -> None:
    live = vendor(
        "v1",
        " Acme Cloud ",
        country="us",
        state="ca",
        description="Hosting",
        vendor_owner_id="u-alice",
        address=PostalAddress(address_line_1="1 Main St", city="Boston", postal_code="02134"),
    )
    people = [contact("c1", "AP@Acme.Example", first_name="Ada", phone="+1 (415) 555-0100")]
    result = vendor_fields(live, USERS, people)
    assert result.spec == {
        "name": "Acme Cloud",
        "country": "US",
        "state": "CA",
        "description": "Hosting",
        "address": {"line1": "1 Main St", "city": "Boston", "postal_code": "02134"},
        "owner": "alice@example.test",
        "contact": {"email": "ap@acme.example", "first_name": "Ada", "phone": "+14155550100"},
    }
    assert result.contact == {
        "email": "ap@acme.example",
        "first_name": "Ada",
        "last_name": None,
        "phone": "+14155550100",
    }
    assert result.omitted == []
    VendorSpec.model_validate(result.spec)


def test_vendor_without_owner_contact_or_address_writes_none_of_them() -> None:
    result = vendor_fields(vendor("v1", "Bare"), USERS, [])
    assert result.spec == {"name": "Bare", "country": "US"}
    assert result.contact is None and result.omitted == []


def test_owner_that_is_not_a_user_is_left_out_and_reported() -> None:
    result = vendor_fields(vendor("v1", "Acme", vendor_owner_id="u-gone"), USERS, [])
    assert "owner" not in result.spec
    assert [o.field for o in result.omitted] == ["owner"]


def test_inactive_vendor_is_written_inactive() -> None:
    assert vendor_fields(vendor("v1", "Old", is_active=False), USERS, []).spec["active"] is False


def test_invalid_parts_are_left_out_without_their_values() -> None:
    live = vendor(
        "v1",
        "Acme",
        country="Narnia",
        address=PostalAddress(
            address_line_1="1 Main St", city="Boston", postal_code="1", country="ZZ"
        ),
    )
    people = [contact("c1", "ap@acme.example", phone="555-0100")]
    result = vendor_fields(live, USERS, people)
    assert "country" not in result.spec
    assert result.spec["address"] == {"line1": "1 Main St", "city": "Boston", "postal_code": "1"}
    assert result.spec["contact"] == {"email": "ap@acme.example"}
    assert result.contact is not None and result.contact["phone"] is None
    fields = sorted(o.field for o in result.omitted)
    assert fields == ["address.country", "contact.phone", "country"]
    assert not any("555-0100" in o.reason or "Narnia" in o.reason for o in result.omitted)
    VendorSpec.model_validate(result.spec)


def test_contact_without_a_valid_email_and_incomplete_address_are_left_out() -> None:
    live = vendor("v1", "Acme", address=PostalAddress(address_line_1="1 Main St"))
    result = vendor_fields(live, USERS, [contact("c1", "not-an-email")])
    assert "contact" not in result.spec and "address" not in result.spec
    assert sorted(o.field for o in result.omitted) == ["address", "contact"]


def test_the_default_contact_is_chosen_else_the_first() -> None:
    first, default = contact("c1", "a@x.example"), contact("c2", "b@x.example", is_default=True)
    assert choose_contact([first, default]) is default
    assert choose_contact([first, contact("c3", "c@x.example")]) is first
    assert choose_contact([]) is None


def test_several_contacts_in_force_are_a_contact_list_with_the_default_marked() -> None:
    people = [
        contact("c1", "ap@acme.example", first_name="Ada"),
        contact("c2", "Ops@Acme.Example", is_default=True, phone="12"),
        contact("c3", "new@acme.example", approval_status="pending_approval"),
    ]
    result = vendor_fields(vendor("v1", "Acme"), USERS, people)
    assert "contact" not in result.spec and result.contact is None
    assert result.spec["contacts"] == [
        {"email": "ap@acme.example", "first_name": "Ada"},
        {"email": "ops@acme.example", "default": True},
    ]
    assert [o.field for o in result.omitted] == [
        "contacts[new@acme.example]",
        "contacts[ops@acme.example].phone",
    ]
    VendorSpec.model_validate(result.spec)


def test_a_contact_waiting_for_approval_is_reported_not_written() -> None:
    people = [
        contact("c1", "ap@acme.example", is_default=True),
        contact("c2", "new@acme.example", approval_status="pending_approval"),
    ]
    result = vendor_fields(vendor("v1", "Acme"), USERS, people)
    assert result.spec["contact"] == {"email": "ap@acme.example"}
    assert "contacts" not in result.spec
    assert [o.field for o in result.omitted] == ["contacts[new@acme.example]"]
