"""One logical request to Ramp: token, rate limit, send, retry policy and error mapping.

Retry policy (stamina, bounded by `ClientConfig.max_retry_s` in total):

- failures before anything was sent (connect errors) are retried for every method;
- GET and DELETE are retried after timeouts, resets and 5xx with capped exponential
  back-off and jitter; a repeated DELETE that finds the object gone counts as done;
- POST and PATCH are never resent after an ambiguous failure (timeout after sending, reset,
  5xx): `OutcomeUncertainError` is raised so the caller can look the object up by its key;
- a 429 pauses the whole client (see `RateLimiter`) and the request is sent again, unless
  Ramp asked (Retry-After) for a longer wait than a run waits: `RampWaitTooLongError`;
- each request waits for the limiter in the priority class of its thread (`limiter.priority`);
  the token request goes as critical, since every other request waits for it;
- a 401 (or Ramp's 404 `DEVELOPER_7002` for unknown tokens) fetches one new token.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
import stamina

from rampctl.errors import (
    RampAuthError,
    RampError,
    RampScopeError,
    RampTransportError,
    RampWaitTooLongError,
)
from rampctl.logs import register_secret
from rampctl.ramp.auth import Token, TokenCache, parse_token
from rampctl.ramp.config import API_PREFIX, ClientConfig
from rampctl.ramp.failures import (
    NOTHING_SENT,
    error_details,
    error_from_response,
    oauth_error,
    retry_after,
    transport_error,
    uncertain,
)
from rampctl.ramp.health import Reachability
from rampctl.ramp.limiter import Priority, RateLimiter, wait_too_long
from rampctl.ramp.scopes import scope_for

log = logging.getLogger(__name__)
T = TypeVar("T")
IDEMPOTENT = frozenset({"GET", "DELETE"})
TOKEN_PATH = "/token"
BAD_TOKEN_CODES = frozenset({"DEVELOPER_7002"})


class _Retry(Exception):
    """Internal: a failure the retry policy may repeat; carries the error raised at the end."""

    def __init__(self, error: RampError, *, rate_limited: bool = False) -> None:
        super().__init__(str(error))
        self.error = error
        self.rate_limited = rate_limited


def _log_retry(details: stamina.instrumentation.RetryDetails) -> None:
    """One readable line per retry, shown with -v (stamina's own lines are replaced)."""
    cause = details.caused_by
    error = cause.error if isinstance(cause, _Retry) else cause
    log.info(
        "retrying after %s (retry %d in %.1f s; %.1f s waited so far)",
        error,
        details.retry_num,
        details.wait_for,
        details.waited_so_far,
    )


stamina.instrumentation.set_on_retry_hooks([_log_retry])


def _retry_hook(exc: Exception) -> bool | float:
    if isinstance(exc, _Retry):
        return 0.0 if exc.rate_limited else True  # after a 429 the limiter does the waiting
    return False


@dataclass
class _Progress:
    """What earlier attempts of one logical request did."""

    renewed: bool = False
    reached: bool = False  # an earlier attempt may have reached Ramp


@dataclass(frozen=True, kw_only=True)
class _Call:
    method: str
    url: str
    path: str
    params: Mapping[str, str] | None = None
    body: Any = None


class Requester:
    """Sends requests to Ramp for one RampClient; thread-safe."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        scopes: Iterable[str],
        transport: httpx.BaseTransport | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self._config = config
        self._requested = frozenset(scopes)
        self._http = httpx.Client(
            timeout=httpx.Timeout(config.timeout_s),
            transport=transport,
            verify=True,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=config.concurrency + 4),
            headers={"Accept": "application/json", "User-Agent": "rampctl"},
        )
        self._limiter = limiter or RateLimiter(
            limit=config.rate_limit, window_s=config.rate_window_s, backoff_s=config.backoff_429_s
        )
        self._tokens = TokenCache(self._fetch_token)
        self._health = Reachability(config.base_url, config.unreachable_after_s)
        self._lock = threading.Lock()
        self._sent = 0
        self._token_fetches = 0

    def request_scopes(self, scopes: Iterable[str]) -> None:
        """Also request `scopes`: the next call fetches a token with them when they are new."""
        with self._lock:
            extra = frozenset(scopes) - self._requested
            if not extra:
                return
            self._requested |= extra
        current = self._tokens.current
        if current is not None:
            self._tokens.invalidate(current)

    @property
    def request_count(self) -> int:
        """HTTP requests sent so far (token requests included)."""
        return self._sent

    @property
    def token_request_count(self) -> int:
        """Token requests sent so far."""
        return self._token_fetches

    @property
    def limiter(self) -> RateLimiter:
        """The limiter shared by every request of this client."""
        return self._limiter

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        url: str | None = None,
    ) -> httpx.Response:
        """Send `method path` (relative to /developer/v1, or an absolute `url`) with retries."""
        method = method.upper()
        target = url or self._config.api_url + path
        call = _Call(method=method, url=target, path=api_path(target), params=params, body=body)
        self._check_requested(call)
        idempotent = method in IDEMPOTENT
        return self._with_retries(lambda progress: self._attempt(call, idempotent, progress))

    def _with_retries(self, attempt_fn: Callable[[_Progress], T]) -> T:
        progress = _Progress()
        config = self._config
        try:
            for attempt in stamina.retry_context(
                on=_retry_hook,
                attempts=None,
                timeout=config.max_retry_s,
                wait_initial=config.retry_wait_initial_s,
                wait_max=config.retry_wait_max_s,
                wait_jitter=config.retry_wait_initial_s,
            ):
                with attempt:
                    return attempt_fn(progress)
        except _Retry as exc:
            raise exc.error from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(self, call: _Call, idempotent: bool, progress: _Progress) -> httpx.Response:
        self._health.check()
        token = self._tokens.get()
        self._check_granted(call, token)
        response = self._send(call, token, idempotent, progress)
        if _is_bad_token(response) and not progress.renewed:
            progress.renewed = True
            log.info(
                "Ramp rejected the access token (HTTP %d); fetching a new one", response.status_code
            )
            self._tokens.invalidate(token)
            token = self._tokens.get()
            response = self._send(call, token, idempotent, progress)
        return self._judge(call, response, idempotent, progress)

    def _send(
        self, call: _Call, token: Token | None, idempotent: bool, progress: _Progress
    ) -> httpx.Response:
        request = self._build(call, token)
        try:
            ticket = self._limiter.acquire(Priority.CRITICAL if token is None else None)
        except RampWaitTooLongError as exc:  # an earlier answer asked for a long wait
            raise RampWaitTooLongError(exc.message, method=call.method, path=call.path) from None
        started = time.monotonic()
        try:
            response = self._http.send(request)
        except httpx.TransportError as exc:
            self._limiter.release(ticket, None)
            failure = self._transport_failure(exc, call, idempotent, progress)
            if isinstance(failure, _Retry) and isinstance(failure.error, RampTransportError):
                self._health.failed(started, failure.error)
            raise failure from None
        finally:
            with self._lock:
                self._sent += 1
        self._health.answered()
        pause = self._limiter.release(ticket, response.status_code, retry_after(response))
        log.debug(
            "%s %s -> %d in %.0f ms [x-trace-id %s]",
            call.method,
            call.path,
            response.status_code,
            (time.monotonic() - started) * 1000,
            response.headers.get("x-trace-id", "-"),
        )
        asked = self._limiter.asked_to_wait
        if asked is not None and response.status_code == 429:
            raise wait_too_long(
                asked,
                method=call.method,
                path=call.path,
                status=429,
                trace_id=response.headers.get("x-trace-id"),
            )
        if pause is not None:
            log.warning(
                "Ramp answered 429 (rate limited) to %s %s; pausing all requests for %.1f s",
                call.method,
                call.path,
                pause,
            )
        return response

    def _build(self, call: _Call, token: Token | None) -> httpx.Request:
        timeout = self._timeout(call.method, token is None)
        if token is None:  # the token request itself
            return self._http.build_request(
                call.method,
                call.url,
                data=call.body,
                headers={"Authorization": self._basic()},
                timeout=timeout,
            )
        headers = {"Authorization": f"Bearer {token.value}"}
        return self._http.build_request(
            call.method,
            call.url,
            params=call.params,
            json=call.body,
            headers=headers,
            timeout=timeout,
        )

    def _timeout(self, method: str, token: bool) -> httpx.Timeout:
        """Writes wait for Ramp's own 60 s limit; reads and the token request give up sooner."""
        config = self._config
        read = config.timeout_s if method != "GET" and not token else config.read_timeout_s
        whole = min(read, config.timeout_s)
        return httpx.Timeout(whole, connect=min(config.connect_timeout_s, whole))

    def _transport_failure(
        self, exc: httpx.TransportError, call: _Call, idempotent: bool, progress: _Progress
    ) -> Exception:
        if isinstance(exc, NOTHING_SENT):
            return _Retry(transport_error(exc, call.method, call.path))
        progress.reached = True
        if idempotent:
            return _Retry(transport_error(exc, call.method, call.path))
        return uncertain(call.method, call.path, f"{type(exc).__name__} after sending")

    def _judge(
        self,
        call: _Call,
        response: httpx.Response,
        idempotent: bool,
        progress: _Progress,
    ) -> httpx.Response:
        status = response.status_code
        if 200 <= status < 300:
            return response
        if status == 404 and call.method == "DELETE" and progress.reached:
            log.info("%s %s: already gone after an earlier attempt", call.method, call.path)
            return response
        error = error_from_response(
            response, call.method, call.path, scope=scope_for(call.method, _rel(call.path))
        )
        if status == 429:
            raise _Retry(error, rate_limited=True)
        if status >= 500:
            if not idempotent:
                raise uncertain(call.method, call.path, f"HTTP {status}", response)
            progress.reached = True
            raise _Retry(error)
        raise error

    def _check_requested(self, call: _Call) -> None:
        scope = scope_for(call.method, _rel(call.path))
        if scope is not None and scope not in self._requested:
            raise RampScopeError(
                f"needs the scope {scope}, which this command did not request",
                method=call.method,
                path=call.path,
            )

    def _check_granted(self, call: _Call, token: Token) -> None:
        scope = scope_for(call.method, _rel(call.path))
        if scope is not None and scope not in token.scopes:
            raise RampScopeError(
                f"needs the scope {scope}, which Ramp did not grant to this app "
                f"(granted: {' '.join(sorted(token.scopes)) or 'none'})",
                method=call.method,
                path=call.path,
            )

    def _basic(self) -> str:
        raw = f"{self._config.client_id}:{self._config.client_secret}".encode()
        value = base64.b64encode(raw).decode()
        register_secret(value)
        return f"Basic {value}"

    def _fetch_token(self) -> Token:
        scope = " ".join(sorted(self._requested))
        url = self._config.api_url + TOKEN_PATH
        call = _Call(
            method="POST",
            url=url,
            path=api_path(url),
            body={"grant_type": "client_credentials", "scope": scope},
        )
        token = self._with_retries(lambda progress: self._token_attempt(call, progress))
        missing = self._requested - token.scopes
        if missing:
            log.warning("Ramp did not grant the scopes: %s", " ".join(sorted(missing)))
        return token

    def _token_attempt(self, call: _Call, progress: _Progress) -> Token:
        self._health.check()
        with self._lock:
            self._token_fetches += 1
        response = self._send(call, None, True, progress)
        if response.status_code in (400, 401, 403):
            raise _token_refused(call, response)
        self._judge(call, response, True, progress)
        try:
            return parse_token(response.json(), self._requested, time.monotonic())
        except RecursionError:
            raise RampAuthError(
                "unreadable token response (nested too deeply)", method=call.method, path=call.path
            ) from None
        except ValueError as exc:
            raise RampAuthError(
                f"unreadable token response ({exc})", method=call.method, path=call.path
            ) from None


def _token_refused(call: _Call, response: httpx.Response) -> RampError:
    code, message = error_details(response)
    trace = response.headers.get("x-trace-id")
    kwargs: dict[str, Any] = {
        "method": call.method,
        "path": call.path,
        "status": response.status_code,
        "error_code": code,
        "trace_id": trace,
    }
    if "invalid_scope" in (code, oauth_error(response)):
        requested = call.body["scope"] if isinstance(call.body, dict) else ""
        return RampScopeError(
            f"Ramp refused the requested scopes ({requested}): {message}", **kwargs
        )
    return RampAuthError(
        f"Ramp refused the client credentials (RAMP_CLIENT_ID / RAMP_CLIENT_SECRET): {message}",
        **kwargs,
    )


def _is_bad_token(response: httpx.Response) -> bool:
    if response.status_code == 401:
        return True
    return response.status_code == 404 and error_details(response)[0] in BAD_TOKEN_CODES


def api_path(url: str) -> str:
    """The path of `url` (no query), e.g. `/developer/v1/vendors`."""
    return urlsplit(url).path


def _rel(path: str) -> str:
    return path[len(API_PREFIX) :] if path.startswith(API_PREFIX) else path
