"""Manifests: load YAML and Jinja2 templates with positions, validate them into pydantic
specs, and describe them as JSON Schema."""

from rampctl.manifest.document import Document, ManifestSet
from rampctl.manifest.loader import load_manifests
from rampctl.manifest.position import Position
from rampctl.manifest.specs import (
    AccountingRef,
    AccountingVendorSpec,
    Contact,
    PostalAddressSpec,
    VendorSpec,
)

__all__ = [
    "AccountingRef",
    "AccountingVendorSpec",
    "Contact",
    "Document",
    "ManifestSet",
    "Position",
    "PostalAddressSpec",
    "VendorSpec",
    "load_manifests",
]
