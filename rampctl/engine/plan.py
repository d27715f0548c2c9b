"""The plan: ordered changes plus drift, unmanaged objects and safety, and its file form.

A plan file is versioned JSON with the state lineage and serial it was made
against, the manifest digest, the selection that chose its changes (`--target`,
`--exclude`, `--refresh`), each target's live fingerprint and a checksum, so
`apply PLANFILE` can plan again with the same selection and refuse a plan that no
longer matches (see `rampctl.engine.plan_trust`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import BaseModel, Field, JsonValue, ValidationError, field_validator

from rampctl import __version__
from rampctl.engine.bill_money import Money, empty_money
from rampctl.engine.changes import NO_WRITE, Action, Body, Change, Drift, Summary, Unmanaged
from rampctl.engine.identity import KEY_MODE
from rampctl.engine.safety import SafetyReport
from rampctl.errors import PlanError

#: Plan file format. Additive changes bump the minor version; readers accept any minor.
#: 1.4 records the selection; a file of an older minor has none, so it is read as untargeted.
#: 1.5 marks the manifests' digest over each file's path and text hash (`manifest_digest`);
#: an older file's digest may be of the earlier form (over the texts themselves).
FORMAT_VERSION = "1.5"
_MAJOR = FORMAT_VERSION.split(".")[0]
_DIGEST_SINCE = (1, 5)
"""The first plan format whose manifest digest is of the form this rampctl computes."""


class PlanSelection(BaseModel):
    """The settings that chose a plan's changes; `apply PLANFILE` plans again with exactly
    these, so the file's changes can be compared with the ones they give now."""

    targets: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    refresh_deep: bool = False

    def describe(self) -> str:
        """The selection as the plan options that give it (`all changes` when none)."""
        flags = [f"--target {t}" for t in self.targets]
        flags += [f"--exclude {e}" for e in self.excludes]
        flags += ["--refresh deep"] if self.refresh_deep else []
        return " ".join(flags) or "all changes (no --target or --exclude)"


@dataclass(kw_only=True)
class Plan:
    """Everything `plan` found and everything `apply` will do, in apply order."""

    changes: list[Change]
    drift: list[Drift] = field(default_factory=list)
    unmanaged: list[Unmanaged] = field(default_factory=list)
    safety: SafetyReport = field(default_factory=SafetyReport)
    environment: str = ""
    business_id: str = ""
    lineage: str = ""
    serial: int = 0
    manifest_digest: str = ""
    fingerprints: dict[str, str] = field(default_factory=dict)
    created_at: str = ""
    money: Money = field(default_factory=empty_money)
    #: How vendors are found in Ramp: `external_vendor_id`, or `verified_match` on a Ramp
    #: without it (see `rampctl.engine.identity`).
    identity: str = KEY_MODE
    #: The --target/--exclude/--refresh the changes were chosen with.
    selection: PlanSelection = field(default_factory=PlanSelection)
    #: The format of the file the plan was read from (this rampctl's, for a plan made now).
    format_version: str = FORMAT_VERSION

    @property
    def digest_comparable(self) -> bool:
        """Whether `manifest_digest` is of the form this rampctl computes (plan format 1.5
        and later): an older file's digest that differs may only be of the earlier form."""
        major, _, minor = self.format_version.partition(".")
        try:
            return (int(major), int(minor or 0)) >= _DIGEST_SINCE
        except ValueError:
            return False

    @property
    def has_changes(self) -> bool:
        """Whether Ramp or the state differs from the manifests (manual items included; an
        update waiting for approval in Ramp is not a difference rampctl can act on)."""
        return any(c.action is not Action.PENDING for c in self.changes)

    @property
    def actionable(self) -> list[Change]:
        """The changes apply carries out (everything but manual and pending items)."""
        return [c for c in self.changes if c.action not in NO_WRITE]

    def summary(self) -> Summary:
        """Counts by action."""
        return Summary.of(self.changes)

    def to_json(self) -> Body:
        """The plan-file document, with its checksum."""
        body: Body = self._file().model_dump(mode="json")
        return {**body, "checksum": checksum(body)}

    def _file(self) -> PlanFile:
        return PlanFile(
            created_at=self.created_at,
            environment=self.environment,
            business_id=self.business_id,
            state=PlanState(lineage=self.lineage, serial=self.serial),
            manifest_digest=self.manifest_digest,
            selection=self.selection,
            summary=self.summary().counts,
            money=self.money,
            safety=self.safety,
            changes=self.changes,
            drift=self.drift,
            unmanaged=PlanUnmanaged(count=len(self.unmanaged), items=self.unmanaged),
            fingerprints=dict(sorted(self.fingerprints.items())),
            identity=self.identity,
        )

    def dumps(self) -> str:
        """The plan file's text."""
        return json.dumps(self.to_json(), indent=2, sort_keys=False) + "\n"

    @classmethod
    def loads(cls, text: str) -> Plan:
        """Read a plan file, refusing an unknown major version, a bad checksum or a bad shape."""
        try:
            found = PlanFile.model_validate(_parse(text))
        except ValidationError as exc:
            raise PlanError(f"not a plan file: {_first_error(exc)}") from None
        return cls(
            changes=list(found.changes),
            drift=list(found.drift),
            unmanaged=list(found.unmanaged.items),
            safety=found.safety,
            environment=found.environment,
            business_id=found.business_id,
            lineage=found.state.lineage,
            serial=found.state.serial,
            manifest_digest=found.manifest_digest,
            fingerprints=found.fingerprints,
            created_at=found.created_at,
            money=found.money,
            identity=found.identity,
            selection=found.selection,
            format_version=found.format_version,
        )


class PlanState(BaseModel):
    """The state a plan was made against: its lineage and serial."""

    lineage: str
    serial: int


class PlanUnmanaged(BaseModel):
    """Live objects nothing manages: how many, and each."""

    count: int
    items: list[Unmanaged]


class PlanFile(BaseModel):
    """A plan file's document without its checksum, in file order (pydantic writes and reads it).

    Unknown keys are ignored, so a reader accepts files of a later minor format.
    """

    format_version: str = FORMAT_VERSION
    rampctl_version: str = __version__
    created_at: str
    environment: str
    business_id: str
    state: PlanState
    manifest_digest: str
    #: Absent before format 1.4: such a plan was made without --target/--exclude.
    selection: PlanSelection = Field(default_factory=PlanSelection)
    summary: dict[str, int]
    money: Money = Field(default_factory=empty_money)
    safety: SafetyReport
    changes: list[Change]
    drift: list[Drift]
    unmanaged: PlanUnmanaged
    fingerprints: dict[str, str]
    identity: str = KEY_MODE

    @field_validator("money", mode="before")
    @classmethod
    def _no_money(cls, value: object) -> object:
        return empty_money() if value is None else value  # absent (null) in format 1.0


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}"


def checksum(body: Mapping[str, JsonValue]) -> str:
    """sha256 of the canonical JSON of a plan body."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def _parse(text: str) -> Body:
    try:
        data: JsonValue = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanError(f"not a plan file: {exc}") from None
    if not isinstance(data, dict) or "format_version" not in data:
        raise PlanError("not a plan file: no format_version")
    if str(data["format_version"]).split(".")[0] != _MAJOR:
        raise PlanError(f"plan format {data['format_version']} is not supported (want {_MAJOR}.x)")
    stored = data.pop("checksum", None)
    if stored != checksum(data):
        raise PlanError("the plan file was modified after it was written (checksum mismatch)")
    return data
