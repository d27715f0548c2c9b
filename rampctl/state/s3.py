"""The S3 backend: the state as one object, written only by compare-and-swap, and a leased lock.

For `s3://BUCKET/KEY` the store holds `KEY` (the state), `KEY.lock` (the lease) and
`KEY.journal/` (one object per journal record). Every state write carries `If-Match` with the
ETag the run read (`If-None-Match: *` for the first), so a write based on a stale read is
refused by the store itself. boto3 is used because it reads credentials, region and endpoint
the way every AWS tool does (environment, profile, SSO, instance role; `AWS_ENDPOINT_URL` for
S3-compatible stores) and supports conditional writes natively.

Some S3-compatible stores accept the conditional headers but ignore them; with those, the
lock and the compare-and-swap would silently do nothing. So before its first change the
backend checks that the store refuses a second conditional create, and refuses to run when it
does not.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

from rampctl.errors import ConfigError, StateError
from rampctl.logs import register_secret
from rampctl.state.journal import Record, RecordJournal, record_bytes
from rampctl.state.lease import LeaseSettings
from rampctl.state.lock import LockHolder
from rampctl.state.model import State
from rampctl.state.remote import RemoteBackend, WriteConflict

log = logging.getLogger("rampctl.state")

_REFUSED = frozenset({"PreconditionFailed", "ConditionalRequestConflict", "412", "409"})
_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})


def _client() -> Any:
    """An S3 client from the usual AWS configuration (env, profile, role, AWS_ENDPOINT_URL)."""
    try:
        import boto3
        from botocore.config import Config
    except ImportError:  # pragma: no cover - only without the s3 extra
        raise ConfigError("the S3 state backend needs boto3: pip install 'rampctl[s3]'") from None
    for name in ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        register_secret(os.environ.get(name))
    config = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=10)
    return boto3.client("s3", config=config)


class S3Backend(RemoteBackend[str]):
    """The state in an S3 (or S3-compatible) bucket; versions are ETags."""

    def __init__(
        self, bucket: str, key: str, *, client: Any = None, settings: LeaseSettings | None = None
    ) -> None:
        super().__init__(f"s3://{bucket}/{key}", settings)
        self.bucket = bucket
        self.key = key
        self._client = client
        self._checked = False

    @classmethod
    def from_url(cls, url: str) -> S3Backend:
        """The backend for `s3://BUCKET/KEY`."""
        parts = urlsplit(url)
        key = parts.path.lstrip("/")
        if not parts.netloc or not key or key.endswith("/"):
            raise ConfigError(
                f"--state {url}: an S3 state needs a bucket and an object key, "
                "e.g. s3://my-bucket/rampctl/production.state.json"
            )
        return cls(parts.netloc, key)

    @property
    def s3(self) -> Any:
        """The boto3 S3 client (made on first use)."""
        if self._client is None:
            self._client = _client()
        return self._client

    @property
    def store_name(self) -> str:
        """The store's endpoint and bucket, for messages."""
        endpoint = getattr(self.s3.meta, "endpoint_url", None) or "AWS S3"
        return f"{endpoint} (bucket {self.bucket})"

    def _call(self, what: str, method: str, **params: Any) -> Any:
        """Call the S3 API, turning its failures into StateError naming the store."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.s3, method)(Bucket=self.bucket, **params)
        except ClientError:
            raise
        except BotoCoreError as exc:
            raise StateError(f"cannot {what} at {self.location}: {exc}") from None

    def _get(self, key: str) -> tuple[bytes, str] | None:
        from botocore.exceptions import ClientError

        try:
            answer = self._call("read the state", "get_object", Key=key)
        except ClientError as exc:
            if _code(exc) in _MISSING:
                return None
            raise self._failed("read", key, exc) from None
        return answer["Body"].read(), str(answer["ETag"])

    def _put(self, key: str, data: bytes, expected: str | None) -> str | None:
        """Conditional put; the new ETag, or None when the store refused the condition."""
        from botocore.exceptions import ClientError

        condition = {"IfMatch": expected} if expected else {"IfNoneMatch": "*"}
        try:
            answer = self._call(
                "write",
                "put_object",
                Key=key,
                Body=data,
                ContentType="application/json",
                **condition,
            )
        except ClientError as exc:
            if _code(exc) in _REFUSED:
                return None
            raise self._failed("write", key, exc) from None
        return str(answer["ETag"])

    def _delete(self, key: str, expected: str | None) -> bool:
        from botocore.exceptions import ClientError

        condition = {"IfMatch": expected} if expected else {}
        try:
            self._call("delete", "delete_object", Key=key, **condition)
        except ClientError as exc:
            if _code(exc) in _REFUSED or _code(exc) in _MISSING:
                return False
            raise self._failed("delete", key, exc) from None
        return True

    def _failed(self, verb: str, key: str, exc: Exception) -> StateError:
        return StateError(f"cannot {verb} s3://{self.bucket}/{key}: {_code(exc)}: {_say(exc)}")

    # -- state -------------------------------------------------------------------------

    def read_stored(self) -> tuple[bytes, str] | None:
        """The state object and its ETag."""
        return self._get(self.key)

    def write_stored(self, data: bytes, state: State, expected: str | None) -> str:
        """Put the state object with If-Match (or If-None-Match: * when creating it)."""
        etag = self._put(self.key, data, expected)
        if etag is None:
            raise WriteConflict(self.key)
        return etag

    # -- lease -------------------------------------------------------------------------

    @property
    def _lock_key(self) -> str:
        return f"{self.key}.lock"

    def lease_read(self) -> tuple[LockHolder, str] | None:
        """The lock object and its ETag."""
        found = self._get(self._lock_key)
        if found is None:
            return None
        try:
            return LockHolder.model_validate_json(found[0]), found[1]
        except ValueError:
            log.warning("an unreadable lock object at s3://%s/%s", self.bucket, self._lock_key)
            return LockHolder(user="?", pid=0, host="?", time="", command="?"), found[1]

    def lease_create(self, holder: LockHolder) -> str | None:
        """Create the lock object with If-None-Match: *."""
        return self._put(self._lock_key, _holder_bytes(holder), None)

    def lease_replace(self, holder: LockHolder, expected: str) -> str | None:
        """Renew or take over the lock object with If-Match."""
        return self._put(self._lock_key, _holder_bytes(holder), expected)

    def lease_delete(self, expected: str | None) -> bool:
        """Delete the lock object (with If-Match unless forced)."""
        return self._delete(self._lock_key, expected)

    def journal(self) -> S3Journal:
        """The journal records under KEY.journal/."""
        return S3Journal(self)

    # -- the store check -----------------------------------------------------------------

    def check_store(self) -> None:
        """Refuse a store that accepts a second `If-None-Match: *` create of one object."""
        if self._checked:
            return
        probe = f"{self.key}.probe/{uuid.uuid4().hex}"
        first = self._put(probe, b"{}", None)
        second = self._put(probe, b"{}", None) if first is not None else None
        stale = self._put(probe, b"{}", '"0-not-the-etag"') if first is not None else None
        self._delete(probe, None)
        if first is None or second is not None or stale is not None:
            raise StateError(
                f"the S3 store {self.store_name} does not honour conditional writes "
                "(If-None-Match / If-Match are ignored), so two runs could overwrite each "
                "other's state; refusing to keep the state there. Use a store that supports "
                "them (AWS S3, MinIO, Cloudflare R2, ...)"
            )
        self._checked = True


class S3Journal(RecordJournal):
    """Apply journal records as small objects under `KEY.journal/`, ordered by name."""

    def __init__(self, backend: S3Backend) -> None:
        self.backend = backend
        self.prefix = f"{backend.key}.journal/"

    def _store(self, record: Record) -> None:
        name = f"{self.prefix}{time.time_ns():020d}-{uuid.uuid4().hex[:12]}.json"
        data = record_bytes(record)
        if self.backend._put(name, data, None) is None:  # pragma: no cover - unique names
            raise StateError(f"journal record s3://{self.backend.bucket}/{name} already exists")

    def _names(self) -> list[str]:
        names: list[str] = []
        token: dict[str, str] = {}
        while True:
            page = self.backend._call(
                "list the journal", "list_objects_v2", Prefix=self.prefix, **token
            )
            names += [item["Key"] for item in page.get("Contents", [])]
            if not page.get("IsTruncated"):
                return sorted(names)
            token = {"ContinuationToken": page["NextContinuationToken"]}

    def _records(self) -> list[Record]:
        records = []
        for name in self._names():
            found = self.backend._get(name)
            if found is None:
                continue
            try:
                record = json.loads(found[0])
            except ValueError:
                log.warning("skipping an unreadable journal record %s", name)
                continue
            if isinstance(record, dict):
                records.append(record)
        return records

    def clear(self) -> None:
        """Delete every journal record."""
        for name in self._names():
            self.backend._delete(name, None)


def _holder_bytes(holder: LockHolder) -> bytes:
    return holder.model_dump_json(indent=2).encode("utf-8")


def _code(exc: Exception) -> str:
    response = getattr(exc, "response", {}) or {}
    error = response.get("Error", {})
    return str(error.get("Code") or response.get("ResponseMetadata", {}).get("HTTPStatusCode"))


def _say(exc: Exception) -> str:
    response = getattr(exc, "response", {}) or {}
    return str(response.get("Error", {}).get("Message") or "")
