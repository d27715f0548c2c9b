"""What is already managed: names, adoption keys and Ramp ids from the manifests and the state."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rampctl.manifest import AccountingVendorSpec, ManifestSet, VendorSpec
from rampctl.manifest.specs import UserSpec
from rampctl.model import address as addr
from rampctl.state.model import State


@dataclass(kw_only=True)
class Existing:
    """Addresses, keys and ids that import must not claim again, and where each lives."""

    vendor_names: set[str] = field(default_factory=set)
    vendor_keys: dict[str, str] = field(default_factory=dict)
    vendor_ids: dict[str, str] = field(default_factory=dict)
    accounting_names: set[str] = field(default_factory=set)
    accounting_remotes: dict[str, str] = field(default_factory=dict)
    accounting_ids: dict[str, str] = field(default_factory=dict)
    accounting_manifests: dict[str, str] = field(default_factory=dict)
    """Remote id -> metadata name of AccountingVendor manifests (links use these names)."""
    user_names: set[str] = field(default_factory=set)
    user_ids: dict[str, str] = field(default_factory=dict)
    user_emails: dict[str, str] = field(default_factory=dict)
    """Ramp id / email -> the address of a User manifest or state entry."""

    def managed_vendor(self, ramp_id: str, key: str | None) -> str | None:
        """The address already managing a live vendor (by state id or adoption key), if any."""
        return self.vendor_ids.get(ramp_id) or (self.vendor_keys.get(key) if key else None)

    def managed_accounting(self, ramp_id: str, remote_id: str | None) -> str | None:
        """The address already managing a live accounting vendor, if any."""
        found = self.accounting_ids.get(ramp_id)
        return found or (self.accounting_remotes.get(remote_id) if remote_id else None)


def existing_from(manifests: Iterable[ManifestSet], state: State) -> Existing:
    """Collect what the manifest trees and the state already manage."""
    found = Existing()
    for manifest_set in manifests:
        for doc in manifest_set.documents:
            if isinstance(doc.spec, VendorSpec | AccountingVendorSpec):
                _add_document(found, doc.name, doc.address, doc.spec)
            elif isinstance(doc.spec, UserSpec):
                found.user_names.add(doc.name)
                found.user_emails[doc.spec.email.strip().lower()] = doc.address
    for address, entry in state.resources.items():
        name = addr.name_of(address)
        if entry.kind == addr.VENDOR:
            found.vendor_names.add(name)
            found.vendor_ids[entry.ramp_id] = address
            if entry.key:
                found.vendor_keys.setdefault(entry.key, address)
        elif entry.kind == addr.USER:
            found.user_names.add(name)
            found.user_ids[entry.ramp_id] = address
            if entry.key:
                found.user_emails.setdefault(entry.key, address)
        elif entry.kind == addr.ACCOUNTING_VENDOR:
            found.accounting_names.add(name)
            found.accounting_ids[entry.ramp_id] = address
            if entry.key:
                found.accounting_remotes.setdefault(entry.key, address)
    return found


def _add_document(
    found: Existing, name: str, address: str, spec: VendorSpec | AccountingVendorSpec
) -> None:
    if isinstance(spec, VendorSpec):
        found.vendor_names.add(name)
        found.vendor_keys[spec.key(name)] = address
    else:
        remote = spec.remote_id.strip()
        found.accounting_names.add(name)
        found.accounting_remotes[remote] = address
        found.accounting_manifests[remote] = name
