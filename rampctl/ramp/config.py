"""Where the Ramp client connects and with which credentials, read from the environment.

`config_from_env` resolves the base URL (`RAMP_BASE_URL` wins over `--env`), reads
`RAMP_CLIENT_ID` / `RAMP_CLIENT_SECRET`, refuses plain HTTP to anything but loopback, and
registers the secret for redaction. The embedded sandbox builds its `ClientConfig` directly.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from rampctl.errors import ConfigError
from rampctl.logs import register_secret

ENV_URLS = {"production": "https://api.ramp.com", "demo": "https://demo-api.ramp.com"}
API_PREFIX = "/developer/v1"
RATE_LIMIT_VAR = "RAMPCTL_RATE_LIMIT"
TIMEOUT_VAR = "RAMPCTL_TIMEOUT"


@dataclass(frozen=True, kw_only=True)
class ClientConfig:
    """Connection settings of one RampClient.

    `base_url` is scheme://host[:port] without the `/developer/v1` prefix. `rate_limit`
    requests per rolling `rate_window_s` is Ramp's documented limit; `max_retry_s` bounds the
    total time spent retrying one request; `concurrency` bounds parallel calls. Writes wait
    up to `timeout_s` for an answer (Ramp ends a request at 60 s), reads and the token request
    up to `read_timeout_s` (both capped by `timeout_s`), connecting up to `connect_timeout_s`.
    After `unreachable_after_s` of transport failures with no answer in between, the whole
    client gives up (see `rampctl.ramp.health`), so an unreachable or hanging Ramp ends a run
    within a minute.
    """

    base_url: str
    client_id: str
    client_secret: str = field(repr=False)
    rate_limit: int = 200
    rate_window_s: float = 10.0
    timeout_s: float = 75.0
    read_timeout_s: float = 20.0
    connect_timeout_s: float = 10.0
    unreachable_after_s: float = 30.0
    max_retry_s: float = 60.0
    concurrency: int = 8
    retry_wait_initial_s: float = 0.5
    retry_wait_max_s: float = 8.0
    backoff_429_s: float = 1.0

    def __post_init__(self) -> None:
        register_secret(self.client_secret)
        check_base_url(self.base_url)
        if self.rate_limit < 1 or self.rate_window_s <= 0 or self.concurrency < 1:
            raise ConfigError("rate_limit, rate_window_s and concurrency must be positive")

    @property
    def api_url(self) -> str:
        """The base URL with Ramp's API prefix, without a trailing slash."""
        return self.base_url.rstrip("/") + API_PREFIX


def config_from_env(env: str | None, environ: Mapping[str, str] = os.environ) -> ClientConfig:
    """Build a ClientConfig from `--env` and the `RAMP_*` environment variables."""
    base_url = _base_url(env, environ)
    client_id = _required(environ, "RAMP_CLIENT_ID")
    client_secret = _required(environ, "RAMP_CLIENT_SECRET")
    return ClientConfig(
        base_url=base_url,
        client_id=client_id,
        client_secret=client_secret,
        rate_limit=_rate_limit(environ),
        timeout_s=_timeout(environ),
    )


def is_loopback(host: str) -> bool:
    """True for localhost and loopback IP addresses."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_base_url(url: str) -> None:
    """Refuse URLs that are not http(s), and plain HTTP to anything but loopback."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"Ramp base URL must be an http(s) URL with a host, not {url!r}")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigError(
            f"refusing plain HTTP to {parts.hostname}: use https:// (only loopback may use http)"
        )
    if parts.path.strip("/") or parts.query or parts.fragment:
        raise ConfigError(f"Ramp base URL must not carry a path or query: {url!r}")


def _base_url(env: str | None, environ: Mapping[str, str]) -> str:
    explicit = environ.get("RAMP_BASE_URL", "").strip()
    if explicit:
        return explicit.rstrip("/")
    if env is None:
        raise ConfigError(
            "no Ramp environment: pass --env production|demo, set RAMP_BASE_URL, or use --sandbox"
        )
    if env not in ENV_URLS:
        raise ConfigError(f"unknown Ramp environment {env!r}: use one of {', '.join(ENV_URLS)}")
    return ENV_URLS[env]


def _required(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name, "").strip()
    if not value:
        raise ConfigError(f"{name} is not set: export it with your Ramp app's credentials")
    return value


def _timeout(environ: Mapping[str, str]) -> float:
    """Seconds per request (default 75: Ramp ends requests at 60 s)."""
    raw = environ.get(TIMEOUT_VAR, "").strip()
    if not raw:
        return 75.0
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{TIMEOUT_VAR} must be a number of seconds, not {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{TIMEOUT_VAR} must be more than 0")
    return value


def _rate_limit(environ: Mapping[str, str]) -> int:
    raw = environ.get(RATE_LIMIT_VAR, "").strip()
    if not raw:
        return 200
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{RATE_LIMIT_VAR} must be a whole number, not {raw!r}") from None
    if value < 1:
        raise ConfigError(f"{RATE_LIMIT_VAR} must be at least 1")
    return value
