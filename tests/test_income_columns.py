"""The column form of the income rules equals the scalar form, person by person.

`income_columns` (levyrules/engine/income.py) is :func:`person_income` over a whole population
in int64 columns; `band_column` and `tables_column` (engine/income_tables.py) and
`scale_column` (tariff/national.py) are the column form of a 所得税法別表第五 / 35条4項
table lookup and of an exact floor(x × rate). Each
is checked against its scalar form: at every edge of every table of every fiscal year
whose national parameters ship, on random incomes of every kind (hypothesis), and on the
synthetic city of benchmarks/population.py.
"""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from levyrules import Household
from levyrules.batch.population import from_households
from levyrules.errors import TariffError
from levyrules.engine.household import LAND_KINDS, SEPARATE_KINDS
from levyrules.engine.income import (IncomeColumns, PersonIncome, basic_deduction,
                                     basic_deduction_column, income_columns, person_income)
from levyrules.population.synth import generate
from levyrules.tariff import national
from levyrules.engine.income_tables import band_column, tables_column
from levyrules.tariff.national import Band, band_value, scale_column
from levyrules.tariff.paths import national_file

from strategies import amounts, dates_between, money

# every fiscal year whose national parameters ship (the tables differ between years:
# 令和7年度税制改正 raised the 給与所得控除 minimum from income year 2025)
YEARS = tuple(fy for fy in range(2015, 2040) if national_file(fy) is not None)
NATS = {fy: national(fy) for fy in YEARS}
SHARES = ((None, False), (Fraction(30, 100), False), (Fraction(30, 100), True),
          (Fraction(1, 3), False), (Fraction(1, 3), True))
FIELDS = tuple(f.name for f in attrs.fields(PersonIncome))


def test_years_cover_the_tables_that_differ():
    assert len(YEARS) >= 3
    assert len({n.salary_bands for n in NATS.values()}) >= 2


def _tables(nat):
    return (nat.salary_bands, nat.pension_under65, nat.pension_over65)


def _edges(nat) -> set[int]:
    """Every amount where a rule of `nat` changes: band ends, thresholds, brackets."""
    out = set()
    for bands in _tables(nat):
        for b in bands:
            out.update(x for x in (b.lo, b.hi) if x is not None)
    out.update((nat.earner_salary_over, nat.earner_pension_over_under65,
                nat.earner_pension_over_65, nat.earner_salary_income_over,
                nat.earner_pension_income_over_under65, nat.earner_pension_income_over_65,
                nat.adjustment_floor, nat.adjustment_ceiling, nat.adjustment_pension_limit,
                nat.pension_deduction_65))
    out.update(over for over, _ in nat.pension_other_income_adjustment)
    out.update(up for up, _ in nat.basic_deduction if up is not None)
    return out


EDGES = sorted(set().union(*(_edges(n) for n in NATS.values())))
# the 速算 of 別表第五 steps by 4,000円 of 収入: both sides of a step, and a 1,000円 step
NEAR = (-4000, -4001, -3999, -1000, -2, -1, 0, 1, 2, 999, 1000, 3999, 4000)


def near_edge() -> st.SearchStrategy[int]:
    """An edge itself or one yen either side, more often than the other steps."""
    return st.builds(lambda e, d: max(0, e + d), st.sampled_from(EDGES),
                     st.one_of(st.sampled_from((-1, 0, 1)), st.sampled_from(NEAR)))


# an amount: 0, anywhere up to 3,000万, next to a rule's edge, or huge (10^15 − 1)
YEN = st.one_of(amounts(30_000_000), near_edge(), near_edge(), st.integers(0, 10 ** 15 - 1))


@pytest.mark.parametrize("fy", YEARS)
def test_band_column_at_every_edge(fy):
    """別表第五 (所得税法28条) and 公的年金等控除 (35条4項) tables, each edge ± a step."""
    nat = NATS[fy]
    revenues = sorted({max(0, e + d) for e in EDGES for d in NEAR} | {10 ** 15 - 1})
    extras = [0] + [add for _, add in nat.pension_other_income_adjustment]
    for bands in _tables(nat):
        for extra in extras:
            got = band_column(bands, np.array(revenues, dtype=np.int64), extra)
            assert got.tolist() == [band_value(bands, r, extra) for r in revenues]


@pytest.mark.parametrize("fy", YEARS)
def test_tables_column_looks_each_row_up_in_its_own_table(fy):
    """Both 公的年金等控除 tables in one lookup (65歳以上 and not, mixed row by row), each
    edge ± a step, with each other-income adjustment, and revenues beyond the input limit
    (looked up table by table)."""
    nat = NATS[fy]
    revenues = sorted({max(0, e + d) for e in EDGES for d in NEAR}
                      | {10 ** 15 - 1, 2 ** 52 - 2})
    tables = (nat.pension_under65, nat.pension_over65)
    adds = [0] + [add for _, add in nat.pension_other_income_adjustment]
    rows = [(r, old, adds[(i // 2) % len(adds)]) for i, r in enumerate(revenues)
            for old in (i % 2 == 0, i % 2 == 1)]
    want = [band_value(tables[old], r, extra) for r, old, extra in rows]
    for tail in ((), ((2 ** 52, True, 0), (2 ** 60, False, 0))):
        r, old, extra = (np.array(c) for c in zip(*(rows + list(tail))))
        got = tables_column(tables, old, r.astype(np.int64), extra.astype(np.int64))
        assert got.tolist() == want + [band_value(tables[o], v, x) for v, o, x in tail]


def test_tables_column_on_tables_it_cannot_join():
    """A table whose end is beyond 2^52 and rates of no small common denominator: looked
    up table by table, each rate on its own denominator."""
    big = (Band(0, 100, Fraction(1, 2 ** 31 - 1), 0),
           Band(101, 2 ** 60, Fraction(3, 2 ** 31 + 11), 5), Band(2 ** 60 + 1, None, Fraction(1), 0))
    small = (Band(0, 1000, Fraction(1, 4), 0, True), Band(1001, None, Fraction(9, 10), -7))
    revenue = np.array([0, 100, 101, 1000, 1001, 2 ** 52, 2 ** 60, 2 ** 60 + 1, 10 ** 15, 5])
    which = np.array([0, 1, 0, 1, 0, 1, 0, 1, 0, 1])
    for tables in ((big, small), (small, big)):
        got = tables_column(tables, which, revenue, 3)
        assert got.tolist() == [band_value(tables[t], r, 3) for r, t in zip(revenue.tolist(),
                                                                            which.tolist())]
    assert band_column(big, revenue).tolist() == [band_value(big, r) for r in revenue.tolist()]
    assert tables_column((small, big), None, revenue).tolist() == [
        band_value(small, r) for r in revenue.tolist()]


@pytest.mark.parametrize("fy", YEARS)
def test_basic_deduction_column_at_every_bracket(fy):
    """基礎控除 (地方税法314条の2第2項): the taper above 2,400万 of 合計所得金額."""
    nat = NATS[fy]
    values = sorted({max(0, e + d) for e in EDGES for d in NEAR} | {10 ** 17})
    got = basic_deduction_column(nat, np.array(values, dtype=np.int64))
    assert got.tolist() == [basic_deduction(nat, v) for v in values]


def _edge_incomes():
    """One person per edge value (± a step) and kind of income: each 収入 or 所得 alone,
    with 所得金額調整控除, 給与 and 年金 both, a 専従者, and other income against the
    公的年金等控除 adjustment and the 基礎控除 taper."""
    for v in sorted({max(0, e + d) for e in EDGES for d in NEAR}):
        yield from ({"salary_revenue": v}, {"salary_income": v}, {"pension_revenue": v},
                    {"pension_income": v}, {"salary_revenue": v, "pension_revenue": v},
                    {"salary_revenue": v, "income_adjustment_eligible": True},
                    {"salary_revenue": v, "is_family_employee": True},
                    {"salary_income": v, "is_family_employee": True},
                    {"business_income": v, "pension_revenue": 1_500_000},
                    {"business_income": v, "pension_revenue": 1_500_000,
                     "salary_revenue": 3_000_000},
                    {"separate": [{"kind": "land_long", "income": v}],
                     "pension_revenue": 3_000_000},
                    {"salary_revenue": v, "pension_revenue": 2_000_000, "is_family_employee":
                     True, "separate": [{"kind": "stocks", "income": v // 3}]},
                    {"business_income": v, "family_employee_salary_paid": 1_000_000,
                     "net_loss_carryover": v // 2, "pension_income": v // 4})


@pytest.mark.parametrize("fy", YEARS)
def test_income_columns_at_every_edge(fy):
    line = date(fy - 65, 1, 1)       # 65歳以上 at the end of the income year: born by then
    persons = [{"id": f"p{i}", "insured": [], "income": inc, "birth_date": b.isoformat()}
               for i, (inc, b) in enumerate((inc, b) for inc in _edge_incomes()
                                            for b in (line, line + timedelta(days=1)))]
    households = [Household.from_json({"id": f"H{k}", "fiscal_year": fy, "head": "p0",
                                       "persons": [dict(p, id=f"p{j}") for j, p in
                                                   enumerate(persons[k:k + 100])]})
                  for k in range(0, len(persons), 100)]
    for share, before in SHARES[:3]:
        assert_equal_to_scalar(households, fy, share, before)


def test_scale_column_takes_python_ints_where_int64_would_overflow():
    x = np.array([10 ** 15 - 1, 3, -(10 ** 15 - 1), 0, 7 * 10 ** 14], dtype=np.int64)
    for num, den in ((99_999, 100_000), (9_000, 7), (30, 100), (-12, 5)):
        assert scale_column(x, num, den).tolist() == [v * num // den for v in x.tolist()]
    nums = np.array([1, 99_999, 5, 9_000, 3], dtype=np.int64)
    dens = np.array([3, 100_000, 7, 11, 1], dtype=np.int64)
    assert scale_column(x, nums, dens).tolist() == [
        v * n // d for v, n, d in zip(x.tolist(), nums.tolist(), dens.tolist())]


def test_scale_column_refuses_a_result_beyond_int64():
    with pytest.raises(TariffError, match="int64"):
        scale_column(np.array([10 ** 15], dtype=np.int64), 10 ** 5, 1)


# ---------------------------------------------------------------- random incomes

def _births(fy: int) -> st.SearchStrategy[date]:
    line = date(fy - 65, 1, 1)
    return st.one_of(dates_between(line - timedelta(days=3), line + timedelta(days=3)),
                     dates_between(date(1930, 1, 1), date(fy, 3, 31)))


# either side of the 65歳 line (born on or before (N−65)-01-01), or anyone
BIRTHS = {fy: _births(fy) for fy in YEARS}


DEDUCTION = money(5_000_000)     # 特別控除: at most 5,000万 in law; any here
OTHER_AMOUNTS = ("business_income", "agriculture_income", "real_estate_income",
                 "interest_income", "dividend_income", "misc_income",
                 "comprehensive_capital_gains_short", "comprehensive_capital_gains_long",
                 "occasional_income", "forestry_income", "net_loss_carryover",
                 "stock_loss_carryover")


@st.composite
def incomes(draw) -> dict:
    """Every field of INCOME (contract.md §1): 収入 or 所得 or neither of 給与 and 年金,
    the other amounts, 分離課税 of every kind, carryovers, 専従者 on either side,
    所得金額調整控除 eligibility, 未申告."""
    inc: dict = {}
    for revenue, income in (("salary_revenue", "salary_income"),
                            ("pension_revenue", "pension_income")):
        which = draw(st.sampled_from((None, revenue, revenue, income)))
        if which:
            inc[which] = draw(YEN)
    for name in draw(st.sets(st.sampled_from(OTHER_AMOUNTS), max_size=5)):
        inc[name] = draw(YEN)
    separate = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(SEPARATE_KINDS))
        item = {"kind": kind, "income": draw(YEN)}
        if kind in LAND_KINDS and draw(st.booleans()):
            item["special_deduction"] = draw(st.one_of(
                DEDUCTION, st.integers(0, item["income"])))
        separate.append(item)
    if separate:
        inc["separate"] = separate
    family = draw(st.sampled_from((None, "employee", "employer")))
    if family == "employee":
        inc["is_family_employee"] = True
    elif family == "employer":
        inc["family_employee_salary_paid"] = draw(YEN)
    inc["income_adjustment_eligible"], inc["declared"] = draw(st.sampled_from(
        ((False, True), (True, True), (False, False), (True, False))))
    return inc


INCOMES = incomes()


@st.composite
def populations(draw):
    fy = draw(st.sampled_from(YEARS))
    households = []
    for h in range(draw(st.integers(1, 4))):
        persons = [{"id": f"p{i}", "birth_date": draw(BIRTHS[fy]).isoformat(), "insured": [],
                    "income": draw(INCOMES)} for i in range(draw(st.integers(1, 4)))]
        households.append(Household.from_json(
            {"id": f"H{h}", "fiscal_year": fy, "head": "p0", "persons": persons}))
    return fy, households


def assert_equal_to_scalar(households, fy, share=None, before=False, rows=None):
    nat = NATS[fy]
    persons = [p for h in households for p in h.persons]
    cols = income_columns(from_households(households), nat, fy, share, before, rows)
    assert isinstance(cols, IncomeColumns)
    picked = range(len(persons)) if rows is None else rows
    for i, row in enumerate(picked):
        want = person_income(persons[row], nat, fy, share, before)
        got = {f: getattr(cols, f)[i].item() for f in FIELDS}
        assert got == attrs.asdict(want), (fy, share, before, row)
    for f in FIELDS:
        column = getattr(cols, f)
        assert len(column) == len(picked)
        assert column.dtype == (bool if f in ("is_earner", "declared") else np.int64)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(populations(), st.sampled_from(SHARES))
def test_income_columns_equal_person_income(case, share):
    fy, households = case
    assert_equal_to_scalar(households, fy, *share)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(populations(), st.sampled_from(SHARES), st.data())
def test_income_columns_of_some_rows_equal_person_income(case, share, data):
    """`rows`: only some persons, in any order (the 非自発的失業 variant for a few)."""
    fy, households = case
    n = sum(len(h.persons) for h in households)
    rows = data.draw(st.lists(st.integers(0, n - 1), unique=True))
    assert_equal_to_scalar(households, fy, *share, rows=rows)


@pytest.mark.parametrize("fy", [fy for fy in YEARS if fy >= 2023])
@pytest.mark.parametrize("full_year", [False, True])
def test_income_columns_equal_person_income_on_the_synthetic_city(fy, full_year):
    """benchmarks/population.py's generator (levyrules.population.synth), with the
    special statuses and 世帯主変更 of a city."""
    households = [Household.from_json(d)
                  for d in generate(600, fy, 7, full_year_only=full_year, city=True)]
    for share, before in SHARES[:3]:
        assert_equal_to_scalar(households, fy, share, before)


def test_income_columns_of_no_one_are_empty():
    cols = income_columns(from_households([]), NATS[YEARS[-1]], YEARS[-1], Fraction(30, 100))
    assert all(len(getattr(cols, f)) == 0 for f in FIELDS)
