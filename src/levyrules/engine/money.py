"""Exact money (金額) and rates (税率), and the named rounding steps (端数処理).

Yen are ``int``; rates are :class:`fractions.Fraction` built from the text the
tariff author wrote ("6.68%", "0.0668", "1/2"). Nothing here ever goes through
a binary float.
"""

from __future__ import annotations

import re
from fractions import Fraction

_DECIMAL = re.compile(r"^\s*(\d+)(?:\.(\d+))?\s*(%?)\s*$")
_RATIO = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def parse_rate(text: object) -> Fraction:
    """Parse a rate written as "6.68%", "0.0668" or "1/2" into an exact Fraction.

    Raises ValueError with a short reason; the caller adds the field path.
    """
    if isinstance(text, bool) or not isinstance(text, (str, int)):
        raise ValueError(f"expected a rate such as \"6.68%\", got {type(text).__name__}")
    if isinstance(text, int):
        if text < 0:
            raise ValueError("a rate cannot be negative")
        return Fraction(text)
    m = _DECIMAL.match(text)
    if m:
        whole, frac, pct = m.groups()
        frac = frac or ""
        value = Fraction(int(whole + frac), 10 ** len(frac))
        return value / 100 if pct else value
    m = _RATIO.match(text)
    if m and int(m.group(2)) != 0:
        return Fraction(int(m.group(1)), int(m.group(2)))
    raise ValueError(f"{text!r} is not a rate (write e.g. \"6.68%\" or \"0.0668\")")


def format_rate(rate: Fraction) -> str:
    """Render a rate as the percent text a notice prints ("6.68%")."""
    pct = rate * 100
    if pct.denominator == 1:
        return f"{pct.numerator}%"
    # terminating decimals only ever come from decimal text; fall back to the fraction
    for digits in range(1, 9):
        scaled = pct * 10 ** digits
        if scaled.denominator == 1:
            s = str(scaled.numerator).rjust(digits + 1, "0")
            return f"{s[:-digits]}.{s[-digits:]}%"
    return f"{rate.numerator}/{rate.denominator}"


def floor_yen(value: Fraction | int) -> int:
    """1円未満切捨て: floor an exact amount to the yen."""
    if isinstance(value, int):
        return value
    return value.numerator // value.denominator


def floor_unit(amount: int, unit: int) -> int:
    """Floor a yen amount to a multiple of `unit` (100円未満切捨て = unit 100)."""
    return amount - amount % unit


def ceil_yen(value: Fraction | int) -> int:
    """1円未満切上げ (所得金額調整控除 rounds up)."""
    if isinstance(value, int):
        return value
    return -((-value.numerator) // value.denominator)
