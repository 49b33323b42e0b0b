"""Checked JSON fields: objects, amounts, dates and ids, with the documented limits.

Shared by the household reader (世帯情報) and the reader of an earlier assessment
(更正の基礎). Each check raises :class:`InputError` naming the field it was given and
never the value: not an amount, not a date, not an id, not an unknown key (that is
named by its position in the object). On the success path a check does no string
work; callers pass ready-made field names and add the path prefix only when an error
passes through them (``InputError.within``).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from ..errors import UNPRINTABLE, InputError

MAX_YEN = 10 ** 15 - 1          # any amount: under 1,000兆円
FIRST_YEAR, LAST_YEAR = 1850, 2200      # any date of a household or an assessment
MAX_PERSONS = 100               # persons per household
MAX_ITEMS = 100                 # periods per list, 世帯主変更, 分離課税 items
MAX_RELIEF = 20                 # 条例減免 entries per household

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PRINTABLE = re.compile(f"[^{UNPRINTABLE}]+")
# 12 digits, or 4-4-4 with one separator used twice (1234-5678-9018, 1234 5678 9018)
_TWELVE = re.compile(r"(?<![0-9])([0-9]{4})([-. _:/]?)([0-9]{4})\2([0-9]{4})(?![0-9])")

# what starts a formula in a spreadsheet cell (OWASP: CSV injection)
FORMULA_START = ("=", "+", "-", "@")
NOT_A_DATE = "not a valid date (YYYY-MM-DD)"
YEARS = f"must be a date between {FIRST_YEAR} and {LAST_YEAR}"


def looks_like_my_number(text: str) -> bool:
    """True when `text` holds 12 digits (also written 4-4-4 with a separator) whose last
    is a valid 個人番号 check digit
    (行政手続における特定の個人を識別するための番号の利用等に関する法律施行令8条)."""
    for groups in _TWELVE.findall(text):
        digits = [int(c) for c in groups[0] + groups[2] + groups[3]]
        body, check = digits[:11], digits[11]
        total = 0
        for n in range(1, 12):           # n counts from the right of the 11-digit body
            p = body[11 - n]
            q = n + 1 if n <= 6 else n - 5
            total += p * q
        r = total % 11
        if check == (0 if r <= 1 else 11 - r):
            return True
    return False


def obj(value: Any, allowed: frozenset, required: tuple = ()) -> dict:
    """`value` as an object with only `allowed` keys and every `required` one."""
    if type(value) is not dict:
        raise InputError("", "must be an object")
    if not allowed.issuperset(value):
        raise unknown_keys(value, allowed)
    for key in required:
        if key not in value:
            raise InputError(key, "is required")
    return value


def unknown_keys(value: dict, allowed: frozenset) -> InputError:
    """`unknown field (2 unknown keys: the 3rd and 5th)`: positions, never the text."""
    at = [n for n, key in enumerate(value, 1) if key not in allowed]
    where = ", ".join(ordinal(n) for n in at[:5]) + (" ..." if len(at) > 5 else "")
    noun = "key" if len(at) == 1 else "keys"
    return InputError("", f"unknown field ({len(at)} unknown {noun}: the {where} of the object)")


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def integer(value: Any, field: str) -> int:
    """A whole number of yen, 0 ≤ value ≤ MAX_YEN."""
    if type(value) is not int:
        raise InputError(field, f"must be a whole number of yen, not {kind(value)}")
    if value < 0:
        raise InputError(field, "must not be negative")
    if value > MAX_YEN:
        raise InputError(field, f"is larger than the limit ({MAX_YEN:,} yen)")
    return value


def boolean(value: Any, field: str) -> bool:
    if type(value) is not bool:
        raise InputError(field, f"must be true or false, not {kind(value)}")
    return value


def kind(value: Any) -> str:
    """What a JSON value is, for a message: 'a string', 'an integer' ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


def a_date(value: Any, field: str) -> date:
    """A date written YYYY-MM-DD (nothing else) between FIRST_YEAR and LAST_YEAR."""
    if type(value) is not str or _DATE.fullmatch(value) is None:
        raise InputError(field, NOT_A_DATE)
    try:
        d = date.fromisoformat(value)
    except ValueError:
        raise InputError(field, NOT_A_DATE) from None
    if not FIRST_YEAR <= d.year <= LAST_YEAR:
        raise InputError(field, YEARS)
    return d


def opt_date(value: Any, field: str) -> date | None:
    return None if value is None else a_date(value, field)


def opaque_id(value: Any, field: str) -> str:
    """An opaque id: 1–64 letters, digits and . _ : -, never a 個人番号."""
    if type(value) is not str:
        raise InputError(field, "must be a string id")
    # (12 digits need 12 characters: a shorter id cannot hold a 個人番号)
    if 12 <= len(value) <= 80 and looks_like_my_number(value):
        raise InputError(field, "looks like a 個人番号 (12 digits with a valid check digit); "
                                "use an opaque id")
    if _ID.fullmatch(value) is None:
        raise InputError(field, "must be an opaque id of letters, digits and . _ : - "
                                "(at most 64 characters)")
    return value


def text(value: Any, field: str, limit: int) -> str:
    """Printable text (no control, bidi or surrogate character) of 1 to `limit` characters."""
    if type(value) is not str or len(value) > limit or _PRINTABLE.fullmatch(value) is None:
        raise InputError(field, f"must be printable text of at most {limit} characters")
    if value.startswith(FORMULA_START):     # it reaches CSV files a city opens in Excel
        raise InputError(field, "must not start with = + - or @ (a spreadsheet would read "
                                "it as a formula)")
    return value


def is_opaque_id(value: Any) -> bool:
    """True when `value` would be read as an id (opaque_id) without an error."""
    return type(value) is str and _ID.fullmatch(value) is not None and \
        not looks_like_my_number(value)


def bounded_list(value: Any, field: str, limit: int, noun: str) -> list:
    """A JSON list of at most `limit` items (the documented limit for `noun`)."""
    if type(value) is not list:
        raise InputError(field, f"must be a list of {noun}")
    if len(value) > limit:
        raise InputError(field, f"has more than {limit} {noun} (the limit)")
    return value
