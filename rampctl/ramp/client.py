"""RampClient: the typed, thread-safe Ramp API client rampctl's engine uses.

Reads return pydantic objects (whole lists, all pages); writes take request models and
send only the fields that were set. See `requester` for retries, rate limiting and errors.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel

from rampctl.errors import RampNotFoundError
from rampctl.ramp.bodies import read_json, refused, validated
from rampctl.ramp.config import ClientConfig
from rampctl.ramp.limiter import RateLimiter
from rampctl.ramp.model_pages import ModelPages
from rampctl.ramp.models import (
    AccountingConnection,
    AccountingVendor,
    AccountingVendorInput,
    AccountingVendorUpdate,
    Bill,
    BillCreate,
    BillUpdate,
    Business,
    Department,
    Entity,
    Location,
    User,
    UserInvite,
    UserTask,
    UserUpdate,
    Vendor,
    VendorBankAccount,
    VendorContact,
    VendorContactInput,
    VendorCreate,
    VendorPendingUpdate,
    VendorUpdate,
)
from rampctl.ramp.pagination import read_pages
from rampctl.ramp.requester import BAD_TOKEN_CODES, Requester

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
UPLOAD_BATCH = 500


class RampClient:
    """Typed access to the Ramp endpoints rampctl uses; one per command run."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        scopes: Iterable[str],
        transport: httpx.BaseTransport | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.config = config
        self._requester = Requester(config, scopes=scopes, transport=transport, limiter=limiter)

    def __enter__(self) -> RampClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the connections."""
        self._requester.close()

    @property
    def limiter(self) -> RateLimiter:
        """The rate limiter this client's requests wait on (pass it to another client of the
        same credentials: Ramp counts both against one limit)."""
        return self._requester.limiter

    @property
    def request_count(self) -> int:
        """HTTP requests sent so far, token requests included."""
        return self._requester.request_count

    @property
    def token_request_count(self) -> int:
        """Token requests sent so far."""
        return self._requester.token_request_count

    # -- reads ---------------------------------------------------------------------------

    def get_business(self) -> Business:
        """The business the credentials belong to."""
        return self._get("/business", Business)

    def list_users(self, *, email: str | None = None) -> list[User]:
        """All users, or the one with `email`."""
        return self._list("/users", User, {} if email is None else {"email": email})

    def list_entities(self) -> list[Entity]:
        """All entities with their accounts."""
        return self._list("/entities", Entity, {})

    def list_departments(self) -> list[Department]:
        """All departments (scope `departments:read`, see `request_scopes`)."""
        return self._list("/departments", Department, {})

    def list_locations(self) -> list[Location]:
        """All locations (scope `locations:read`, see `request_scopes`)."""
        return self._list("/locations", Location, {})

    def request_scopes(self, scopes: Iterable[str]) -> None:
        """Also ask Ramp for `scopes` from now on (a read only some manifests need)."""
        self._requester.request_scopes(scopes)

    def list_vendors(self, **filters: str | bool) -> list[Vendor]:
        """All bill-pay vendors matching the filters (e.g. external_vendor_id, is_active)."""
        return self._list("/vendors", Vendor, filters)

    def list_vendors_by_page(self, on_page: Callable[[list[Vendor]], None]) -> list[Vendor]:
        """All bill-pay vendors; `on_page` is handed each page's vendors as it arrives."""
        return self._list("/vendors", Vendor, {}, on_page)

    def list_vendor_contacts(self, vendor_id: str) -> list[VendorContact]:
        """The contacts of one vendor."""
        return self._list(f"/vendors/{_seg(vendor_id)}/contacts", VendorContact, {})

    def list_vendor_bank_accounts(self, vendor_id: str) -> list[VendorBankAccount]:
        """The payment accounts of one vendor (no account numbers)."""
        return self._list(f"/vendors/{_seg(vendor_id)}/accounts", VendorBankAccount, {})

    def get_accounting_connection(self) -> AccountingConnection | None:
        """The business's current accounting connection, or None when it has none."""
        try:
            response, body = self._answer("GET", "/accounting/connection")
        except RampNotFoundError as exc:
            if exc.error_code in BAD_TOKEN_CODES:
                raise
            return None
        if not isinstance(body, dict) or not body.get("id"):
            return None  # Ramp answers {} when there is no connection
        return validated(AccountingConnection, body, response, "GET")

    def list_accounting_connections(self) -> list[AccountingConnection]:
        """Every accounting connection (`/accounting/all-connections`).

        On a Ramp without that endpoint (404), the deprecated `/accounting/connection` is read
        instead: its connection, or none.
        """
        try:
            response, body = self._answer("GET", "/accounting/all-connections")
        except RampNotFoundError as exc:
            if exc.error_code in BAD_TOKEN_CODES:
                raise
            current = self.get_accounting_connection()
            return [] if current is None else [current]
        connections = body.get("connections") if isinstance(body, dict) else None
        return [validated(AccountingConnection, c, response, "GET") for c in connections or []]

    def list_accounting_vendors(self, **filters: str | bool) -> list[AccountingVendor]:
        """Accounting vendors of the active connection matching the filters."""
        return self._list("/accounting/vendors", AccountingVendor, filters)

    def list_bills(self, **filters: str | bool) -> list[Bill]:
        """Bills matching the filters (archived ones only with is_archived=True)."""
        return self._list("/bills", Bill, filters)

    def get_vendor(self, vendor_id: str) -> Vendor:
        """One vendor by Ramp id."""
        return self._get(f"/vendors/{_seg(vendor_id)}", Vendor)

    def get_user(self, user_id: str) -> User:
        """One user by Ramp id."""
        return self._get(f"/users/{_seg(user_id)}", User)

    def get_user_task(self, task_id: str) -> UserTask:
        """The status of a deferred user task (an invite)."""
        return self._get(f"/users/deferred/status/{_seg(task_id)}", UserTask)

    def get_vendor_update_pending(self, vendor_id: str) -> VendorPendingUpdate | None:
        """The vendor's update waiting for approval in Ramp, or None."""
        return self.get_vendor(vendor_id).pending_update

    def get_bill(self, bill_id: str) -> Bill:
        """One bill by Ramp id."""
        return self._get(f"/bills/{_seg(bill_id)}", Bill)

    def get_raw(self, path: str, params: Mapping[str, str]) -> httpx.Response:
        """One GET as Ramp answers it, untyped (for probing what this Ramp returns)."""
        return self._requester.request("GET", path, params=params)

    # -- writes --------------------------------------------------------------------------

    def create_vendor(self, body: VendorCreate) -> Vendor:
        """Create a vendor; OutcomeUncertainError if the answer was lost."""
        return self._model("POST", "/vendors", Vendor, body.to_body())

    def update_vendor(self, vendor_id: str, body: VendorUpdate) -> Vendor:
        """Change the fields set in `body`."""
        return self._model("PATCH", f"/vendors/{_seg(vendor_id)}", Vendor, body.to_body())

    def create_vendor_contact(self, vendor_id: str, body: VendorContactInput) -> VendorContact:
        """Add a contact to a vendor (Ramp's 2026 API); it may come back pending approval.

        OutcomeUncertainError if the answer was lost: look for the email before resending.
        """
        path = f"/vendors/{_seg(vendor_id)}/contacts"
        return self._model("POST", path, VendorContact, body.to_body())

    def invite_user(self, body: UserInvite) -> str:
        """Start a user invite; return its task id (poll it with `wait_for_user_task`).

        Resending the same body with the same idempotency key returns the same task, so a lost
        answer (OutcomeUncertainError) is resolved by resending exactly that body.
        """
        response, data = self._answer("POST", "/users/deferred", body.to_body())
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise refused(response, "POST", "Ramp's answer to a user invite has no task id")
        return str(data["id"])

    def wait_for_user_task(
        self, task_id: str, *, timeout_s: float = 60.0, interval_s: float = 1.0
    ) -> UserTask:
        """Poll a user task until it finishes; the last status read if `timeout_s` runs out."""
        deadline = time.monotonic() + timeout_s
        while True:
            task = self.get_user_task(task_id)
            if task.finished or time.monotonic() + interval_s > deadline:
                return task
            time.sleep(interval_s)

    def update_user(self, user_id: str, body: UserUpdate) -> None:
        """Change the fields set in `body` (Ramp answers 204)."""
        self._requester.request("PATCH", f"/users/{_seg(user_id)}", body=body.to_body())

    def deactivate_user(self, user_id: str) -> None:
        """Deactivate a user (they can no longer log in); never a deletion."""
        self._requester.request("PATCH", f"/users/{_seg(user_id)}/deactivate")

    def reactivate_user(self, user_id: str) -> None:
        """Reactivate a deactivated user."""
        self._requester.request("PATCH", f"/users/{_seg(user_id)}/reactivate")

    def delete_vendor(self, vendor_id: str) -> None:
        """Delete a vendor (Ramp refuses when it is not deletable)."""
        self._requester.request("DELETE", f"/vendors/{_seg(vendor_id)}")

    def upload_accounting_vendors(
        self, items: Sequence[AccountingVendorInput]
    ) -> list[AccountingVendor]:
        """Upload new accounting vendors, in batches of at most 500."""
        created: list[AccountingVendor] = []
        for start in range(0, len(items), UPLOAD_BATCH):
            batch = [item.to_body() for item in items[start : start + UPLOAD_BATCH]]
            response, data = self._answer("POST", "/accounting/vendors", {"vendors": batch})
            vendors = data.get("vendors") if isinstance(data, dict) else None
            if not isinstance(vendors, list):
                raise refused(response, "POST", "Ramp's answer has no vendors array")
            created += [validated(AccountingVendor, v, response, "POST") for v in vendors]
        return created

    def update_accounting_vendor(
        self, ramp_id: str, body: AccountingVendorUpdate
    ) -> AccountingVendor:
        """Rename, recode or reactivate an accounting vendor."""
        path = f"/accounting/vendors/{_seg(ramp_id)}"
        return self._model("PATCH", path, AccountingVendor, body.to_body())

    def delete_accounting_vendor(self, ramp_id: str) -> None:
        """Delete (deactivate) an accounting vendor."""
        self._requester.request("DELETE", f"/accounting/vendors/{_seg(ramp_id)}")

    def create_bill(self, body: BillCreate) -> Bill:
        """Create a bill; OutcomeUncertainError if the answer was lost."""
        return self._model("POST", "/bills", Bill, body.to_body())

    def update_bill(self, bill_id: str, body: BillUpdate) -> Bill:
        """Change the fields set in `body`."""
        return self._model("PATCH", f"/bills/{_seg(bill_id)}", Bill, body.to_body())

    def delete_bill(self, bill_id: str) -> None:
        """Archive a bill (Ramp refuses for paid bills)."""
        self._requester.request("DELETE", f"/bills/{_seg(bill_id)}")

    # -- concurrency ---------------------------------------------------------------------

    def run_concurrently(self, calls: Mapping[str, Callable[[], T]]) -> dict[str, T]:
        """Run independent calls in parallel (at most `config.concurrency`) under the limiter.

        On the first error, calls not yet started are cancelled, running ones finish, and
        that error is raised.
        """
        if not calls:
            return {}
        workers = min(self.config.concurrency, len(calls))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ramp") as pool:
            futures = {name: pool.submit(call) for name, call in calls.items()}
            done, pending = wait(futures.values(), return_when=FIRST_EXCEPTION)
            for future in pending:
                future.cancel()
        _raise_first(futures.values(), done)
        return {name: future.result() for name, future in futures.items()}

    # -- plumbing ------------------------------------------------------------------------

    def _answer(self, method: str, path: str, body: Any = None) -> tuple[httpx.Response, Any]:
        """Ramp's answer and its JSON (see `read_json` for what is refused)."""
        response = self._requester.request(method, path, body=body)
        return response, read_json(response, method)

    def _model(self, method: str, path: str, model: type[M], body: Any = None) -> M:
        """Ramp's answer read as a `model` (see `validated`): a write's answer that cannot be
        read is `OutcomeUncertainError`, since Ramp took the write."""
        response, data = self._answer(method, path, body)
        return validated(model, data, response, method)

    def _get(self, path: str, model: type[M]) -> M:
        return self._model("GET", path, model)

    def _list(
        self,
        path: str,
        model: type[M],
        filters: Mapping[str, str | bool],
        on_page: Callable[[list[M]], None] | None = None,
    ) -> list[M]:
        params = {key: _query_value(value) for key, value in filters.items()}
        found: list[M] = []
        for items in read_pages(self._requester, path, params, ModelPages(model)):
            found += items
            if on_page is not None:
                on_page(items)
        return found


def _raise_first(futures: Iterable[Future[Any]], done: set[Future[Any]]) -> None:
    for future in futures:
        if future in done and not future.cancelled() and future.exception() is not None:
            raise future.exception()  # type: ignore[misc]


def _seg(value: str) -> str:
    return quote(value, safe="")


def _query_value(value: str | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
