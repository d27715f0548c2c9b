"""Configuration from the environment: base URL choice, credentials, HTTPS rule."""

from __future__ import annotations

import pytest

from rampctl.errors import ConfigError
from rampctl.logs import redact
from rampctl.ramp.config import ENV_URLS, ClientConfig, config_from_env

CREDS = {"RAMP_CLIENT_ID": "id-1", "RAMP_CLIENT_SECRET": "sec-canary-77"}


@pytest.mark.parametrize("env", ["production", "demo"])
def test_env_picks_ramp_url(env: str) -> None:
    config = config_from_env(env, CREDS)
    assert config.base_url == ENV_URLS[env]
    assert config.api_url == ENV_URLS[env] + "/developer/v1"


def test_base_url_variable_wins_over_env() -> None:
    config = config_from_env("production", {**CREDS, "RAMP_BASE_URL": "http://127.0.0.1:8080/"})
    assert config.base_url == "http://127.0.0.1:8080"


@pytest.mark.parametrize("missing", ["RAMP_CLIENT_ID", "RAMP_CLIENT_SECRET"])
def test_missing_credential_is_named(missing: str) -> None:
    environ = {k: v for k, v in CREDS.items() if k != missing}
    with pytest.raises(ConfigError, match=missing):
        config_from_env("demo", environ)


def test_no_environment_at_all_says_how_to_choose() -> None:
    with pytest.raises(ConfigError, match="--env"):
        config_from_env(None, CREDS)


def test_unknown_env_is_refused() -> None:
    with pytest.raises(ConfigError, match="staging"):
        config_from_env("staging", CREDS)


@pytest.mark.parametrize(
    "url", ["http://api.ramp.com", "http://10.0.0.1:80", "ftp://127.0.0.1", "https://x/path"]
)
def test_unsafe_or_odd_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigError):
        config_from_env(None, {**CREDS, "RAMP_BASE_URL": url})


@pytest.mark.parametrize("url", ["http://127.0.0.1:1", "http://localhost:2", "http://[::1]:3"])
def test_plain_http_is_allowed_on_loopback(url: str) -> None:
    assert config_from_env(None, {**CREDS, "RAMP_BASE_URL": url}).base_url == url


def test_secret_is_hidden_from_repr_and_registered() -> None:
    config = config_from_env("demo", CREDS)
    assert "sec-canary-77" not in repr(config)
    assert "sec-canary-77" not in redact("the secret is sec-canary-77")


def test_rate_limit_is_configurable() -> None:
    assert config_from_env("demo", {**CREDS, "RAMPCTL_RATE_LIMIT": "50"}).rate_limit == 50
    with pytest.raises(ConfigError, match="RAMPCTL_RATE_LIMIT"):
        config_from_env("demo", {**CREDS, "RAMPCTL_RATE_LIMIT": "many"})
    with pytest.raises(ConfigError):
        ClientConfig(
            base_url="https://a.example", client_id="a", client_secret="bbbb", concurrency=0
        )
