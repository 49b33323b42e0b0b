"""The national tables the income figures are read from (所得税法, 地方税法; the values
per income year in tariff/national.py): 給与収入 → 給与所得 (所得税法28条, 別表第五),
公的年金等収入 → 雑所得 (所得税法35条4項: 公的年金等控除, smaller when the other
合計所得金額 is high), and the 基礎控除 by 合計所得金額 (地方税法314条の2第2項).

Each has its column form beside it (NumPy int64, the band found by np.searchsorted, the
rate as an integer numerator/denominator): engine/income.py uses both."""

from __future__ import annotations

from ..tariff.national import National, band_column, band_value, need_numpy


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
    out = np.empty(len(revenue), dtype=np.int64)
    for rows, bands in ((np.flatnonzero(over65), nat.pension_over65),
                        (np.flatnonzero(~over65), nat.pension_under65)):
        out[rows] = band_column(bands, revenue[rows], extra[rows])
    return out


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
