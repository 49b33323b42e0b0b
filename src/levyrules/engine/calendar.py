"""Fiscal-year months (年度の月) and the age rules (年齢到達) of the levy.

A fiscal year N (年度) runs April N .. March N+1; its months are indexed 0..11
and a set of months is a 12-bit mask (bit 0 = April). A person counts for a
month when the condition holds on the month's last day (月末在籍), which gives
the statutory 月割: from the month of 資格取得日 to the month before 資格喪失日.
"""

from __future__ import annotations

from datetime import date, timedelta

FULL_YEAR = 0xFFF
# the number of months in a 12-bit month mask (bit 0 = April)
MONTH_COUNT = tuple(bin(i).count("1") for i in range(4096))
_DAY = timedelta(days=1)


def month_key(d: date) -> int:
    """A running month number, so that month arithmetic is integer arithmetic."""
    return d.year * 12 + d.month - 1


def fy_first_key(fy: int) -> int:
    """month_key of April of fiscal year `fy`."""
    return fy * 12 + 3


def fy_month(fy: int, index: int) -> tuple[int, int]:
    """(year, month) of month `index` (0 = April) of fiscal year `fy`."""
    k = fy_first_key(fy) + index
    return k // 12, k % 12 + 1


def key_range_mask(fy: int, start_key: int | None, end_key: int | None) -> int:
    """Mask of the FY months with start_key <= key < end_key (None = unbounded)."""
    k0 = fy * 12 + 3                                  # fy_first_key, inline
    a = 0 if start_key is None or start_key < k0 else start_key - k0
    b = 12 if end_key is None or end_key > k0 + 12 else end_key - k0
    if b <= a:
        return 0
    return ((1 << (b - a)) - 1) << a


def period_mask(fy: int, start: date | None, until: date | None) -> int:
    """Months of fiscal year `fy` in which someone is in [start, until) on the last day.

    `until` is the first day without the status (資格喪失日); a month counts when the
    status holds on its last day, so the month of `start` counts and the month of
    `until` does not (unless `until` is the 1st, when the previous month is the last).
    """
    k0 = fy * 12 + 3                                  # fy_first_key, month_key: inline
    a = 0 if start is None else start.year * 12 + start.month - 1 - k0
    b = 12 if until is None else until.year * 12 + until.month - 1 - k0
    if a < 0:
        a = 0
    if b > 12:
        b = 12
    return ((1 << (b - a)) - 1) << a if b > a else 0


def anniversary(birth: date, years: int) -> date:
    """The `years`-th birthday; for a 29 February birth in a common year, 1 March."""
    try:
        return date(birth.year + years, birth.month, birth.day)
    except ValueError:
        return date(birth.year + years, 3, 1)


def attains_age_on(birth: date, years: int) -> date:
    """The day a person attains `years` of age: the day before the birthday
    (年齢計算ニ関スル法律, 民法143条)."""
    return anniversary(birth, years) - _DAY


def age_on(birth: date, on: date) -> int:
    """Age (満年齢) on a date, attained on the day before each birthday: someone born on
    1 January attains the next age on 31 December of the year before that birthday."""
    years = on.year - birth.year
    if attains_age_on(birth, years + 1) <= on:     # born 1 January, `on` is 31 December
        return years + 1
    if attains_age_on(birth, years) > on:
        years -= 1
    return years


def attain_key(birth: date, years: int) -> int:
    """month_key of the day `years` of age are attained (the day before the birthday)."""
    y = birth.year + years
    m, d = birth.month, birth.day
    if m == 2 and d == 29 and not (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)):
        return y * 12 + 1                      # attained on 28 February
    return y * 12 + m - (2 if d == 1 else 1)


def care_age_mask(fy: int, birth: date) -> int:
    """Months in which a person is 40–64 for the 介護納付金課税額 (介護保険法9条2号).

    From the month containing the day before the 40th birthday up to the month
    before the one containing the day before the 65th birthday (a 1st-of-month
    birthday therefore starts and ends a month earlier).
    """
    return key_range_mask(fy, attain_key(birth, 40), attain_key(birth, 65))


def late_elderly_start(birth: date) -> date:
    """The day 国保 ends at 75: the 75th birthday itself (高齢者医療確保法50条)."""
    return anniversary(birth, 75)


def is_preschool(fy: int, birth: date) -> bool:
    """未就学児: up to the first 31 March after attaining 6 (地方税法703条の5第2項);
    for FY N, born on or after (N−6)-04-02."""
    return birth >= _cohort_start(fy - 6)


def is_under18(fy: int, birth: date) -> bool:
    """18歳未満 for the 子ども・子育て支援納付金分: up to the first 31 March after
    attaining 18; for FY N, born on or after (N−18)-04-02."""
    return birth >= _cohort_start(fy - 18)


def _cohort_start(year: int) -> date:
    """(year)-04-02: the first birth date of the school year's cohort that starts then
    (made once per year: a date costs more than the look-up)."""
    d = _COHORT_STARTS.get(year)
    if d is None:
        d = _COHORT_STARTS[year] = date(year, 4, 2)
    return d


_COHORT_STARTS: dict[int, date] = {}


def is_65_at_income_year_end(fy: int, birth: date) -> bool:
    """65 or over on 31 December of the income year (N−1): born on or before (N−65)-01-01."""
    y = fy - 65
    return birth.year < y or (birth.year == y and birth.month == 1 and birth.day == 1)


def fy_start(fy: int) -> date:
    """賦課期日: 1 April of the fiscal year."""
    return date(fy, 4, 1)


def fy_end(fy: int) -> date:
    return date(fy + 1, 3, 31)


def months_text(mask: int) -> str:
    """The 12 monthly flags, April first, as the assessment file keeps them ("111111000000")."""
    return "".join("1" if mask >> i & 1 else "0" for i in range(12))


def months_ja(fy: int, mask: int) -> str:
    """The months of a mask as a notice writes them: 「2025年4月〜8月」; runs that are not
    contiguous are joined by 「・」 (「2025年4月〜5月・2025年9月」), a run into the next
    calendar year names it (「2025年12月〜2026年2月」). No month: 「なし」."""
    runs, i = [], 0
    while i < 12:
        if not mask >> i & 1:
            i += 1
            continue
        j = i
        while j + 1 < 12 and mask >> (j + 1) & 1:
            j += 1
        (y0, m0), (y1, m1) = fy_month(fy, i), fy_month(fy, j)
        last = "" if i == j else (f"〜{m1}月" if y1 == y0 else f"〜{y1}年{m1}月")
        runs.append(f"{y0}年{m0}月{last}")
        i = j + 1
    return "・".join(runs) if runs else "なし"


# ---------------------------------------------------------------- column forms
# The rules above over NumPy int64 columns of proleptic ordinals (date.toordinal()), for
# the columnar evaluator (levyrules.batch). numpy is imported inside each function, so
# `import levyrules` does not need it. Ordinals are real dates unless a function says it
# takes NONE (levyrules.batch.population.NONE: an absent date).

_TABLE: tuple | None = None    # (first ordinal, month_key·32 + day of each ordinal from it,
                               #  month_key of the first, ordinal of the 1st of each month)
_SPAN = (date(1800, 1, 1).toordinal(), date(2300, 12, 31).toordinal())


def _civil(np, o):
    """(month_key, day) of ordinals in integer arithmetic (H. Hinnant's civil_from_days:
    years of 146097 days, months counted from March so that February comes last)."""
    z = o + 305                                   # days since 0000-03-01
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153                     # 0 = March … 11 = February
    return (era * 400 + yoe) * 12 + mp + 2, doy - (153 * mp + 2) // 5 + 1


def _table(np, lo: int, hi: int) -> tuple:
    """The calendar of every day lo..hi (ordinals), built once and grown when asked for
    more; a lookup in it is several times cheaper than the arithmetic per element."""
    global _TABLE
    t = _TABLE
    if t is None or lo < t[0] or hi >= t[0] + len(t[1]):
        if t is not None:                         # keep what it had
            lo, hi = min(lo, t[0]), max(hi, t[0] + len(t[1]) - 1)
        lo, hi = min(lo, _SPAN[0]), max(hi, _SPAN[1])
        lo -= date.fromordinal(lo).day - 1        # from the 1st of a month
        days = np.arange(lo, hi + 1, dtype=np.int64)
        key, day = _civil(np, days)
        t = _TABLE = (lo, key * 32 + day, int(key[0]), days[day == 1])
    return t


def _days(np, o):
    """month_key·32 + day of each ordinal, from the table (grown when `o` leaves it: one
    unsigned max tells, a negative offset being a huge unsigned one)."""
    t = _TABLE or _table(np, *_SPAN)
    at = o - t[0]
    if len(at) and int(at.view(np.uint64).max()) >= len(t[1]):
        t = _table(np, int(o.min()), int(o.max()))
        at = o - t[0]
    return t[1][at]


def key_day_columns(ordinals) -> tuple:
    """Column form of (month_key(d), d.day): year = key // 12, month = key % 12 + 1."""
    import numpy as np
    packed = _days(np, np.asarray(ordinals, dtype=np.int64))
    return packed >> 5, packed & 31


def month_key_columns(ordinals, absent: int | None = None):
    """Column form of month_key; with `absent`, a NONE ordinal gets that key."""
    import numpy as np
    from ..batch.population import NONE
    o = np.asarray(ordinals, dtype=np.int64)
    gone = None
    if absent is not None:
        gone = o == NONE
        o = np.where(gone, _SPAN[0], o)
    key = _days(np, o) >> 5
    if gone is not None:
        key[gone] = absent
    return key


def month_start_columns(keys):
    """The ordinal of the 1st of each month_key."""
    import numpy as np
    k = np.asarray(keys, dtype=np.int64)
    t = _TABLE or _table(np, *_SPAN)
    at = k - t[2]
    if len(at) and int(at.view(np.uint64).max()) >= len(t[3]):
        lo, hi = int(k.min()), int(k.max())
        t = _table(np, date(lo // 12, lo % 12 + 1, 1).toordinal(),
                   date(hi // 12, hi % 12 + 1, 1).toordinal())
        at = k - t[2]
    return t[3][at]


def _month_index(np, keys, k0: int):
    """keys − k0 clipped to 0..12, in a new array."""
    index = np.subtract(keys, k0, dtype=np.int64)
    return np.clip(index, 0, 12, out=index)


def key_range_mask_columns(fy: int, start_key, end_key):
    """Column form of key_range_mask (start_key / end_key int64 arrays, or None:
    unbounded): (1 << b) − (1 << a), a and b the month indexes clipped to 0..12 and b
    raised to a (no month when the range is empty); in place, where most time goes."""
    import numpy as np
    one = np.int64(1)
    k0 = fy_first_key(fy)
    a = np.int64(0) if start_key is None else _month_index(np, start_key, k0)
    if end_key is None:
        return (one << 12) - (one << a)
    b = _month_index(np, end_key, k0)
    np.maximum(a, b, out=b)
    np.left_shift(one, b, out=b)
    b -= one << a
    return b


_BEFORE, _AFTER = -1, 1 << 40          # month keys before and after any fiscal year


def period_mask_columns(fy: int, start, until):
    """Column form of period_mask: `start` NONE is unbounded before, `until` NONE after."""
    return key_range_mask_columns(fy, month_key_columns(start, _BEFORE),
                                  month_key_columns(until, _AFTER))


def mask_union_columns(n: int, owner, masks):
    """The OR of the month masks of the rows of each owner 0..n−1 (several periods of one
    person): 0 for an owner with no row."""
    import numpy as np
    out = np.zeros(n, dtype=np.int64)
    if len(owner) == 0:
        return out
    if (owner[1:] > owner[:-1]).all():          # one row per owner at most
        out[owner] = masks
        return out
    if not (owner[1:] >= owner[:-1]).all():     # rows grouped by owner: one reduceat
        order = np.argsort(owner, kind="stable")
        owner, masks = owner[order], masks[order]
    first = np.flatnonzero(np.concatenate(([True], owner[1:] != owner[:-1])))
    out[owner[first]] = np.bitwise_or.reduceat(masks, first)
    return out


def anniversary_columns(birth, years: int, kd: tuple | None = None):
    """Column form of anniversary: the 1st of the birthday's month plus day − 1, which
    is 1 March for 29 February in a common year. `kd`: key_day_columns(birth), if known."""
    key, day = kd if kd is not None else key_day_columns(birth)
    return month_start_columns(key + 12 * years) + (day - 1)


def attain_key_columns(birth, years: int, kd: tuple | None = None):
    """Column form of attain_key: the month of the day before the birthday (the month
    before it for a 1st-of-month birthday; February for 29 February)."""
    key, day = kd if kd is not None else key_day_columns(birth)
    return key + 12 * years - (day == 1)


def age_at_least_columns(birth, years: int, on, kd: tuple | None = None):
    """Column form of age_on(birth, on) >= years: the age is attained on or before `on`."""
    return anniversary_columns(birth, years, kd) - 1 <= on


def care_age_mask_columns(fy: int, birth, kd: tuple | None = None):
    """Column form of care_age_mask."""
    at40 = attain_key_columns(birth, 40, kd)
    return key_range_mask_columns(fy, at40, at40 + 12 * (65 - 40))


def is_preschool_columns(fy: int, birth):
    return birth >= date(fy - 6, 4, 2).toordinal()


def is_under18_columns(fy: int, birth):
    return birth >= date(fy - 18, 4, 2).toordinal()


def is_65_at_income_year_end_columns(fy: int, birth):
    return birth <= date(fy - 65, 1, 1).toordinal()
