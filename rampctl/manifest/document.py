"""Validated manifest documents and the set of them that one run reads."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rampctl.manifest.position import FieldPath, Position, parse_path
from rampctl.manifest.specs import (
    AccountingRef,
    AccountingVendorSpec,
    BillSpec,
    UserSpec,
    VendorSpec,
)


@dataclass(frozen=True, kw_only=True, eq=False)
class Document:
    """One valid manifest document: its kind, name, address, spec and source positions."""

    kind: str
    name: str
    address: str
    spec: VendorSpec | AccountingVendorSpec | BillSpec | UserSpec
    position: Position
    keys: Mapping[FieldPath, Position] = field(default_factory=dict, repr=False)
    previously: tuple[str, ...] = ()

    @property
    def file(self) -> str:
        """The file the document came from, as shown in messages."""
        return self.position.file

    def position_of(self, field: str) -> Position:
        """Where `field` (e.g. `spec.address.city`) is written; else its nearest parent."""
        return _position_of(self.keys, self.position, field)

    def origin(self) -> Origin:
        """Positions and earlier names without the spec: what the desired graph keeps (it
        holds every document for the whole run; their specs are read once)."""
        origin = _new(Origin)  # its slots set as `Origin(...)` sets them, at half the cost
        _set_position(origin, self.position)
        _set_keys(origin, self.keys)
        _set_previously(origin, self.previously)
        return origin


@dataclass(frozen=True, kw_only=True, eq=False, slots=True)
class Origin:
    """Where a document is written, and its earlier names (`Document.origin`)."""

    position: Position
    keys: Mapping[FieldPath, Position]
    previously: tuple[str, ...]

    def position_of(self, field: str) -> Position:
        """Where `field` (e.g. `spec.address.city`) is written; else its nearest parent."""
        return _position_of(self.keys, self.position, field)


_new = object.__new__
_set_position = vars(Origin)["position"].__set__
_set_keys = vars(Origin)["keys"].__set__
_set_previously = vars(Origin)["previously"].__set__


def _position_of(keys: Mapping[FieldPath, Position], start: Position, field: str) -> Position:
    path = parse_path(field)
    while path:
        if path in keys:
            return keys[path]
        path = path[:-1]
    return start


@dataclass(frozen=True, kw_only=True, eq=False)
class ManifestSet:
    """Every document under a manifests root, in file and line order, with the set's digest."""

    root: Path
    documents: list[Document]
    digest: str
    files: list[str] = field(default_factory=list)

    def vendors(self) -> list[Document]:
        """The `Vendor` documents."""
        return list(self._by_kind.get("Vendor", ()))

    def accounting_vendors(self) -> list[Document]:
        """The `AccountingVendor` documents."""
        return list(self._by_kind.get("AccountingVendor", ()))

    def bills(self) -> list[Document]:
        """The `Bill` documents."""
        return list(self._by_kind.get("Bill", ()))

    def users(self) -> list[Document]:
        """The `User` documents."""
        return list(self._by_kind.get("User", ()))

    @functools.cached_property
    def _by_kind(self) -> dict[str, list[Document]]:
        """The documents of each kind, in order (one pass over them all)."""
        found: dict[str, list[Document]] = {}
        for doc in self.documents:
            found.setdefault(doc.kind, []).append(doc)
        return found

    def by_address(self, address: str) -> Document | None:
        """The document at `address` (`vendor/<name>`), if any."""
        return next((d for d in self.documents if d.address == address), None)

    def accounting_remote_id(self, vendor: Document) -> str | None:
        """The ERP remote id a vendor links to, resolving a manifest name to its remote_id."""
        spec = vendor.spec
        if not isinstance(spec, VendorSpec) or spec.accounting_vendor is None:
            return None
        if isinstance(spec.accounting_vendor, AccountingRef):
            return spec.accounting_vendor.remote_id
        target = self.by_address(f"accounting_vendor/{spec.accounting_vendor}")
        if target is None or not isinstance(target.spec, AccountingVendorSpec):
            return None
        return target.spec.remote_id
