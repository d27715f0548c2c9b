"""`rampctl import`: bring an existing Ramp business under management.

Reads the live business (vendors, owners, contacts, accounting links) and writes Vendor
and AccountingVendor manifests in canonical form, plus a state entry for each imported
object, so that the first `rampctl plan` shows no changes except the adoption keys
(`external_vendor_id`) it sets on vendors that have none. Import never writes to Ramp.

Modules: `slugs` (metadata names), `vendor` (live vendor -> spec), `existing` (what is
already managed), `draft` (what to write), `files` (layout, canonical text, writes),
`record` (state merge, round-trip check), `service` (the run).
"""

from rampctl.importer.draft import KINDS, Draft, DraftDocument, ImportOptions, build_draft
from rampctl.importer.service import Outcome, Target

__all__ = ["KINDS", "Draft", "DraftDocument", "ImportOptions", "Outcome", "Target", "build_draft"]
