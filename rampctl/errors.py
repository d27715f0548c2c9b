"""The one exception tree of rampctl, and the exit code each branch maps to.

```
RampctlError                      anything rampctl reports as an error        exit 1
├── ConfigError                   bad flags, missing credentials or settings  exit 1
├── ManifestError                 manifests invalid (every problem at once)   exit 1
├── SandboxError                  the embedded sandbox cannot start           exit 1
├── RampError                     the Ramp API refused or failed a request    exit 1
│   ├── RampAuthError             401: credentials or token rejected
│   ├── RampScopeError            403: the token lacks a scope
│   ├── RampNotFoundError         404: no such object
│   ├── RampRateLimitError        429 after the client's own pauses ran out
│   │   └── RampWaitTooLongError  Ramp asked to wait longer than a run waits
│   ├── RampTransportError        the request could not be sent or answered
│   └── OutcomeUncertainError     a write may or may not have happened        exit 6
├── StateError                    the state file is unreadable or foreign
│   └── StateLockedError          another run holds the state lock            exit 5
├── PlanError                     the plan cannot be made or applied
│   ├── UnsafePlanError           refused by a safety rule                    exit 3
│   └── StalePlanError            a saved plan no longer matches              exit 4
└── Interrupted                   SIGINT / SIGTERM during a run               exit 130 / 143
```

Messages never carry secrets (client secret, tokens) nor sensitive vendor data.
"""

from __future__ import annotations

import signal
from collections.abc import Sequence
from dataclasses import dataclass


class ExitCode:
    """Process exit codes of the CLI, documented in the README."""

    OK = 0
    ERROR = 1
    CHANGES = 2
    UNSAFE = 3
    STALE = 4
    LOCKED = 5
    UNCERTAIN = 6
    SIGINT = 130
    SIGTERM = 143


class RampctlError(Exception):
    """Base of every error rampctl reports to the user."""

    exit_code: int = ExitCode.ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(RampctlError):
    """A flag, environment variable or setting is missing or invalid."""


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One manifest problem, positioned at `file:line:col` with its address and field path."""

    file: str
    line: int
    col: int
    message: str
    address: str = ""
    field: str = ""

    def __str__(self) -> str:
        parts = [f"{self.file}:{self.line}:{self.col}"]
        parts += [p for p in (self.address, self.field) if p]
        return ": ".join([*parts, self.message])

    def sort_key(self) -> tuple[str, int, int, str]:
        """Order problems by file, then position."""
        return (self.file, self.line, self.col, self.message)


class ManifestError(RampctlError):
    """The manifests are invalid; carries every problem found in the run."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(problems, key=Problem.sort_key)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the manifests"
        super().__init__("\n".join([head, *(str(p) for p in self.problems)]))


class SandboxError(RampctlError):
    """The embedded sandbox could not be started or used."""


class RampError(RampctlError):
    """Ramp answered a request with an error, or the request failed.

    Carries what is needed to report and debug it; never the token, the client
    secret or a request body.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str = "",
        path: str = "",
        status: int | None = None,
        error_code: str | None = None,
        trace_id: str | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.error_code = error_code
        self.trace_id = trace_id
        super().__init__(message)

    def __str__(self) -> str:
        where = " ".join(p for p in (self.method, self.path) if p)
        bits = [f"HTTP {self.status}" if self.status else "", self.error_code or ""]
        detail = ", ".join(b for b in bits if b)
        text = f"{where}: {self.message}" if where else self.message
        if detail:
            text += f" ({detail})"
        if self.trace_id:
            text += f" [x-trace-id {self.trace_id}]"
        return text


class RampAuthError(RampError):
    """Ramp rejected the credentials or the token (401)."""


class RampScopeError(RampError):
    """The token lacks a scope the request needs (403)."""


class RampNotFoundError(RampError):
    """The object does not exist in Ramp (404)."""


class RampRateLimitError(RampError):
    """Ramp kept answering 429 after the client's pauses ran out."""


class RampWaitTooLongError(RampRateLimitError):
    """Ramp answered 429 asking (Retry-After) for a longer wait than rampctl waits within a
    run: the client sends nothing more, and an apply starts no new write."""


class RampTransportError(RampError):
    """The request could not be sent, or no answer came back."""


class OutcomeUncertainError(RampError):
    """A write was sent but its outcome is unknown; the next run resolves it by key."""

    exit_code = ExitCode.UNCERTAIN


class StateError(RampctlError):
    """The state file is unreadable, corrupt, or belongs to another business."""


class StateNotSavedError(StateError):
    """A write reached Ramp but the state recording it could not be saved (disk full, a
    read-only file): the outcome is for the next run to settle by key."""

    exit_code = ExitCode.UNCERTAIN


class StateLockedError(StateError):
    """Another run holds the state lock."""

    exit_code = ExitCode.LOCKED


class PlanError(RampctlError):
    """A plan cannot be made or applied."""


class UnsafePlanError(PlanError):
    """A safety rule refused the plan (too many deletes, protected objects)."""

    exit_code = ExitCode.UNSAFE


class StalePlanError(PlanError):
    """A saved plan no longer matches the state, the manifests or Ramp."""

    exit_code = ExitCode.STALE


class Interrupted(RampctlError):
    """The run was stopped by a signal; exit code 128 + signal number."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        self.signum = signum
        self.exit_code = 128 + signum
        super().__init__(f"interrupted by {signal.Signals(signum).name}")
