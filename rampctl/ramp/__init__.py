"""The Ramp API client: OAuth2, pagination, rate limiting, retries, typed objects, errors."""

from rampctl.ramp.client import RampClient
from rampctl.ramp.config import ENV_URLS, ClientConfig, config_from_env
from rampctl.ramp.scopes import READ_SCOPES, WRITE_SCOPES

__all__ = [
    "ENV_URLS",
    "READ_SCOPES",
    "WRITE_SCOPES",
    "ClientConfig",
    "RampClient",
    "config_from_env",
]
