"""What every desired object has: its address, its manifest document and its settings."""

from __future__ import annotations

from dataclasses import dataclass

from rampctl.model.source import Origin


@dataclass(frozen=True, kw_only=True)
class Desired:
    """The base of each kind's desired object (`DesiredVendor`, `DesiredBill`, ...).

    `address` is the resource address (`vendor/acme`), `document` where its manifest declares
    it (positions for problems, `metadata.previously` for moves; not the spec, read once),
    `protect` refuses its removal, and `ignore` holds the field paths `ignore_changes` names.
    """

    address: str
    document: Origin
    protect: bool = False
    ignore: frozenset[str] = frozenset()
