"""Manifest names for imported objects: stable slugs, with collisions numbered deterministically."""

from __future__ import annotations

from collections.abc import Iterable

from slugify import slugify

from rampctl.manifest.specs import SLUG_MAX, SLUG_RE

FALLBACK = "vendor"
"""The name given when nothing of a vendor's name survives slugging (e.g. only punctuation)."""


def slug(text: str | None, *, fallback: str = FALLBACK) -> str:
    """A metadata name for `text`: lower-case ASCII letters, digits and '-', at most 63 chars."""
    made = slugify(text or "", max_length=SLUG_MAX, word_boundary=False, lowercase=True)
    made = made.strip("-")
    return made if made and is_slug(made) else fallback


def is_slug(text: str) -> bool:
    """Whether `text` is already a valid metadata name."""
    return len(text) <= SLUG_MAX and SLUG_RE.fullmatch(text) is not None


def numbered(base: str, number: int) -> str:
    """`base-N`, shortening `base` so the result stays within 63 characters."""
    if number < 2:
        return base
    suffix = f"-{number}"
    return base[: SLUG_MAX - len(suffix)].rstrip("-") + suffix


class NameAllocator:
    """Hands out names that are unique and avoid every reserved name.

    Callers ask in a deterministic order (e.g. by creation time then id), so the
    same business always gets the same names: the first `acme`, then `acme-2`, ...
    """

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self._taken: set[str] = set(reserved)

    def is_free(self, name: str) -> bool:
        """Whether `name` is neither reserved nor handed out."""
        return name not in self._taken

    def take(self, base: str, *, also_free: Iterable[str] = ()) -> str:
        """The first of `base`, `base-2`, `base-3`, ... that is free (and not in `also_free`)."""
        blocked = set(also_free)
        number = 1
        while True:
            name = numbered(base, number)
            if name not in self._taken and name not in blocked:
                self._taken.add(name)
                return name
            number += 1
