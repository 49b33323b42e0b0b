"""The national tables the income figures are read from (所得税法, 地方税法; the values
per income year in tariff/national.py): 給与収入 → 給与所得 (所得税法28条, 別表第五),
公的年金等収入 → 雑所得 (所得税法35条4項: 公的年金等控除, smaller when the other
合計所得金額 is high), and the 基礎控除 by 合計所得金額 (地方税法314条の2第2項).

Each has its column form beside it (NumPy int64, the band found by np.searchsorted, the
rate as an integer numerator/denominator): engine/income.py uses both."""

from __future__ import annotations

import math
import operator

from ..tariff.national import Band, National, band_value, need_numpy, scale_column


def salary_income_from_revenue(nat: National, revenue: int) -> int:
    """給与収入 → 給与所得 (所得税法28条, 別表第五), before 所得金額調整控除."""
    return band_value(nat.salary_bands, revenue)


def salary_income_column(nat: National, revenue):
    """Column form of :func:`salary_income_from_revenue` (int64 revenues ≥ 0)."""
    return band_column(nat.salary_bands, revenue)


def pension_income_from_revenue(nat: National, revenue: int, over65: bool,
                                other_income: int = 0) -> int:
    """公的年金等収入 → 雑所得 (所得税法35条4項); the 控除 shrinks when other income is high."""
    extra = 0
    for over, add in nat.pension_other_income_adjustment:
        if other_income > over:
            extra = add
    return band_value(nat.pension_over65 if over65 else nat.pension_under65, revenue, extra)


def pension_income_column(nat: National, revenue, over65, other_income):
    """Column form of :func:`pension_income_from_revenue`: int64 revenues ≥ 0, bool
    65歳以上, int64 other 合計所得金額 (each row looked up in its own table only)."""
    np = need_numpy()
    extra = np.zeros(len(revenue), dtype=np.int64)
    for over, add in nat.pension_other_income_adjustment:   # the later row wins, as above
        extra[other_income > over] = add
    return tables_column((nat.pension_under65, nat.pension_over65), over65, revenue, extra)


def basic_deduction(nat: National, aggregate_income: int) -> int:
    """基礎控除 by 合計所得金額 (tapers above 2,400万)."""
    for up_to, value in nat.basic_deduction:
        if up_to is None or aggregate_income <= up_to:
            return value
    return 0


def basic_deduction_column(nat: National, aggregate_income):
    """Column form of :func:`basic_deduction` (the brackets ascend; only the last is open)."""
    np = need_numpy()
    ups = np.array([up for up, _ in nat.basic_deduction[:-1]], dtype=np.int64)
    values = np.array([v for _, v in nat.basic_deduction], dtype=np.int64)
    out = np.full(len(aggregate_income), values[0], dtype=np.int64)
    if len(ups):       # only the few rows past the first bracket are looked up
        above = np.flatnonzero(aggregate_income > ups[0])
        out[above] = values[np.searchsorted(ups, aggregate_income[above], side="left")]
    return out


# ---------------------------------------------------------------- the bands, as columns

def band_column(bands: tuple[Band, ...], revenue, extra=0):
    """Column form of :func:`band_value`: every revenue of an int64 column (≥ 0) looked up.

    Each row's band is the first whose ``hi`` ≥ revenue (``np.searchsorted`` on the band
    ends, which ascend without gaps: checked when the table was loaded); its value is
    floor(basis × num / den) + add + extra, floored at 0, with the same 速算 basis
    floor(revenue / 4, 1,000円) on the ``quarter`` bands (所得税法別表第五, below 660万).
    The product goes through :func:`scale_column` (int64 where it provably fits).
    `extra` is an int or an int64 column (the 公的年金等控除 adjustment, at most 20万).
    """
    return tables_column((bands,), None, revenue, extra)


# a table's own span in the joined ends of tables_column: row i of table t is looked up
# as revenue + t × _SPAN (revenues and ends below _SPAN − 1; 2^52 > 10^15, the input limit)
_SPAN = 2 ** 52


def tables_column(tables: tuple[tuple[Band, ...], ...], which, revenue, extra=0):
    """:func:`band_column` with each row looked up in its own table: row i in
    ``tables[which[i]]`` (`which`: a column of ints or bools; None: the first table), all in
    one ``np.searchsorted`` on the tables' ends joined (table t's shifted by t × 2^52, a
    separator t × 2^52 − 1 before them). Revenues of 2^52 − 1 or more (beyond the input
    limit) are looked up table by table."""
    np = need_numpy()
    r = np.asarray(revenue, dtype=np.int64)
    if which is None:
        tables = tables[:1]
    ends, num, den, add, quarter = _joined(np, tables)
    if len(tables) == 1:
        key = r
    elif len(r) and (ends is None or int(r.max()) >= _SPAN - 1 or int(r.min()) < 0):
        out = np.empty(len(r), dtype=np.int64)
        extra = np.broadcast_to(np.asarray(extra, dtype=np.int64), r.shape)
        for t, bands in enumerate(tables):
            rows = np.flatnonzero(which == t)
            out[rows] = tables_column((bands,), None, r[rows], extra[rows])
        return out
    else:
        key = np.multiply(which, _SPAN, dtype=np.int64)
        key += r
    idx = np.searchsorted(ends, key, side="left")
    if quarter is not None:
        basis = r // 4000      # floor(floor(r / 4) / 1000) = floor(r / 4000)
        basis *= 1000
        r = r.copy()
        np.copyto(r, basis, where=quarter[idx])
    value = scale_column(r, num[idx], den if type(den) is int else den[idx])
    value += add[idx]
    value += extra
    return np.maximum(value, 0, out=value)


def _joined(np, tables: tuple) -> tuple:
    """The arrays of tables_column for `tables` (kept, checked by identity): the joined
    ends and each band's num, den, add and quarter (None when no band is a quarter); the
    rates on their common denominator (an int) when it is under 2^31, as
    floor(x × n / d) = floor(x × (n × L / d) / L)."""
    key = tuple(map(id, tables))
    known = _JOINED.get(key)
    if known is not None and all(map(operator.is_, known[0], tables)):
        return known[1]
    ends = []
    for t, bands in enumerate(tables):
        if t:
            ends.append(t * _SPAN - 1)
        ends += [t * _SPAN + b.hi for b in bands[:-1]]
    flat = [b for bands in tables for b in bands]
    quarter = np.array([b.quarter for b in flat], dtype=bool) if any(
        b.quarter for b in flat) else None
    joinable = len(tables) == 1 or all(b.hi < _SPAN - 1 for b in flat if b.hi is not None)
    common = math.lcm(*(b.den for b in flat))
    if common <= 2 ** 31:       # one denominator: numpy divides by a scalar much faster
        num, den = [b.num * (common // b.den) for b in flat], common
    else:
        num, den = [b.num for b in flat], np.array([b.den for b in flat], dtype=np.int64)
    arrays = (np.array(ends, dtype=np.int64) if joinable else None,
              np.array(num, dtype=np.int64), den,
              np.array([b.add for b in flat], dtype=np.int64), quarter)
    if len(_JOINED) > 256:
        _JOINED.clear()
    _JOINED[key] = (tables, arrays)
    return arrays


# tables_column's arrays, by the identities of the tables (checked; None for the ends
# when a table's end is too high to be joined)
_JOINED: dict[tuple, tuple] = {}
