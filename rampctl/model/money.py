"""Money as Ramp counts it: ISO 4217 currencies, their minor digits, and exact conversions.

Amounts are `decimal.Decimal` in major units on the manifest side and integers in minor
units on Ramp's side (`CurrencyAmount`); floats never appear.
"""

from __future__ import annotations

from decimal import Decimal


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: The invoice currencies Ramp's bill create accepts (`ApiCreateBillParamsRequestBody`).
CURRENCIES = _codes(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD
    BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD
    EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD
    IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA
    MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP
    PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP
    SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST
    XAD XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWG
    ZWL"""
)
#: No minor unit (ISO 4217 exponent 0, and the metals and funds codes without one).
_ZERO = _codes(
    """BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF
    XAG XAU XBA XBB XBC XBD XDR XPD XPT XSU XTS XUA XXX"""
)
_THREE = _codes("BHD IQD JOD KWD LYD OMR TND")
_FOUR = frozenset({"CLF", "UYW"})


def minor_digits(currency: str) -> int:
    """Digits after the decimal point in `currency` (USD 2, JPY 0, KWD 3, CLF 4)."""
    if currency in _ZERO:
        return 0
    if currency in _THREE:
        return 3
    if currency in _FOUR:
        return 4
    return 2


def fits(amount: Decimal, currency: str) -> bool:
    """Whether `amount` is written with no more decimal places than `currency` has."""
    exponent = amount.as_tuple().exponent
    return isinstance(exponent, int) and -exponent <= minor_digits(currency)


def to_minor(amount: Decimal, currency: str) -> int:
    """A major-unit amount as an integer of minor units (exact; the amount must fit)."""
    return int(amount.scaleb(minor_digits(currency)).to_integral_value())


def from_minor(amount: int, currency: str) -> Decimal:
    """An integer of minor units as a major-unit Decimal with the currency's digits."""
    return Decimal(amount).scaleb(-minor_digits(currency)).quantize(_unit(currency))


def text(amount: Decimal, currency: str) -> str:
    """The canonical text of an amount: the currency's digits, no grouping (`1200.50`)."""
    return str(amount.quantize(_unit(currency)))


def minor_text(amount: int, currency: str) -> str:
    """The canonical text of a minor-unit amount."""
    return str(from_minor(amount, currency))


def _unit(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_digits(currency))
