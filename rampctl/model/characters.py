"""Characters a name or text field may not hold, and names that mix scripts.

Control characters (NUL, escapes), bidirectional overrides (U+202E), zero-width and other
invisible formatting characters make a name print differently from what it is: they are
refused. Letters from two scripts in one name (a Cyrillic "A", U+0410, among Latin letters)
are legal but look like another name: the plan warns about them.
"""

from __future__ import annotations

import unicodedata

#: Categories refused: controls, invisible formatting (bidi, zero-width), private use,
#: surrogates, unassigned code points, line and paragraph separators.
_REFUSED = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})


def forbidden_character(text: str, *, multiline: bool = False) -> str | None:
    """A description of the first character `text` may not hold, or None.

    With `multiline`, newlines and tabs are allowed (memos, descriptions).
    """
    for index, char in enumerate(text):
        if multiline and char in "\n\t":
            continue
        if unicodedata.category(char) in _REFUSED:
            name = unicodedata.name(char, "a control character")
            return f"U+{ord(char):04X} ({name}) at character {index + 1}"
    return None


def _script(char: str) -> str:
    return unicodedata.name(char, "UNKNOWN").split(" ")[0]


def scripts(text: str) -> dict[str, int]:
    """How many letters of each script (LATIN, CYRILLIC, GREEK, ...) `text` holds."""
    counts: dict[str, int] = {}
    for char in text:
        if char.isalpha():
            counts[_script(char)] = counts.get(_script(char), 0) + 1
    return counts


def mixed_script_note(text: str) -> str | None:
    """Why `text` may be a look-alike: its first letter of a minority script, or None."""
    counts = scripts(text)
    if len(counts) < 2:
        return None
    ranked = sorted(counts, key=lambda s: (-counts[s], s))
    odd = ranked[-1]
    index, char = next((i, c) for i, c in enumerate(text) if c.isalpha() and _script(c) == odd)
    return (
        f"{text!r} mixes {' and '.join(s.title() for s in ranked)} letters "
        f"(U+{ord(char):04X} {unicodedata.name(char, '?')} at character {index + 1}); it may "
        "be a look-alike of another name"
    )
