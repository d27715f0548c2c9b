"""Reading whole lists: page size, filters kept, next-link checks, truncation warning."""

from __future__ import annotations

import logging

import httpx
import pytest

from rampctl.errors import RampError
from rampctl.ramp.client import RampClient
from rampctl.ramp.limiter import Priority, priority
from rampctl.ramp.pagination import PagesAhead, envelope, read_pages
from rampctl.ramp.scopes import READ_SCOPES
from tests.ramp.fake_ramp import API, FakeRamp, RecordingLimiter, config, vendor


def make(fake: FakeRamp) -> RampClient:
    return RampClient(config(), scopes=READ_SCOPES, transport=fake.transport())


def test_reads_every_page_with_page_size_100_and_keeps_filters() -> None:
    fake = FakeRamp(lists={"/vendors": [vendor(n) for n in range(250)]})
    with make(fake) as client:
        vendors = client.list_vendors(is_active=True, external_vendor_id="acme")
    assert [v.id for v in vendors] == [vendor(n)["id"] for n in range(250)]
    pages = fake.sent("GET", "/vendors")
    assert len(pages) == 3
    for page in pages:
        assert page.url.params["page_size"] == "100"
        assert page.url.params["is_active"] == "true"
        assert page.url.params["external_vendor_id"] == "acme"
    assert "start" not in pages[0].url.params
    assert pages[1].url.params["start"] == vendor(99)["id"]


def _page(items: list[dict[str, object]], next_url: str | None) -> httpx.Response:
    return httpx.Response(200, json={"data": items, "page": {"next": next_url}})


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/developer/v1/vendors?start=x",
        "http://127.0.0.1:9/developer/v1/users?start=x",
        "http://127.0.0.1:10/developer/v1/vendors?start=x",
    ],
)
def test_next_leaving_host_or_path_is_refused(next_url: str) -> None:
    fake = FakeRamp()
    fake.script("GET", "/vendors", _page([vendor(1)], next_url))
    with make(fake) as client, pytest.raises(RampError, match=r"refusing to follow page\.next"):
        client.list_vendors()
    assert len(fake.requests) == 2  # the token and the first page only


def test_relative_next_on_the_same_path_is_followed() -> None:
    fake = FakeRamp()
    fake.script(
        "GET",
        "/vendors",
        _page([vendor(1)], "/developer/v1/vendors?start=a"),
        _page([vendor(2)], None),
    )
    with make(fake) as client:
        assert len(client.list_vendors()) == 2
    assert str(fake.sent("GET", "/vendors")[1].url) == API + "/vendors?start=a"


def test_next_pointing_back_is_an_error() -> None:
    fake = FakeRamp()
    loop = API + "/vendors?start=a"
    fake.script("GET", "/vendors", _page([vendor(1)], loop), _page([vendor(2)], loop))
    with make(fake) as client, pytest.raises(RampError, match="already read"):
        client.list_vendors()


def test_full_last_page_is_logged_as_suspicious(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeRamp()
    fake.script("GET", "/vendors", _page([vendor(n) for n in range(100)], None))
    caplog.set_level(logging.INFO, logger="rampctl")
    with make(fake) as client:
        assert len(client.list_vendors()) == 100
    assert "suspicious" in caplog.text


def test_short_last_page_is_not_suspicious(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeRamp(lists={"/vendors": [vendor(n) for n in range(150)]})
    caplog.set_level(logging.INFO, logger="rampctl")
    with make(fake) as client:
        client.list_vendors()
    assert "suspicious" not in caplog.text


def test_answer_without_data_is_an_error() -> None:
    fake = FakeRamp()
    fake.script("GET", "/users", httpx.Response(200, json={"items": []}))
    with make(fake) as client, pytest.raises(RampError, match="no data array"):
        client.list_users()


def test_read_pages_reads_ahead_at_most_a_few_pages_of_what_is_taken() -> None:
    fake = FakeRamp(lists={"/vendors": [vendor(n) for n in range(1000)]})
    taken: list[int] = []  # how many pages the caller had taken when each page was asked for
    handle = fake.handle

    def counting(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/vendors"):
            taken.append(len(sizes))
        return handle(request)

    fake.handle = counting  # type: ignore[method-assign]
    sizes: list[int] = []
    with make(fake) as client:
        for page in read_pages(client._requester, "/vendors", {}, envelope):
            sizes.append(len(page))
    assert sizes == [100] * 10
    assert len(taken) == 10
    # a list is never held whole: page k is asked for once the caller took page k-AHEAD-1
    assert all(seen >= k - PagesAhead.AHEAD - 1 for k, seen in enumerate(taken))


def test_a_caller_that_stops_early_stops_the_reading_ahead() -> None:
    fake = FakeRamp(lists={"/vendors": [vendor(n) for n in range(3000)]})
    with make(fake) as client:
        pages = read_pages(client._requester, "/vendors", {}, envelope)
        next(pages)
        pages.close()
    assert len(fake.sent("GET", "/vendors")) <= 1 + PagesAhead.AHEAD + 2


def test_pages_read_ahead_keep_the_callers_priority_class() -> None:
    """The thread reading pages ahead sends them in the class of the caller (a background
    list stays paced; the critical walk keeps its place)."""
    fake = FakeRamp(lists={"/vendors": [vendor(n) for n in range(250)]})
    limiter = RecordingLimiter()
    with (
        RampClient(
            config(), scopes=READ_SCOPES, transport=fake.transport(), limiter=limiter
        ) as client,
        priority(Priority.BACKGROUND),
    ):
        assert len(client.list_vendors()) == 250
    assert limiter.levels == [Priority.CRITICAL] + [Priority.BACKGROUND] * 3  # the token, 3 pages
