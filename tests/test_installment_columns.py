"""期割 in column form: `installment_columns` equals the scalar path household by household.

The scalar path is what the assessment file holds: `population.rows._installments` over
`installments_json(total, plan, judged_on)` (the `installment_<period>` and
`installment_at_once` columns). The rules (rulebook §11.4): each 納期 floor(total ÷ n) to
the plan's unit (地方税法20条の4の2第6項: 1,000円 unless the 条例 sets another, often
100円), the remainder to the period the plan names (第1期 by default), over the 納期 due on
or after the day liability starts (the 条例: その後に到来する納期); none left → 随時.
"""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

np = pytest.importorskip("numpy")

import levyrules  # noqa: E402
from levyrules.engine.calendar import fy_end, fy_start  # noqa: E402
from levyrules.collection import installment_columns, installments_json  # noqa: E402
from levyrules.population import rows  # noqa: E402
from levyrules.tariff import paths  # noqa: E402
from levyrules.tariff.model import DuePeriod, InstallmentPlan  # noqa: E402

from test_collection import (P1, TEST_TARIFF, household,  # noqa: E402
                             person)


def shipped_plans() -> list[tuple[str, int, InstallmentPlan]]:
    """(tariff id, fiscal year, plan) of every shipped tariff that has 納期."""
    out = []
    for ref, _path, _root in paths.listing(paths.search_path(None)):
        t = levyrules.load_tariff(ref)
        if t.installments is not None:
            out.append((ref, t.fiscal_year, t.installments))
    return out


SHIPPED = shipped_plans()


def variants(plan: InstallmentPlan) -> list[InstallmentPlan]:
    """The shipped plan as written, and with each unit the schema allows and each
    remainder rule (first, last, every period by number): the shipped tariffs all say
    100円 and 第1期, while the law's default is 1,000円 and a 条例 may name a period."""
    nums = [p.period for p in plan.periods]
    rules = ["first", "last"] + nums
    return [attrs.evolve(plan, unit=u, remainder=r) for u in (1, 10, 100, 1000) for r in rules]


CASES = [(ref, fy, v) for ref, fy, plan in SHIPPED for v in variants(plan)]


def scalar(total: int, judged: int, plan: InstallmentPlan) -> list[int]:
    """One household's 期別 columns as the assessment file writes them today."""
    result = SimpleNamespace(total=total,
                             installments=installments_json(total, plan, date.fromordinal(judged)))
    return rows._installments(result, tuple(p.period for p in plan.periods))


def columns(totals, judged, plan, fy=None) -> list[list[int]]:
    out, at_once = installment_columns(np.array(totals, dtype=np.int64),
                                       np.array(judged, dtype=np.int64), plan, fy)
    assert out.dtype == np.int64 and at_once.dtype == np.int64
    assert out.shape == (len(totals), len(plan.periods))
    return [list(map(int, r)) + [int(a)] for r, a in zip(out, at_once)]


# ---------------------------------------------------------------- the property

def totals(unit: int, n: int):
    """0, small, around multiples of unit × n (where the remainder changes), large < 10^13."""
    near = st.tuples(st.integers(0, 10_000), st.integers(-9, 9)).map(
        lambda kd: abs(kd[0] * unit * n + kd[1]))
    return st.one_of(st.just(0), st.integers(1, 3 * unit), near, st.integers(0, 10 ** 13 - 1))


def judged_days(fy: int, plan: InstallmentPlan):
    """Any day of the fiscal year, a 納期限 itself or the day either side of one (the
    boundaries of 'still open'), or a day after the last 納期 (all within the year)."""
    first, end = fy_start(fy), fy_end(fy)
    dues = [p.due for p in plan.periods]
    days = [st.integers(0, (end - first).days).map(lambda d: first + timedelta(d)),
            st.tuples(st.sampled_from(dues), st.integers(-1, 1)).map(
                lambda dk: min(max(dk[0] + timedelta(dk[1]), first), end))]
    if max(dues) < end:
        days.append(st.integers(1, (end - max(dues)).days).map(lambda d: max(dues) + timedelta(d)))
    return st.one_of(days).map(date.toordinal)


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_columns_equal_the_scalar_path_for_every_shipped_plan(data):
    ref, fy, plan = data.draw(st.sampled_from(CASES))
    pairs = data.draw(st.lists(st.tuples(totals(plan.unit, len(plan.periods)), judged_days(fy, plan)),
                               min_size=1, max_size=40))
    tot, judged = [t for t, _ in pairs], [j for _, j in pairs]
    assert columns(tot, judged, plan, fy) == [scalar(t, j, plan) for t, j in pairs], ref


@st.composite
def random_plans(draw):
    """Plans the shipped tariffs do not have: 1–24 納期 on any days of FY2025 (in order,
    as `check` requires), any unit, any remainder rule, periods numbered from 1."""
    n = draw(st.integers(1, 24))
    days = sorted(draw(st.lists(st.integers(0, 364), min_size=n, max_size=n, unique=True)))
    periods = tuple(DuePeriod(i + 1, date(2025, 4, 1) + timedelta(d)) for i, d in enumerate(days))
    rem = draw(st.one_of(st.sampled_from(["first", "last"]), st.integers(1, n)))
    return InstallmentPlan(periods, unit=draw(st.sampled_from([1, 10, 100, 1000])), remainder=rem)


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_columns_equal_the_scalar_path_for_random_plans(data):
    plan = data.draw(random_plans())
    pairs = data.draw(st.lists(st.tuples(totals(plan.unit, len(plan.periods)), judged_days(2025, plan)),
                               min_size=1, max_size=40))
    tot, judged = [t for t, _ in pairs], [j for _, j in pairs]
    assert columns(tot, judged, plan, 2025) == [scalar(t, j, plan) for t, j in pairs]


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_mostly_full_year_populations_equal_the_scalar_path(data):
    """The common-case path (most liabilities from 4月1日, a few later ones spread as
    the general form) equals the scalar path, for shipped and random plans."""
    fy, plan = data.draw(st.one_of(st.sampled_from(CASES).map(lambda c: c[1:]),
                                   random_plans().map(lambda p: (2025, p))))
    start = fy_start(fy).toordinal()
    pairs = data.draw(st.lists(st.tuples(totals(plan.unit, len(plan.periods)),
                                         st.one_of(st.just(start), st.just(start),
                                                   st.just(start), judged_days(fy, plan))),
                               min_size=1, max_size=40))
    tot, judged = [t for t, _ in pairs], [j for _, j in pairs]
    assert columns(tot, judged, plan, fy) == [scalar(t, j, plan) for t, j in pairs]


def test_the_shipped_plans_are_all_covered():
    # the property above iterates these; a tariff gaining 納期 joins it by itself
    assert {ref for ref, _, _ in SHIPPED} >= {"iwaki/2023", "iwaki/2024", "iwaki/2025"}


# ---------------------------------------------------------------- one rule each

def plan_of(n: int, *, unit: int = 100, remainder="first", start=date(2025, 6, 30)):
    return InstallmentPlan(tuple(DuePeriod(i + 1, start + timedelta(days=31 * i))
                                 for i in range(n)), unit=unit, remainder=remainder)


APRIL_2025 = date(2025, 4, 1).toordinal()


def test_unit_rounding_100_and_1000():
    # 新宮市 (rulebook §11.4, https://www.city.shingu.lg.jp/Info/615): 年税額 240,600 over
    # 10 期 → 第1期 24,600, others 24,000 (百円未満の金額は第1期で徴収)
    assert columns([240_600], [APRIL_2025], plan_of(10)) == [[24_600] + [24_000] * 9 + [0]]
    # the law's 1,000円 (地方税法20条の4の2第6項): 123,456 over 5 → 27,456 + 4 × 24,000
    assert columns([123_456], [APRIL_2025], plan_of(5, unit=1000)) == \
        [[27_456, 24_000, 24_000, 24_000, 24_000, 0]]
    # less than one unit a period: all of it in the remainder period, nothing negative
    assert columns([300, 0], [APRIL_2025] * 2, plan_of(5)) == [[300, 0, 0, 0, 0, 0], [0] * 6]


def test_remainder_period_last_and_named():
    # a 条例 may name the period that takes the remainder (地方税法20条の4の2第6項 ただし書;
    # rulebook §11.4 "remainder to a named period"): 123,456 over 5, unit 100
    assert columns([123_456], [APRIL_2025], plan_of(5, remainder="last")) == \
        [[24_600] * 4 + [25_056, 0]]
    assert columns([123_456], [APRIL_2025], plan_of(5, remainder=3)) == \
        [[24_600, 24_600, 25_056, 24_600, 24_600, 0]]
    # the named period is already past for a household joining after it: the first of
    # the periods left takes the remainder (as the scalar _remainder_index does)
    joined = (date(2025, 6, 30) + timedelta(days=31 * 3)).toordinal()   # 第4期's 納期限
    assert columns([100_050], [joined], plan_of(5, remainder=3)) == \
        [[0, 0, 0, 50_050, 50_000, 0]]


IWAKI_2023 = [date.fromisoformat(d) for d in (
    "2023-07-31", "2023-08-31", "2023-10-02", "2023-10-31", "2023-11-30", "2023-12-25",
    "2024-01-31", "2024-02-29")]


def test_joining_mid_year_and_after_the_last_period():
    plan = levyrules.load_tariff("iwaki/2023").installments
    assert [p.due for p in plan.periods] == IWAKI_2023
    # test_collection: p1 alone from 2023-11-20 → 152,200 over 第5〜8期 (その後に到来する
    # 納期): 38,050 → 38,000 × 4 + 200 → 第5期 38,200
    nov20 = date(2023, 11, 20).toordinal()
    assert columns([152_200], [nov20], plan, 2023) == \
        [[0, 0, 0, 0, 38_200, 38_000, 38_000, 38_000, 0]]
    # joining on a 納期限 still pays that period; the day after, not
    assert columns([80_000, 80_000], [date(2024, 1, 31).toordinal(), date(2024, 2, 1).toordinal()],
                   plan, 2023) == [[0] * 6 + [40_000, 40_000, 0], [0] * 7 + [80_000, 0]]
    # after the last 納期 nothing is left: the whole tax is due at once (随時)
    assert columns([12_345], [date(2024, 3, 10).toordinal()], plan, 2023) == [[0] * 8 + [12_345]]


def test_the_assessment_file_row_equals_the_columns(tmp_path):
    """End to end: the `installment_*` columns of `rows.row` for `assess` results equal
    the column form on (total, 判定日)."""
    path = tmp_path / "iwaki-2023-fixture.yaml"
    path.write_text(TEST_TARIFF, encoding="utf-8")
    tariff = levyrules.load_tariff(path)
    households = [household(P1, person("p2", "1990-01-01")),
                  household(person("p1", "1980-05-10", "2023-11-20", business_income=3_000_000)),
                  household(person("p1", "1980-05-10", "2024-03-10", business_income=3_000_000))]
    names = [c for c, _ in rows.schema(tariff)]
    cols = [i for i, c in enumerate(names) if c.startswith("installment_")]
    results = [levyrules.assess(h, tariff) for h in households]
    want = [[rows.row(h, r, tariff)[i] for i in cols] for h, r in zip(households, results)]
    got = columns([r.total for r in results],
                  [r.reduction.judged_on.toordinal() for r in results], tariff.installments, 2023)
    assert got == want
    assert want[2][-1] == results[2].total > 0          # joined after the last 納期: 随時


# ---------------------------------------------------------------- edges and refusals

def test_no_plan_gives_no_period_and_nothing_at_once():
    out, at_once = installment_columns(np.array([5, 0]), np.array([APRIL_2025] * 2), None)
    assert out.shape == (2, 0) and at_once.tolist() == [0, 0]
    assert rows._installments(SimpleNamespace(total=5, installments=installments_json(5, None)),
                              ()) == [0]


def test_an_empty_population():
    out, at_once = installment_columns(np.zeros(0, np.int64), np.zeros(0, np.int64), plan_of(3))
    assert out.shape == (0, 3) and at_once.shape == (0,)


@pytest.mark.parametrize("totals, judged, fy, message", [
    ([-1], [APRIL_2025], None, "negative"),
    ([1.5], [APRIL_2025], None, "totals must be"),
    ([1, 2], [APRIL_2025], None, "same length"),
    ([[1]], [[APRIL_2025]], None, "one-dimensional"),
    ([1], [date(2026, 4, 1).toordinal()], 2025, "fiscal year 2025"),
])
def test_bad_columns_are_refused(totals, judged, fy, message):
    with pytest.raises(ValueError, match=message):
        installment_columns(np.array(totals), np.array(judged), plan_of(3), fy)
