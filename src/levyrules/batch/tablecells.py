"""Cells of the flat tables (population/layout.py) read as whole columns, with the
strictness of :func:`levyrules.population.layout.cell` and of the household reader
(levyrules.engine.fields): whole yen written with digits only (or an integer Parquet column),
0 ≤ amount < 10^15; ``true``/``false`` (or ``1``/``0``); dates ``YYYY-MM-DD`` between 1850
and 2200; opaque ids.

Each conversion returns the values and a ``bad`` mask: True where the household reader
would refuse the cell. A mask may be True for a cell the household reader accepts (an id
with twelve digits that is not a 個人番号): a household with a bad cell is read again by
the household reader, which decides and words the error, so the mask must never miss a
bad cell but may be cautious. No message is built here.
"""

from __future__ import annotations

from datetime import date

from ..engine.fields import FIRST_YEAR, LAST_YEAR, MAX_YEN
from .population import NONE

DIGITS = r"^[0-9]{1,15}$"
ID = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"
MAYBE_MY_NUMBER = r"[0-9]{4}[-. _:/]?[0-9]{4}[-. _:/]?[0-9]{4}"   # fields.looks_like_my_number
TRUE = ("true", "1", "TRUE", "True")
FALSE = ("false", "0", "FALSE", "False")


_LIBS: list = []


def _libs():
    """(numpy, pyarrow, pyarrow.compute), imported on first use. (Each of these tables
    made at first use is put in place whole, by one slice assignment: another thread of
    a threaded host sees it empty or whole, never half made nor made twice over.)"""
    if not _LIBS:
        from ..population.extras import need
        _LIBS[:] = [need(m, "batch", "the columnar reader")
                    for m in ("numpy", "pyarrow", "pyarrow.compute")]
    return _LIBS


def is_text(arr) -> bool:
    _, pa, _ = _libs()
    return pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)


def present(arr, n: int):
    """True where the cell holds a value (not null, not empty text)."""
    np, pa, _ = _libs()
    if arr is None or pa.types.is_null(arr.type) or arr.null_count == n:
        return np.zeros(n, bool)
    ok = valid(arr, n)
    if is_text(arr):
        ok &= np.diff(_offsets(arr, n)) > 0
    return ok


def valid(arr, n: int):
    """True where the cell is not null (from the validity bitmap, without a copy of it)."""
    np = _libs()[0]
    if arr.null_count == 0:
        return np.ones(n, bool)
    bits = np.unpackbits(np.frombuffer(arr.buffers()[0], np.uint8), bitorder="little")
    return bits[arr.offset:arr.offset + n].view(bool)


def _offsets(arr, n: int):
    """The n+1 offsets of a text array into its data buffer."""
    np, pa, _ = _libs()
    width = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    return np.frombuffer(arr.buffers()[1], width)[arr.offset:arr.offset + n + 1]


def _values(arr, n: int):
    """The values of an integer, boolean or date32 array as numpy (null slots: any
    value)."""
    np, pa, _ = _libs()
    if pa.types.is_boolean(arr.type):
        bits = np.unpackbits(np.frombuffer(arr.buffers()[1], np.uint8), bitorder="little")
        return bits[arr.offset:arr.offset + n].view(bool)
    dtype = np.int32 if pa.types.is_date32(arr.type) else np.dtype(str(arr.type))
    return np.frombuffer(arr.buffers()[1], dtype)[arr.offset:arr.offset + n]


def flags(arr, n: int):
    """A boolean array as numpy, False where null (what ``to_numpy(zero_copy_only=False)``
    gives where there is no null), from its bits."""
    values = _values(arr, n)
    return values if arr.null_count == 0 else values & valid(arr, n)


def words(keys, n: int):
    """The keys as two unsigned integers each that compare as their bytes do — the first
    eight bytes and the last eight, read big-endian where they are — when every key has
    the same number of bytes, 8 to 16 (ids such as B-0000001), with that number; else
    None."""
    np = _libs()[0]
    if not n:
        return None
    offsets = _offsets(keys, n)
    width = int(offsets[1] - offsets[0])
    if not 8 <= width <= 16 or (offsets[1:] - offsets[:-1] != width).any():
        return None
    data, at = keys.buffers()[2], int(offsets[0])
    return tuple(np.ndarray((n,), ">u8", buffer=data, offset=at + skip, strides=(width,))
                 .astype(np.uint64) for skip in (0, width - 8)) + (width,)


def adjacent(words) -> tuple:
    """(below, equal to) the key before it, for each key but the first, of keys as
    :func:`words`."""
    hi, lo, _ = words
    up = slice(1, None)
    same_hi = hi[up] == hi[:-1]
    return (hi[up] < hi[:-1]) | (same_hi & (lo[up] < lo[:-1])), same_hi & (lo[up] == lo[:-1])


def mark_runs(keys, first):
    """Marks in `first`[1:] each key that differs from the one before it; → the first row
    whose key is below the one before it (None: none)."""
    np, pa, pc = _libs()
    n = len(keys)
    w = words(keys, n)
    if w is not None:                   # (every row compared: cheaper than gathering)
        down, same = adjacent(w)
        first[1:] = ~same
        return int(np.argmax(down)) + 1 if down.any() else None
    first[1:] = flags(pc.not_equal(keys.slice(1), keys.slice(0, n - 1)), n - 1)
    starts = np.flatnonzero(first[1:]) + 1     # below the one before: a run's first row
    if not len(starts):
        return None
    runs = keys.take(pa.array(np.append(starts[0] - 1, starts)))
    down = flags(pc.less(runs.slice(1), runs.slice(0, len(starts))), len(starts))
    return int(starts[np.argmax(down)]) if down.any() else None


def codes(arr, n: int):
    """An integer array (indices: index_in, dictionary_encode) as int64, -1 where null."""
    np = _libs()[0]
    values = _values(arr, n).astype(np.int64)
    return values if arr.null_count == 0 else np.where(valid(arr, n), values, -1)


def matches(arr, pattern: str, n: int):
    """True where the text cell matches `pattern` (RE2); False where empty or null."""
    np, pa, pc = _libs()
    if arr is None or pa.types.is_null(arr.type):
        return np.zeros(n, bool)
    found = pc.match_substring_regex(arr, pattern)
    return _values(found, n) & valid(found, n)


def ints(arr, n: int, empty: int = NONE):
    """(int64 values, `empty` where empty; bad) of a money or count column."""
    np, pa, pc = _libs()
    if arr is None or pa.types.is_null(arr.type) or arr.null_count == n:
        return np.full(n, empty, np.int64), np.zeros(n, bool)
    if is_text(arr):
        return _digits(arr, n, empty)
    values = _values(arr, n)            # an integer column (checked by open_parquet)
    if arr.null_count > n // 4:         # mostly empty: only the cells with a value
        at = np.flatnonzero(valid(arr, n))
        out, bad = np.full(n, empty, np.int64), np.zeros(n, bool)
        out[at] = values[at]
        bad[at] = out[at].view(np.uint64) > MAX_YEN      # negative: over
        return out, bad
    values = values.astype(np.int64, copy=False)
    over = values.view(np.uint64) > MAX_YEN
    has = valid(arr, n)
    bad = over & has if over.any() else np.zeros(n, bool)
    return values.copy() if arr.null_count == 0 else np.where(has, values, empty), bad


def _digits(arr, n: int, empty: int):
    """ints of a text column: the cells written as DIGITS (1 to 15 digits 0-9, what
    ``matches(arr, DIGITS, n)`` finds) read from their bytes, the others 0 and bad."""
    np = _libs()[0]
    at = np.flatnonzero(present(arr, n))
    out, bad = np.full(n, empty, np.int64), np.zeros(n, bool)
    if not len(at):
        return out, bad
    offsets = _offsets(arr, n)
    start = offsets[:-1][at].astype(np.int64)
    length = offsets[1:][at] - start
    width = min(int(length.max()), 16)              # (16: too long, whatever the bytes)
    data = np.frombuffer(arr.buffers()[2], np.uint8)
    j = np.arange(width)
    inside = j < length[:, None]
    digit = data[np.minimum(start[:, None] + j, len(data) - 1)].astype(np.int64) - 48
    ok = (length <= 15) & ((digit >= 0) & (digit <= 9) | ~inside).all(1)
    power = np.where(inside, 10 ** np.clip(length[:, None] - 1 - j, 0, 15), 0)
    out[at] = np.where(ok, (np.where(inside, digit, 0) * power).sum(1), 0)
    bad[at[~ok]] = True
    return out, bad


def bools(arr, n: int, default: bool):
    """(bool values, `default` where empty; bad)."""
    np, pa, pc = _libs()
    has = present(arr, n)
    if not has.any():
        return np.full(n, default, bool), np.zeros(n, bool)
    if is_text(arr):                    # the cells with a value only
        at = np.flatnonzero(has)
        given = arr.take(pa.array(at))
        yes = pc.is_in(given, pa.array(TRUE)).to_numpy(zero_copy_only=False)
        no = pc.is_in(given, pa.array(FALSE)).to_numpy(zero_copy_only=False)
        out, bad = np.full(n, default, bool), np.zeros(n, bool)
        out[at], bad[at] = yes, ~(yes | no)
        return out, bad
    return np.where(has, _values(arr, n), default), np.zeros(n, bool)


def dates(arr, n: int):
    """(proleptic ordinals, NONE where empty; bad) of a date column (text YYYY-MM-DD, or
    a Parquet DATE column)."""
    np = _libs()[0]
    has = present(arr, n)
    if not has.any():
        return np.full(n, NONE, np.int64), np.zeros(n, bool)
    if _libs()[1].types.is_date32(arr.type):   # a Parquet DATE column: days from 1970
        at = None if arr.null_count <= n // 4 else np.flatnonzero(has)     # (mostly empty)
        days = _values(arr, n) if at is None else _values(arr, n)[at]
        days = days.astype(np.int64) + ORDINAL_1970
        good = (days >= FIRST_DAY) & (days <= LAST_DAY)
        if at is None:
            return np.where(good & has, days, NONE), has & ~good
        out, bad = np.full(n, NONE, np.int64), np.zeros(n, bool)
        out[at[good]], bad[at[~good]] = days[good], True
        return out, bad
    if not is_text(arr):                    # not a text column: the household reader decides
        return np.full(n, NONE, np.int64), has
    offsets = _offsets(arr, n)
    data = np.frombuffer(arr.buffers()[2], np.uint8)
    if has.all() and offsets[-1] - offsets[0] == 10 * n:     # every cell 10 characters
        rows = None
        d = data[offsets[0]:offsets[0] + 10 * n].reshape(n, 10)
    else:
        rows = np.flatnonzero(has & (offsets[1:] - offsets[:-1] == 10))
        if not len(rows):
            return np.full(n, NONE, np.int64), has
        d = data[offsets[rows][:, None] + np.arange(10)]
    values, good = _ordinals(np, d)
    if rows is not None:
        out, ok = np.full(n, NONE, np.int64), np.zeros(n, bool)
        out[rows], ok[rows] = values, good
        values, good = out, ok
    return values, has & ~good


def _ordinals(np, d):
    """(date.toordinal(), NONE where not a date; good) of rows of ten characters
    YYYY-MM-DD (uint8) between FIRST_YEAR and LAST_YEAR: by tables of the calendar."""
    year_start, leap, before, length = _calendar()
    d = d - np.uint8(48)                    # digits 0..9; '-' wraps to 253
    shaped = (d[:, 4] == 253) & (d[:, 7] == 253) & (d[:, [0, 1, 2, 3, 5, 6, 8, 9]] <= 9).all(1)
    d = d.astype(np.int16)
    y = d[:, 0] * 1000 + d[:, 1] * 100 + d[:, 2] * 10 + d[:, 3] - FIRST_YEAR
    m = d[:, 5] * 10 + d[:, 6]
    day = d[:, 8] * 10 + d[:, 9]
    in_range = (y >= 0) & (y < len(year_start)) & (m >= 1) & (m <= 12)
    y, m = np.where(in_range, y, 0), np.where(in_range, m, 0)
    month = leap[y] * 13 + m
    good = shaped & in_range & (day >= 1) & (day <= length[month])
    return np.where(good, year_start[y] + before[month] + day - 1, NONE), good


_CALENDAR: list = []
FIRST_DAY, LAST_DAY = date(FIRST_YEAR, 1, 1).toordinal(), date(LAST_YEAR, 12, 31).toordinal()
ORDINAL_1970 = date(1970, 1, 1).toordinal()


def _calendar():
    """(ordinal of 1 January of each year from FIRST_YEAR to LAST_YEAR, 1 where it is a
    leap year, days before month m of a (leap * 13 + m), days in it), made once."""
    if not _CALENDAR:
        import calendar
        np = _libs()[0]
        years = range(FIRST_YEAR, LAST_YEAR + 1)
        before, length = [], []
        for leap in (2025, 2024):           # a common year, a leap year
            days = [0] + [calendar.monthrange(leap, m)[1] for m in range(1, 13)]
            length += days
            before += [sum(days[1:m]) for m in range(13)]
        _CALENDAR[:] = (np.array([date(y, 1, 1).toordinal() for y in years], np.int64),
                        np.array([calendar.isleap(y) for y in years], np.int64),
                        np.array(before, np.int64), np.array(length, np.int16))
    return _CALENDAR


def bad_ids(arr, n: int, required: bool = True):
    """True where an id cell is not an opaque id (or might be a 個人番号: twelve digits,
    looked for only in ids of twelve characters or more), or is empty when `required`."""
    np, pa, pc = _libs()
    has = present(arr, n)
    ok = opaque(arr, n) if has.any() and is_text(arr) else np.zeros(n, bool)
    if has.any():                       # (the length of a text cell: from its offsets)
        length = np.diff(_offsets(arr, n)) if is_text(arr) else pc.fill_null(
            pc.binary_length(arr), 0).to_numpy(zero_copy_only=False)
        long = np.flatnonzero(has & (length >= 12))
        if len(long):
            ok[long] &= ~matches(arr.take(pa.array(long)), MAYBE_MY_NUMBER, len(long))
    return (has & ~ok) | (~has if required else False)


def opaque(arr, n: int):
    """True where a text cell is written as ID asks (1–64 of A-Za-z0-9 . _ : -, the first
    a letter or digit), checked on its bytes: what ``matches(arr, ID, n)`` gives, faster."""
    np = _libs()[0]
    allowed, first = _id_bytes()
    offsets = _offsets(arr, n)
    lo, hi = int(offsets[0]), int(offsets[-1])
    if hi == lo:
        return np.zeros(n, bool)
    data = np.frombuffer(arr.buffers()[2], np.uint8)
    length = offsets[1:] - offsets[:-1]
    ok = (length >= 1) & (length <= 64)
    good = allowed[data[lo:hi]]
    if not good.all():                  # the cells with a byte not allowed: by counting them
        wrong = np.zeros(hi - lo + 1, np.int32)
        np.cumsum(~good, out=wrong[1:])
        ok &= wrong[offsets[1:] - lo] == wrong[offsets[:-1] - lo]
    return ok & first[data[np.minimum(offsets[:-1], hi - 1)]] & valid(arr, n)


_ID_BYTES: list = []


def _id_bytes():
    """(bytes allowed in an id, bytes allowed first), as tables of 256."""
    if not _ID_BYTES:
        np = _libs()[0]
        alnum = np.zeros(256, bool)
        for a, b in (("0", "9"), ("A", "Z"), ("a", "z")):
            alnum[ord(a):ord(b) + 1] = True
        allowed = alnum.copy()
        allowed[[ord(c) for c in "._:-"]] = True
        _ID_BYTES[:] = (allowed, alnum)
    return _ID_BYTES
