"""List pages read into typed items: one pydantic pass over a page's bytes.

At 100,000 vendors, validating each page straight from its bytes costs about what parsing
its JSON alone did, where parsing it into Python objects and validating each item from those
cost about twice that. Only the keys of the JSON are cached as they are read (pydantic caches
every string by default): a page's values are mostly ids read once, and caching them cost
a third of the pass, for about 150 bytes more per vendor held.

The one pass is a fast path, never a second opinion. A page it refuses, or whose bytes may
hold `NaN`, `Infinity` or a number that overflows a float, is read again the item-by-item way
(`envelope`, then each item), which gives exactly the items, or raises exactly the error,
rampctl reports: the item's field path and message (never its value), the missing data
array, or the refused number.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from rampctl.ramp.bodies import may_hold_non_finite, validated
from rampctl.ramp.pagination import envelope, next_link

M = TypeVar("M", bound=BaseModel)


class _Page(BaseModel, Generic[M]):
    """A list page as the one pass reads it: the items typed, `page` as it came."""

    model_config = ConfigDict(extra="ignore", cache_strings="keys")
    data: list[M]
    page: Any = None


class ModelPages(Generic[M]):
    """Reads one list page into `model` items and its `page.next` (a `PageReader`); the items
    share their fields-set (`share_fields_sets`)."""

    def __init__(self, model: type[M]) -> None:
        self._model = model
        self._page = _Page[model]  # type: ignore[valid-type]  # (a class made per model)

    def __call__(self, response: httpx.Response) -> tuple[list[M], str | None]:
        content = response.content
        if not may_hold_non_finite(content):
            try:
                page = self._page.model_validate_json(content)
            except ValidationError:
                pass  # read again below, to raise what the item-by-item reading raises
            else:
                items: list[M] = page.data
                return share_fields_sets(items), next_link(page.page, response)
        data, next_url = envelope(response)
        model = self._model
        items = [
            validated(model, item, response, "GET", at=f"data.{n}") for n, item in enumerate(data)
        ]
        return share_fields_sets(items), next_url


#: One fields-set per (model, the fields Ramp returned): see `share_fields_sets`.
_FIELDS_SETS: dict[tuple[type[BaseModel], frozenset[str]], set[str]] = {}


def share_fields_sets(items: list[M]) -> list[M]:
    """`items` (of one model), each given the fields-set every item of that model with the
    same fields shares.

    pydantic keeps a set of the fields given for every model (about 700 bytes for a vendor,
    half of its size); the items of a long list all have the same. Sharing one is safe for
    a frozen model (nothing adds to its set; `model_copy` copies it first).
    """
    if not items or not type(items[0]).model_config.get("frozen"):
        return items
    shared: set[str] | None = None
    for item in items:
        names = item.__pydantic_fields_set__
        if names != shared:  # the same fields as the item before: the set it was given
            shared = _FIELDS_SETS.setdefault((type(item), frozenset(names)), names)
        object.__setattr__(item, "__pydantic_fields_set__", shared)
    return items
