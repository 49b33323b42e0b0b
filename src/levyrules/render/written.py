"""Rates as the 条例 writes them (税率の表記): `show` prints 7.20% as 7.20%, not 7.2%.

The engine computes with the exact Fraction (money.parse_rate); a published table keeps
the digits the author wrote. A decimal written as a fraction of one ("0.0720") is shown
as a percent with the same digits ("7.20%").
"""

from __future__ import annotations

import re

from ..engine.money import format_rate, parse_rate

_DECIMAL = re.compile(r"^\s*(\d+)(?:\.(\d+))?\s*$")


def rate_as_written(value: object) -> str:
    """'7.20%' → '7.20%'; '0.0720' → '7.20%'; 7 or '1/2' → the engine's percent text."""
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("%"):
            parse_rate(text)                      # the same errors as the engine
            return text[:-1].strip() + "%"
        m = _DECIMAL.match(text)
        if m and m.group(2) and len(m.group(2)) > 2:
            digits = len(m.group(2)) - 2
            return _percent(parse_rate(text), digits)
    return format_rate(parse_rate(value))


def _percent(rate, digits: int) -> str:
    scaled = rate * 100 * 10 ** digits            # exact: a decimal text has no remainder
    n = scaled.numerator // scaled.denominator
    s = str(n).rjust(digits + 1, "0")
    return f"{s[:-digits]}.{s[-digits:]}%" if digits else f"{s}%"
