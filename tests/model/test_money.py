"""Exact money: amounts in minor units of their currency, canonical text."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rampctl.model import money


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [("1200.50", "USD", 120050), ("5000", "JPY", 5000), ("1.234", "KWD", 1234), ("0.1", "EUR", 10)],
)
def test_minor_units_are_exact(amount: str, currency: str, minor: int) -> None:
    assert money.to_minor(Decimal(amount), currency) == minor
    assert money.from_minor(minor, currency) == Decimal(amount)
    assert money.fits(Decimal(amount), currency)


def test_more_digits_than_the_currency_has_do_not_fit() -> None:
    assert not money.fits(Decimal("1.5"), "JPY")
    assert not money.fits(Decimal("0.001"), "USD")
    assert money.minor_text(5, "USD") == "0.05"
