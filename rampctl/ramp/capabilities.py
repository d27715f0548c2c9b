"""What the Ramp at hand can do, found out by asking it (reads only, two requests at most).

rampctl's identity scheme rests on `external_vendor_id`, which Ramp's 2026 API returns on
vendors and filters by, and the 2025 document does not have. `probe_external_vendor_id` tells
the two apart: it lists vendors filtered by a key no vendor can carry (a fresh random value)
and looks at one page only:

- some vendor comes back: the filter was ignored, so the API does not filter by the key;
- no vendor comes back while the business has vendors: the filter works;
- the business has no vendors at all: nothing can be told yet (`None`), ask again later.

Whether the field is returned is read from the raw JSON of a vendor (the key present, even
as null), not from the typed model, whose default would hide its absence.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from rampctl.ramp.client import RampClient
from rampctl.ramp.pagination import envelope

FIELD = "external_vendor_id"
PROBE_PREFIX = "rampctl-capability-probe-"


@dataclass(frozen=True, kw_only=True)
class ExternalIdSupport:
    """Whether Ramp returns and filters by `external_vendor_id`; None where it can't be told."""

    returned: bool | None
    filtered: bool | None

    @property
    def known(self) -> bool:
        """True when both answers are known (the business has at least one vendor)."""
        return self.returned is not None and self.filtered is not None

    @property
    def supported(self) -> bool:
        """True only when Ramp is known to both return and filter by the key."""
        return self.returned is True and self.filtered is True

    def describe(self) -> str:
        """One line for logs and plan headers."""
        if not self.known:
            return "external_vendor_id support unknown (the business has no vendors yet)"
        if self.supported:
            return "external_vendor_id returned and filterable"
        answers = (("returned", self.returned), ("filtered", self.filtered))
        missing = [what for what, ok in answers if not ok]
        return f"external_vendor_id not {' nor '.join(missing)} by this Ramp"


def probe_external_vendor_id(client: RampClient) -> ExternalIdSupport:
    """Ask Ramp whether it returns and filters by `external_vendor_id` (see the module doc)."""
    probe = PROBE_PREFIX + uuid.uuid4().hex
    matched = _first_page(client, {FIELD: probe})
    if matched:
        return ExternalIdSupport(returned=FIELD in matched[0], filtered=False)
    some = _first_page(client, {})
    if not some:
        return ExternalIdSupport(returned=None, filtered=None)
    return ExternalIdSupport(returned=FIELD in some[0], filtered=True)


def _first_page(client: RampClient, filters: dict[str, str]) -> list[dict[str, Any]]:
    response = client.get_raw("/vendors", {"page_size": "2", **filters})
    data, _next = envelope(response)
    return data
