"""Refused characters and mixed-script names."""

from __future__ import annotations

import pytest

from rampctl.model.characters import forbidden_character, mixed_script_note


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Evil\u202eCorp", "U+202E (RIGHT-TO-LEFT OVERRIDE) at character 5"),
        ("a\u200bb", "U+200B (ZERO WIDTH SPACE) at character 2"),
        ("nul\0", "U+0000 (a control character) at character 4"),
        ("esc\x1b[31m", "U+001B (a control character) at character 4"),
        ("\u2066isolate", "U+2066 (LEFT-TO-RIGHT ISOLATE) at character 1"),
        ("line\u2028break", "U+2028 (LINE SEPARATOR) at character 5"),
    ],
)
def test_refused_characters_are_named_with_their_place(text: str, found: str) -> None:
    assert forbidden_character(text) == found


def test_newlines_and_tabs_only_in_multiline_text() -> None:
    assert forbidden_character("two\nlines\tok", multiline=True) is None
    assert forbidden_character("two\nlines") == "U+000A (a control character) at character 4"
    assert forbidden_character("Café Zürich \u2013 Ōsaka 東京") is None


def test_mixed_scripts_point_at_the_odd_letter() -> None:
    note = mixed_script_note("P\u0430yPal")
    assert note is not None
    assert (
        "mixes Latin and Cyrillic letters (U+0430 CYRILLIC SMALL LETTER A at character 2)" in note
    )
    assert mixed_script_note("Acme Cloud") is None
    assert mixed_script_note("Ελληνικά") is None
