"""A bill's references resolved against Ramp: its entity, vendor contact, source account and
vendor bank account, as Ramp ids; what does not resolve is a problem at its manifest field.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rampctl.engine.changes import Body
from rampctl.engine.kind_plan import problem_at
from rampctl.engine.snapshot import Snapshot
from rampctl.errors import Problem
from rampctl.model.bills import DesiredBill
from rampctl.model.kinds.bill import BillPaymentValues, BillValues
from rampctl.ramp.models import Entity, Vendor


@dataclass(frozen=True, kw_only=True)
class ResolvedBill:
    """A desired bill's values with its references as Ramp ids: what plan compares and sends.

    `names_contact`: the manifest names a contact (else Ramp's default contact is used and
    the bill's contact is not compared).
    """

    values: BillValues
    vendor_id: str
    entity_id: str | None
    contact_id: str | None
    names_contact: bool

    def comparable(self) -> Body:
        """The JSON form compared with a live bill's (`LiveBillValues.as_dict`)."""
        wanted: Body = {
            **self.values.comparable(),
            "vendor_id": self.vendor_id,
            "entity_id": self.entity_id,
            "payment": self.values.payment.as_dict(),
        }
        if self.names_contact:
            wanted["contact_id"] = self.contact_id
        return wanted


class BillRefs:
    """A bill's references (entity, contact, bank accounts) resolved against the snapshot;
    what does not resolve is in `problems`."""

    def __init__(self, snapshot: Snapshot, desired: DesiredBill, vendor: Vendor) -> None:
        self.snapshot, self.desired, self.vendor = snapshot, desired, vendor
        self.problems: list[Problem] = []
        self.entity = self._entity()
        self.contact_id = self._contact()
        self.payment = self._payment()

    def _entity(self) -> Entity | None:
        wanted = self.desired.entity
        for entity in self.snapshot.entities.values():
            if wanted in (entity.id, entity.entity_name):
                return entity
        for entity in self.snapshot.entities.values():
            if (entity.entity_name or "").casefold() == wanted.casefold():
                return entity
        names = ", ".join(sorted(repr(e.entity_name) for e in self.snapshot.entities.values()))
        self._problem("spec.entity", f"no entity {wanted!r} in Ramp ({names})")
        return None

    def _contact(self) -> str | None:
        contacts = self.snapshot.contacts.get(self.vendor.id, [])
        email = self.desired.contact
        if email is None:
            default = [c for c in contacts if c.is_default] or contacts
            if not default:
                message = f"vendor {self.vendor.name!r} has no contact in Ramp to send the bill to"
                self._problem("spec.vendor", message)
            return default[0].id if default else None
        found = [c for c in contacts if c.email.strip().lower() == email]
        if not found:
            emails = ", ".join(sorted(c.email for c in contacts)) or "none"
            message = f"{email!r} is not a contact of vendor {self.vendor.name!r} ({emails})"
            self._problem("spec.contact", message)
            return None
        return found[0].id

    def _payment(self) -> BillPaymentValues:
        payment = self.desired.payment
        if payment.source_account is not None:
            payment = replace(payment, source_account=self._source(payment.source_account))
        if payment.vendor_account is not None:
            payment = replace(payment, vendor_account=self._vendor_account(payment.vendor_account))
        return payment

    def _source(self, wanted: str) -> str | None:
        if self.entity is None:
            return None
        matches = [
            a
            for a in self.entity.accounts
            if wanted in (a.bank_account_id, a.internal_id)
            or (a.external_name or "").casefold() == wanted.casefold()
        ]
        usable = [a for a in matches if a.usage_type == "BILL_PAY_BANK_ACCOUNT"]
        if usable and usable[0].bank_account_id:
            return usable[0].bank_account_id
        field = "spec.payment.source_account"
        if matches:
            message = (
                f"account {wanted!r} of entity {self.entity.entity_name!r} has usage "
                f"{matches[0].usage_type}, not BILL_PAY_BANK_ACCOUNT"
            )
        else:
            names = sorted(
                repr(a.external_name)
                for a in self.entity.accounts
                if a.usage_type == "BILL_PAY_BANK_ACCOUNT"
            )
            message = (
                f"no bill-pay bank account {wanted!r} on entity {self.entity.entity_name!r} "
                f"({', '.join(names) or 'it has none'})"
            )
        self._problem(field, message)
        return None

    def _vendor_account(self, wanted: str) -> str | None:
        accounts = self.snapshot.vendor_accounts.get(self.vendor.id, [])
        method = self.desired.payment.method
        found = [
            a
            for a in accounts
            if wanted == a.id or (a.account_nickname or "").casefold() == wanted.casefold()
        ]
        field = "spec.payment.vendor_account"
        if not found:
            names = ", ".join(sorted(repr(a.account_nickname) for a in accounts)) or "none"
            message = (
                f"vendor {self.vendor.name!r} has no bank account {wanted!r} ({names}); "
                "Ramp's API cannot add vendor bank accounts"
            )
            self._problem(field, message)
            return None
        if found[0].payment_method != method:
            message = (
                f"vendor bank account {wanted!r} is for {found[0].payment_method}, not {method}"
            )
            self._problem(field, message)
        return found[0].id

    def resolved(self) -> ResolvedBill:
        """The desired bill with its references as Ramp ids."""
        return ResolvedBill(
            values=replace(self.desired.fields, payment=self.payment),
            vendor_id=self.vendor.id,
            entity_id=self.entity.id if self.entity else None,
            contact_id=self.contact_id,
            names_contact=self.desired.contact is not None,
        )

    def _problem(self, field_path: str, message: str) -> None:
        self.problems.append(problem_at(self.desired, field_path, message))
