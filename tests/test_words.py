"""One wording helper: counts with the right plural."""

from __future__ import annotations

from rampctl.words import count, plural


def test_counts_agree_with_their_nouns() -> None:
    assert count(1, "vendor") == "1 vendor"
    assert count(0, "vendor") == "0 vendors"
    assert count(2, "write") == "2 writes"
    assert count(1, "accounting vendor") == "1 accounting vendor"
    assert count(3, "entry") == "3 entries"
    assert count(2, "key") == "2 keys"
    assert count(2, "child", "children") == "2 children"
    assert plural(1, "object") == "object" and plural(5, "object") == "objects"
