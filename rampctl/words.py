"""Wording shared by every command's output: counts with the right plural."""

from __future__ import annotations


def plural(n: int, noun: str, many: str | None = None) -> str:
    """`noun` or its plural (`many`, else `noun` + "s") as `n` asks: the noun alone."""
    if n == 1:
        return noun
    if many is not None:
        return many
    return noun[:-1] + "ies" if noun.endswith("y") and noun[-2:-1] not in "aeiou" else noun + "s"


def count(n: int, noun: str, many: str | None = None) -> str:
    """`1 vendor`, `2 vendors`, `0 bills`: a number and its noun in the right form."""
    return f"{n} {plural(n, noun, many)}"
