"""Metadata names: slugs of vendor names, and deterministic numbering of collisions."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rampctl.importer.slugs import NameAllocator, is_slug, numbered, slug


def test_slug_lowercases_and_transliterates() -> None:
    assert slug("Acme Cloud Inc.") == "acme-cloud-inc"
    assert slug("Müller & Söhne GmbH") == "muller-sohne-gmbh"
    assert slug("  O'Brien -- Partners  ") == "o-brien-partners"


def test_slug_of_nothing_usable_is_the_fallback() -> None:
    assert slug("!!!") == "vendor"
    assert slug(None, fallback="accounting-vendor") == "accounting-vendor"


def test_slug_is_at_most_63_characters_and_does_not_end_with_a_dash() -> None:
    made = slug("word " * 40)
    assert len(made) <= 63 and not made.endswith("-")


@given(st.text(max_size=120))
def test_every_slug_is_a_valid_metadata_name(text: str) -> None:
    assert is_slug(slug(text))


def test_numbered_keeps_within_the_limit() -> None:
    base = "a" * 63
    assert numbered(base, 1) == base
    assert numbered(base, 12) == "a" * 60 + "-12"
    assert numbered("acme-", 2) == "acme-2"


def test_allocator_numbers_collisions_in_asking_order_and_avoids_reserved() -> None:
    names = NameAllocator(["acme"])
    assert [names.take("acme"), names.take("acme"), names.take("globex")] == [
        "acme-2",
        "acme-3",
        "globex",
    ]
    assert names.take("initech", also_free=["initech", "initech-2"]) == "initech-3"
    assert not names.is_free("initech-3")
