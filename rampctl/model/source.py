"""What the model needs of a validated manifest document, as protocols.

`rampctl.manifest` produces documents that satisfy these; the model and the engine read
them only through these protocols, so the dependency runs one way (`manifest -> model`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class Located(Protocol):
    """A `file:line:col` position in a manifest file."""

    @property
    def file(self) -> str:
        """The file as shown in messages."""

    @property
    def line(self) -> int:
        """1-based line."""

    @property
    def col(self) -> int:
        """1-based column."""


class Origin(Protocol):
    """Where a desired object is declared: what the desired graph keeps of its document
    (positions for problems, earlier names for moves; not its spec)."""

    @property
    def previously(self) -> tuple[str, ...]:
        """Earlier names of the document (`metadata.previously`): its moves."""

    def position_of(self, field: str) -> Located:
        """Where `field` (e.g. `spec.address.city`) is written; else its nearest parent."""


class Source(Protocol):
    """One valid manifest document: kind, name, address, validated spec, positions."""

    @property
    def kind(self) -> str:
        """`Vendor`, `AccountingVendor` or `Bill`."""

    @property
    def name(self) -> str:
        """`metadata.name`."""

    @property
    def address(self) -> str:
        """The resource address, e.g. `vendor/acme`."""

    @property
    def spec(self) -> Any:
        """The validated spec model of the document's kind."""

    @property
    def previously(self) -> tuple[str, ...]:
        """Earlier names of this document (`metadata.previously`): its moves."""

    def position_of(self, field: str) -> Located:
        """Where `field` (e.g. `spec.address.city`) is written; else its nearest parent."""

    def origin(self) -> Origin:
        """What a desired object keeps of the document once its spec is read."""


class Sources(Protocol):
    """Every document one run reads, by kind, and the digest of the manifests."""

    @property
    def digest(self) -> str:
        """Hash of the manifests, recorded in plan files."""

    def vendors(self) -> Sequence[Source]:
        """The `Vendor` documents."""

    def accounting_vendors(self) -> Sequence[Source]:
        """The `AccountingVendor` documents."""

    def bills(self) -> Sequence[Source]:
        """The `Bill` documents."""

    def users(self) -> Sequence[Source]:
        """The `User` documents."""
