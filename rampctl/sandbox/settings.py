"""Runtime knobs of the sandbox: latency, rate limit, faults, and the named fidelity choices.

A `SandboxSettings` is shared by the running app and its owner, and may be changed while the
sandbox runs (directly, or through `PATCH /_sandbox/settings`).
"""

from __future__ import annotations

import dataclasses
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
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        """The settings as a JSON-ready dict (faults as a list of dicts)."""
        with self.lock:
            data = {f.name: getattr(self, f.name) for f in _public_fields()}
            data["faults"] = [dataclasses.asdict(rule) for rule in self.faults]
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


def _public_fields() -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(SandboxSettings) if f.name != "lock"]


def _coerce(key: str, value: Any) -> Any:
    if key == "invalid_scope_mode":
        if value not in ("reject", "subset"):
            raise ValueError("invalid_scope_mode must be 'reject' or 'subset'")
        return value
    if key == "unknown_token_status":
        if value not in (401, 404):
            raise ValueError("unknown_token_status must be 401 or 404")
        return int(value)
    if key in ("auto_create_accounting_vendor", "reject_unknown_fields"):
        return bool(value)
    if key == "fault_seed":
        return None if value is None else int(value)
    if key in ("rate_limit",):
        return int(value)
    return float(value)
