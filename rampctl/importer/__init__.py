"""`rampctl import`: bring an existing Ramp business under management.

Reads the live business (vendors, owners, contacts, accounting links, and with `--kind
Bill --since DATE` open bills) and writes Vendor, AccountingVendor and Bill manifests in
canonical form, plus a state entry for each imported object, so that the first `rampctl
plan` shows no changes except the adoption keys (`external_vendor_id`) it sets on vendors
that have none. Import never writes to Ramp.

Modules: `slugs` (metadata names), `vendor` (live vendor -> spec), `existing` (what is
already managed), `draft` (what to write), `bills` (which open bills to write),
`bill_reads` (bill reads), `files` (layout, canonical text, writes), `record` (state
merge, round-trip check), `service` (the run).
"""

from rampctl.importer.draft import KINDS, Draft, DraftDocument, ImportOptions, build_draft
from rampctl.importer.service import Outcome, Target

__all__ = ["KINDS", "Draft", "DraftDocument", "ImportOptions", "Outcome", "Target", "build_draft"]
