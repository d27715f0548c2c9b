"""Runtime knobs of the sandbox: latency, rate limit, faults, and the named fidelity choices.

A `SandboxSettings` is shared by the running app and its owner, and may be changed while the
sandbox runs (directly, or through `PATCH /_sandbox/settings`).
"""

from __future__ import annotations

import dataclasses
import math
import threading
from dataclasses import dataclass, field
from typing import Any, Literal

FaultKind = Literal["5xx", "slow", "drop_after_commit", "late_commit", "late_commit_drop"]
FAULT_KINDS: tuple[str, ...] = (
    "5xx",
    "slow",
    "drop_after_commit",
    "late_commit",
    "late_commit_drop",
)
"""`late_commit` answers a write 504 at once and commits it `late_commit_ms` later;
`late_commit_drop` does the same but drops the connection instead of answering."""
InvalidScopeMode = Literal["reject", "subset"]
ApiVersion = Literal["2025", "2026"]
ApprovalPolicy = Literal["immediate", "pending_approval"]
ADDED_IN_2026 = frozenset({"POST /vendors/{vendor_id}/contacts"})
"""Operations of Ramp's 2026 API that the 2025 document does not have."""
CHOICES: dict[str, tuple[Any, ...]] = {
    "invalid_scope_mode": ("reject", "subset"),
    "unknown_token_status": (401, 404),
    "api_version": ("2025", "2026"),
    "contact_approval": ("immediate", "pending_approval"),
    "vendor_update_approval": ("immediate", "pending_approval"),
}


@dataclass(kw_only=True)
class FaultRule:
    """A one-shot fault: the next `count` requests matching method and path get `kind`.

    `path` is an fnmatch pattern over the request path (e.g. "/developer/v1/vendors*");
    `method` is an HTTP method or "*".
    """

    kind: FaultKind
    method: str = "*"
    path: str = "*"
    count: int = 1

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {FAULT_KINDS}")
        if self.count < 1:
            raise ValueError("a fault rule's count must be at least 1")
        self.method = self.method.upper()


@dataclass(kw_only=True)
class SandboxSettings:
    """What the sandbox does beyond Ramp's plain behaviour, and how it reads uncertain facts.

    Fidelity choices (where Ramp's sources conflict; see the README's sandbox section):
    - `invalid_scope_mode`: "reject" answers a token request for a scope the app lacks with
      400 `invalid_scope` (Ramp's guide); "subset" grants the allowed subset (Ramp's demo).
    - `unknown_token_status`: 401 `DEVELOPER_7000` (Ramp's guide) or 404 `DEVELOPER_7002`
      (what connectors observed) for an unknown or revoked token.
    - `auto_create_accounting_vendor`: on vendor create without a link, create an accounting
      vendor named after it (Ramp's 2025 guide) when a connection is active; off per 2026.
    - `reject_unknown_fields`: a request body field the schema does not define is a 422.
    - `ignore_list_filters`: list endpoints ignore their filters (as an API version without
      a filter, e.g. 2025's vendors list without `external_vendor_id`, does); for tests.
    - `api_version`: "2026" (Ramp's current API) or "2025" (the 2025 document): no
      `external_vendor_id` anywhere (not returned, filter ignored, ignored on writes), no
      vendor rename, no contact creation.
    - `contact_approval`: a created vendor contact is in force at once ("immediate") or waits
      for approval ("pending_approval", Ramp's vendor approval policies).
    - `vendor_update_approval`: the same for vendor edits to owner and mailing address.
    - `invite_task_steps`: status reads a user invite task answers IN_PROGRESS before it
      succeeds (0: it succeeds at once).
    - `absent_endpoints`: operations ("GET /accounting/all-connections") answered with 404,
      as on a Ramp that does not have them.
    """

    latency_ms: float = 0
    rate_limit: int = 200
    rate_window_s: float = 10.0
    fault_5xx_rate: float = 0.0
    fault_slow_rate: float = 0.0
    slow_ms: float = 5000
    fault_drop_after_commit_rate: float = 0.0
    late_commit_ms: float = 2000
    fault_seed: int | None = None
    faults: list[FaultRule] = field(default_factory=list)
    invalid_scope_mode: InvalidScopeMode = "reject"
    unknown_token_status: int = 401
    auto_create_accounting_vendor: bool = False
    reject_unknown_fields: bool = True
    ignore_list_filters: bool = False
    api_version: ApiVersion = "2026"
    contact_approval: ApprovalPolicy = "immediate"
    vendor_update_approval: ApprovalPolicy = "immediate"
    invite_task_steps: int = 1
    absent_endpoints: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        """The settings as a JSON-ready dict (faults as a list of dicts)."""
        with self.lock:
            data = {f.name: getattr(self, f.name) for f in _public_fields()}
            data["faults"] = [dataclasses.asdict(rule) for rule in self.faults]
            data["absent_endpoints"] = list(self.absent_endpoints)
        return data

    def update(self, changes: dict[str, Any]) -> None:
        """Apply `changes` (JSON form); `add_fault` appends one FaultRule. Raises ValueError."""
        known = {f.name: f for f in _public_fields()}
        staged: dict[str, Any] = {}
        for key, value in changes.items():
            if key == "add_fault":
                staged.setdefault("faults", list(self.faults)).append(FaultRule(**value))
            elif key == "faults":
                staged["faults"] = [FaultRule(**rule) for rule in value]
            elif key in known:
                staged[key] = _coerce(key, value)
            else:
                raise ValueError(f"unknown sandbox setting {key!r}")
        with self.lock:
            for key, value in staged.items():
                setattr(self, key, value)

    def take_fault(self, method: str, path: str) -> str | None:
        """Consume and return the kind of the first one-shot rule matching the request."""
        from fnmatch import fnmatchcase

        with self.lock:
            for rule in self.faults:
                if rule.method in ("*", method) and fnmatchcase(path, rule.path):
                    rule.count -= 1
                    if rule.count <= 0:
                        self.faults.remove(rule)
                    return rule.kind
        return None

    def is_absent(self, method: str, template: str) -> bool:
        """True when the operation `method template` (no `/developer/v1`) is switched off."""
        operation = f"{method.upper()} {template}"
        if self.api_version == "2025" and operation in ADDED_IN_2026:
            return True
        return operation in self.absent_endpoints

    @property
    def has_external_vendor_id(self) -> bool:
        """Whether the emulated API knows `external_vendor_id` (2026) or not (2025)."""
        return self.api_version != "2025"


def _public_fields() -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(SandboxSettings) if f.name != "lock"]


#: Bounds of the numeric settings: (smallest, largest), both included.
_BOUNDS: dict[str, tuple[float, float]] = {
    "latency_ms": (0, 600_000),
    "rate_limit": (1, 1_000_000),
    "rate_window_s": (0.001, 3600),
    "fault_5xx_rate": (0, 1),
    "fault_slow_rate": (0, 1),
    "slow_ms": (0, 600_000),
    "fault_drop_after_commit_rate": (0, 1),
    "late_commit_ms": (0, 600_000),
    "invite_task_steps": (0, 1_000),
}


def _coerce(key: str, value: Any) -> Any:
    if key in CHOICES:
        if value not in CHOICES[key]:
            raise ValueError(f"{key} must be one of {', '.join(map(repr, CHOICES[key]))}")
        return value
    if key == "absent_endpoints":
        return _operations(value)
    if key in ("auto_create_accounting_vendor", "reject_unknown_fields", "ignore_list_filters"):
        if not isinstance(value, bool):
            raise ValueError(f"{key} must be true or false, got {value!r}")
        return value
    if key == "fault_seed":
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError(f"fault_seed must be a whole number or null, got {value!r}")
        return value
    return _number(key, value)


def _number(key: str, value: Any) -> float | int:
    """A numeric setting, refused unless a finite number within its bounds."""
    low, high = _BOUNDS[key]
    whole = key in ("rate_limit", "invite_task_steps")
    refusal = f"{key} must be a number from {low:g} to {high:g}, got {value!r}"
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise ValueError(refusal) from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(refusal)
    if whole and not float(value).is_integer():
        raise ValueError(f"{key} must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{key} must be from {low:g} to {high:g}, got {value!r}")
    return int(value) if whole else float(value)


def _operations(value: Any) -> list[str]:
    """Operations as "METHOD /path" (method upper-cased, path as given)."""
    example = 'e.g. ["GET /accounting/all-connections"]'
    if not isinstance(value, list):
        raise ValueError(f"absent_endpoints must be a list of operations, {example}")
    out = []
    for item in value:
        parts = str(item).split()
        if len(parts) != 2 or not parts[1].startswith("/"):
            raise ValueError(f"absent_endpoints: {item!r} is not 'METHOD /path', {example}")
        out.append(f"{parts[0].upper()} {parts[1]}")
    return out
