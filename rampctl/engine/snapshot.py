"""The live snapshot: one read of the Ramp business with list endpoints, indexed for matching."""

from __future__ import annotations

import gc
import queue
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import InitVar, dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from pydantic import JsonValue

from rampctl.ramp.capabilities import ExternalIdSupport
from rampctl.ramp.client import RampClient
from rampctl.ramp.limiter import Priority, priority
from rampctl.ramp.models import (
    AccountingVendor,
    Bill,
    Business,
    Entity,
    User,
    Vendor,
    VendorBankAccount,
    VendorContact,
)

if TYPE_CHECKING:  # types only: the reading thread starts without the engine's models
    from rampctl.engine.changes import FieldChange
    from rampctl.state.model import ResourceState


@dataclass(frozen=True, slots=True)
class QuietVendor:
    """A live vendor whose manifest's plan came out empty as its page arrived (see
    `rampctl.engine.page_plan`): valid while the manifest still matches this vendor through
    this state entry, in this identity mode; `link` says whether its accounting link is
    still to be checked (that needs the whole snapshot)."""

    vendor: Vendor
    entry: ResourceState
    mode: str
    link: bool


@dataclass(frozen=True, slots=True)
class VendorDrift:
    """A managed vendor's drift since the last apply, worked out as its page arrived from
    this state entry and this live vendor."""

    vendor: Vendor
    entry: ResourceState
    fields: tuple[FieldChange, ...]


@dataclass(kw_only=True)
class PageWork:
    """What planning worked out for live vendors while their pages arrived, by address."""

    quiet: dict[str, QuietVendor] = field(default_factory=dict)
    drift: dict[str, VendorDrift] = field(default_factory=dict)
    #: The addresses in `quiet` whose accounting link is still to be checked.
    linked: set[str] = field(default_factory=set)


@dataclass(kw_only=True)
class Snapshot:
    """Everything plan needs from Ramp, read once, indexed by id and by key."""

    business: Business
    users: dict[str, User]
    vendors: dict[str, Vendor]
    accounting_vendors: dict[str, AccountingVendor]
    entities: dict[str, Entity]
    contacts: dict[str, list[VendorContact]] = field(default_factory=dict)
    bills: dict[str, Bill] = field(default_factory=dict)
    vendor_accounts: dict[str, list[VendorBankAccount]] = field(default_factory=dict)
    #: Department and location names by Ramp id, read only when a User manifest names one
    #: (None: not read; see `rampctl.engine.user_directory`).
    departments: dict[str, str] | None = None
    locations: dict[str, str] | None = None
    #: Whether this Ramp returns and filters by external_vendor_id (None: not asked).
    external_ids: ExternalIdSupport | None = None
    #: Record forms of live vendors worked out while the pages arrived, by id (with the
    #: vendor they are of): see `SnapshotPrefetch.result`.
    vendor_views: dict[str, tuple[Vendor, Mapping[str, JsonValue]]] = field(default_factory=dict)
    #: Planning done as the pages arrived (`rampctl.engine.page_plan`); empty without it.
    page_work: PageWork = field(default_factory=PageWork)
    users_by_email: dict[str, User] = field(init=False)
    vendors_by_key: dict[str, list[Vendor]] = field(init=False)
    vendor_by_link: dict[str, Vendor] = field(init=False)
    accounting_by_remote: dict[str, AccountingVendor] = field(init=False)
    #: The vendor indexes already built as the pages arrived (`VendorIndex`), for `vendors`.
    vendor_index: InitVar[VendorIndex | None] = None

    def __post_init__(self, vendor_index: VendorIndex | None) -> None:
        self.users_by_email = {u.email.strip().lower(): u for u in self.users.values() if u.email}
        if vendor_index is None or vendor_index.vendors is not self.vendors:
            vendor_index = VendorIndex()
            vendor_index.add(self.vendors.values())
        self.vendors_by_key, self.vendor_by_link = vendor_index.indexes()
        self.accounting_by_remote = {a.id: a for a in self.accounting_vendors.values() if a.id}


class VendorIndex:
    """The live vendors by id, and the snapshot's indexes of them by key and by accounting
    link, built page by page as the pages arrive (in the reading thread), so that little
    is left to do after the last page.

    The result is the snapshot's as if built from the whole list at once: a vendor listed
    again (on a later page) takes the place of the first listing's, as it does in a dict
    built from the list; the indexes are then built again from the vendors by id.
    """

    def __init__(self) -> None:
        self.vendors: dict[str, Vendor] = {}
        self._by_key: dict[str, list[Vendor]] = {}
        self._by_link: dict[str, Vendor] = {}
        self._relisted = False

    def add(self, page: Iterable[Vendor]) -> None:
        """Index one page of vendors."""
        vendors, by_key, by_link = self.vendors, self._by_key, self._by_link
        for vendor in page:
            if vendor.id in vendors:
                self._relisted = True
            vendors[vendor.id] = vendor
            if key := vendor.external_vendor_id:
                key = key.strip()
                listed = by_key.get(key)
                if listed is None:
                    by_key[key] = [vendor]
                else:
                    listed.append(vendor)
            if link := vendor.accounting_vendor_remote_id:
                by_link[link] = vendor

    def indexes(self) -> tuple[dict[str, list[Vendor]], dict[str, Vendor]]:
        """The vendors by key (in the order of `vendors`) and by accounting link (the last
        vendor listed with a link wins)."""
        if self._relisted:
            again = VendorIndex()
            again.add(self.vendors.values())
            return again.indexes()
        return self._by_key, self._by_link


def read_snapshot(
    client: RampClient,
    *,
    on_users: Callable[[list[User]], None] | None = None,
    on_vendors: Callable[[list[Vendor]], None] | None = None,
) -> Snapshot:
    """Read users, vendors, accounting vendors and entities concurrently.

    `on_users` is handed the users once read; `on_vendors` each page of vendors as it
    arrives (both in a reading thread). The reads share Ramp's rate limit by priority
    (`READ_PRIORITIES`).
    """
    readers: dict[str, Callable[[], Any]] = {
        "business": client.get_business,
        "users": _users_reader(client, on_users),
        "vendors": _vendors_reader(client, on_vendors),
        "accounting_vendors": _accounting_reader(client),
        "entities": client.list_entities,
    }
    results: dict[str, Any] = client.run_concurrently(
        {name: _at(READ_PRIORITIES[name], read) for name, read in readers.items()}
    )
    vendors: VendorIndex = results["vendors"]
    return Snapshot(
        business=results["business"],
        users={u.id: u for u in results["users"]},
        vendors=vendors.vendors,
        vendor_index=vendors,
        accounting_vendors={a.ramp_id: a for a in results["accounting_vendors"]},
        entities={e.id: e for e in results["entities"]},
    )


#: How each read of the snapshot competes for Ramp's rate limit (`rampctl.ramp.limiter`).
#: The vendor walk is the critical path: the plan waits for its last page, its pages are
#: read one after the other, and it is by far the longest list (1,000 pages at 100,000
#: vendors, about 17 a second at 50 ms). The users are on it too: no vendor page is planned
#: before they are read. The business is one request. The accounting vendors (a page per
#: 100 linked vendors) and the entities are needed only once the last vendor page is in, so
#: they are paced into what the window leaves beside the walk (unpaced, they filled the
#: window in the first seconds, and at 100,000 vendors one vendor page then waited about
#: 4 s for it).
READ_PRIORITIES: Mapping[str, Priority] = MappingProxyType(
    {
        "business": Priority.NORMAL,
        "users": Priority.CRITICAL,
        "vendors": Priority.CRITICAL,
        "accounting_vendors": Priority.BACKGROUND,
        "entities": Priority.BACKGROUND,
    }
)


def _at(level: Priority, read: Callable[[], Any]) -> Callable[[], Any]:
    """`read`, sending its requests at priority `level`."""

    def run() -> Any:
        with priority(level):
            return read()

    return run


def _users_reader(
    client: RampClient, on_users: Callable[[list[User]], None] | None
) -> Callable[[], list[User]]:
    def read() -> list[User]:
        users = client.list_users()
        if on_users is not None:
            on_users(users)
        return users

    return read


def _vendors_reader(
    client: RampClient, on_page: Callable[[list[Vendor]], None] | None
) -> Callable[[], VendorIndex]:
    """Reads the vendors into a `VendorIndex`, page by page when `on_page` is given (each
    page indexed, then handed to `on_page`)."""

    def read() -> VendorIndex:
        index = VendorIndex()
        if on_page is None:
            index.add(client.list_vendors())
            return index

        def took(page: list[Vendor]) -> None:
            index.add(page)
            on_page(page)

        client.list_vendors_by_page(took)
        return index

    return read


#: How long a thread that wants the GIL waits for the one holding it while the snapshot is read
#: (Python's default is 5 ms). The reading threads spend most of their time waiting for Ramp;
#: each time an answer arrives they need the GIL for a moment, while the main thread loads
#: manifests and works out views. At the default, each hand-over can cost a page up to 5 ms,
#: several times per page, so the page walk took over 1.5x as long as on an idle process.
READING_SWITCH_INTERVAL_S = 0.0005


class _QuickHandOver:
    """The process's thread switch interval, shortened while at least one read runs.

    The interval is the whole process's: reads that overlap share one shortening, and the
    interval the first found is put back when the last ends.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reads = 0
        self._found = 0.0

    def start(self) -> None:
        with self._lock:
            if self._reads == 0:
                self._found = sys.getswitchinterval()
                sys.setswitchinterval(READING_SWITCH_INTERVAL_S)
            self._reads += 1

    def end(self) -> None:
        with self._lock:
            self._reads -= 1
            if self._reads == 0:
                sys.setswitchinterval(self._found)


_HAND_OVER = _QuickHandOver()


class SnapshotPrefetch:
    """The live snapshot, read in a background thread while the caller loads local files.

    `result` waits for it and raises what the read raised. If the caller gives up (a manifest
    error, say), it closes the client; the read then ends with an error nobody asks for.
    While it reads, the process's thread switch interval is shortened (`_QuickHandOver`).
    """

    def __init__(self, client: RampClient) -> None:
        _HAND_OVER.start()
        self._done = threading.Event()
        self._snapshot: Snapshot | None = None
        self._error: BaseException | None = None
        self._users: dict[str, User] | None = None
        self._users_read = threading.Event()
        self._pages: queue.SimpleQueue[list[Vendor] | None] = queue.SimpleQueue()
        self._pages_taken = False
        thread = threading.Thread(target=self._read, args=(client,), name="snapshot", daemon=True)
        thread.start()

    def _read(self, client: RampClient) -> None:
        try:
            self._snapshot = read_snapshot(
                client, on_users=self._took_users, on_vendors=self._pages.put
            )
        except BaseException as exc:  # handed to whoever asks for the result
            self._error = exc
        finally:
            _HAND_OVER.end()
            self._users_read.set()
            self._pages.put(None)
            self._done.set()

    def _took_users(self, users: list[User]) -> None:
        self._users = {u.id: u for u in users}
        self._users_read.set()

    def wait(self, timeout_s: float) -> None:
        """Wait at most `timeout_s` for the read to end (before its client is closed)."""
        self._done.wait(timeout_s)

    def result(
        self,
        views_of: Callable[[Vendor], bool] | None = None,
        *,
        on_page: Callable[[list[Vendor], Mapping[str, User]], None] | None = None,
    ) -> Snapshot:
        """The snapshot, once read; raises the read's error.

        With `views_of`, the wait is put to use: the record form of each live vendor it
        picks (the managed ones) is worked out as its page arrives (`Snapshot.vendor_views`),
        so planning after the last page has that much less to do. `on_page` is handed each
        page of vendors and the users, in the calling thread, as the page arrives (once the
        users are read).

        What the run holds by then (snapshot, state, manifests) lives as long as the run:
        it is frozen out of later garbage collections, so planning does not walk it again
        and again (at 10,000 vendors those walks were a tenth of a plan's CPU).
        """
        views = self._views_while_reading(views_of, on_page)
        self._done.wait()
        if self._error is not None:
            raise self._error
        assert self._snapshot is not None
        if views:
            self._snapshot.vendor_views.update(views)
        gc.freeze()
        return self._snapshot

    def _views_while_reading(
        self,
        views_of: Callable[[Vendor], bool] | None,
        on_page: Callable[[list[Vendor], Mapping[str, User]], None] | None,
    ) -> dict[str, tuple[Vendor, Mapping[str, JsonValue]]]:
        """Views of the vendors `views_of` picks, page by page until the read ends (each
        page handed to `on_page` too)."""
        from rampctl.engine.view import vendor_view

        views: dict[str, tuple[Vendor, Mapping[str, JsonValue]]] = {}
        if self._pages_taken or (views_of is None and on_page is None):
            return views
        self._pages_taken = True
        self._users_read.wait()
        users = self._users
        while (page := self._pages.get()) is not None:
            if users is None:
                continue  # the users could not be read: the read's error is raised
            if on_page is not None:
                on_page(page, users)
                gc.freeze()  # the page's vendors, and what was worked out, live as long
            picked = [v for v in page if views_of(v)] if views_of is not None else []
            for vendor in picked:
                views[vendor.id] = (vendor, MappingProxyType(vendor_view(vendor, users)))
        return views


def _accounting_reader(client: RampClient) -> Callable[[], list[AccountingVendor]]:
    """Accounting vendors exist only with an active accounting connection; none without one.

    Connections are read from `/accounting/all-connections` (the deprecated
    `/accounting/connection` on a Ramp without it).
    """

    def read() -> list[AccountingVendor]:
        if not any(c.is_active for c in client.list_accounting_connections()):
            return []
        return client.list_accounting_vendors()

    return read


def read_contacts(client: RampClient, snapshot: Snapshot, vendor_ids: Iterable[str]) -> None:
    """Add the contacts of `vendor_ids` to the snapshot (one list request per vendor)."""
    calls = {vid: _contacts_reader(client, vid) for vid in sorted(set(vendor_ids))}
    if calls:
        snapshot.contacts.update(client.run_concurrently(calls))


def _contacts_reader(client: RampClient, vendor_id: str) -> Callable[[], list[VendorContact]]:
    def read() -> list[VendorContact]:
        return client.list_vendor_contacts(vendor_id)

    return read
