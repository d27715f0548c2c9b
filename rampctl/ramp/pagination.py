"""Reading whole Ramp lists by following `page.next` (keyset pagination).

Every list is read with `page_size=100`. `page.next` is followed only while it stays on the
scheme, host and path of the first page, and never twice; a full page that ends the list
is logged as suspicious at INFO level (Ramp has been seen to truncate that way, but a list
whose size is a multiple of 100 ends so too).
How a page becomes items is the caller's: `envelope` gives the raw JSON items,
`rampctl.ramp.model_pages.ModelPages` typed ones.
"""

from __future__ import annotations

import contextvars
import logging
import queue
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import urljoin, urlsplit

import httpx

from rampctl.errors import RampError
from rampctl.ramp.bodies import read_json

log = logging.getLogger(__name__)
PAGE_SIZE = 100
T = TypeVar("T")
PageReader = Callable[[httpx.Response], tuple[list[T], str | None]]
"""Turns one list page into its items and its `page.next` (None on the last page)."""


class Getter(Protocol):
    """What pagination needs from the requester."""

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        url: str | None = None,
    ) -> httpx.Response: ...


def read_pages(
    getter: Getter, path: str, params: Mapping[str, str], reader: PageReader[T]
) -> Iterator[list[T]]:
    """The items of the list at `path`, one page at a time, as `reader` makes them of each
    page (see the module docstring).

    From the second page on, pages are read ahead in a thread (`PagesAhead`): the next page
    is asked for as soon as a page is read, while the caller works on the page it has, so a
    long list is read at the pace of Ramp's answers alone.
    """
    response = getter.request("GET", path, params={"page_size": str(PAGE_SIZE), **params})
    data, next_url = reader(response)
    if not next_url:
        yield data
        _warn_if_full(data, response)
        return
    ahead = PagesAhead(getter, path, str(response.url), next_url, reader)
    try:
        yield data
        yield from ahead.pages()
    finally:
        ahead.stop()


class PagesAhead(Generic[T]):
    """The pages after the first of one list, read (and made items of, by `reader`) by a
    thread that follows `page.next` and keeps at most `AHEAD` pages waiting; `stop` ends it
    early (the caller gave up). The thread runs in a copy of the caller's context, so its
    requests keep the caller's priority class in the rate limiter."""

    AHEAD = 4
    _END = object()

    def __init__(
        self, getter: Getter, path: str, first_url: str, next_url: str, reader: PageReader[T]
    ) -> None:
        self._getter, self._path, self._reader = getter, path, reader
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=self.AHEAD)
        self._stopped = threading.Event()
        self._thread = threading.Thread(
            target=contextvars.copy_context().run,
            args=(self._read, first_url, next_url),
            name="ramp-pages",
            daemon=True,
        )
        self._thread.start()

    def pages(self) -> Iterator[list[T]]:
        """The pages in order, as the thread reads them; raises what reading raised."""
        while (item := self._queue.get()) is not self._END:
            if isinstance(item, BaseException):
                raise item
            yield item

    def stop(self) -> None:
        """Ask the thread to end (it finishes the request it is waiting for, if any)."""
        self._stopped.set()

    def _read(self, current: str, next_url: str | None) -> None:
        seen = {current}
        try:
            while next_url and not self._stopped.is_set():
                url = checked_next(next_url, current, seen)
                seen.add(url)
                response = self._getter.request("GET", self._path, url=url)
                data, next_url = self._reader(response)
                if not next_url:
                    _warn_if_full(data, response)
                self._put(data)
                current = str(response.url)
            self._put(self._END)
        except BaseException as exc:  # handed to the caller, in its thread
            self._put(exc)

    def _put(self, item: Any) -> None:
        while not self._stopped.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue


def envelope(response: httpx.Response) -> tuple[list[dict[str, Any]], str | None]:
    """The `data` items (raw JSON) and `page.next` of one list page."""
    body = read_json(response, "GET")
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise _page_error(response, "the list answer has no data array")
    return body["data"], next_link(body.get("page"), response)


def next_link(page: object, response: httpx.Response) -> str | None:
    """`page.next` of a page's `page` object; None when there is none (or it is empty)."""
    next_url = page.get("next") if isinstance(page, dict) else None
    if next_url is not None and not isinstance(next_url, str):
        raise _page_error(response, "page.next is not a string")
    return next_url or None


def checked_next(next_url: str, current: str, seen: set[str]) -> str:
    """`next_url` made absolute, if it stays on the current scheme, host and path."""
    absolute = urljoin(current, next_url)
    here, there = urlsplit(current), urlsplit(absolute)
    if (here.scheme, here.netloc, here.path) != (there.scheme, there.netloc, there.path):
        raise RampError(
            f"refusing to follow page.next to {there.scheme}://{there.netloc}{there.path}: "
            "it leaves the list being read",
            method="GET",
            path=here.path,
        )
    if absolute in seen:
        raise RampError(
            "page.next points back to a page already read", method="GET", path=here.path
        )
    return absolute


def _warn_if_full(data: list[Any], response: httpx.Response) -> None:
    # Logged at INFO: a list whose size is a multiple of 100 ends this way too, so it is
    # a hint for someone debugging a missing object (-v, --log-file), not a warning.
    if len(data) >= PAGE_SIZE:
        log.info(
            "suspicious: GET %s returned a full page of %d items with no next page; "
            "the list may be truncated [x-trace-id %s]",
            response.url.path,
            len(data),
            response.headers.get("x-trace-id", "-"),
        )


def _page_error(response: httpx.Response, message: str) -> RampError:
    return RampError(
        message,
        method="GET",
        path=response.url.path,
        status=response.status_code,
        trace_id=response.headers.get("x-trace-id"),
    )
