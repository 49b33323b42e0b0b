"""The column forms of the person facts equal their scalar forms (issue 10: one definition
per rule, two speeds): member_columns equals Member for every person, judgement_dates the
判定日 and judge_columns who counts on it (rulebook §3.2, §3.5, §4, §5, §6, §7, §8, §13.9),
over drawn households with the edge cases of the calendar (29 February and 1st-of-month
birthdays, 40/65/75 reached in the year, several insured periods, periods ending on the
1st, 後期高齢者医療, every status including ineligible ones), over the shipped examples
and over the synthetic population of the benchmarks."""

from __future__ import annotations

import json
from calendar import isleap
from datetime import date, timedelta
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

np = pytest.importorskip("numpy")

import levyrules  # noqa: E402
from levyrules.engine import calendar as cal  # noqa: E402
from levyrules.authoring import tariff_tests  # noqa: E402
from levyrules.batch.population import NONE, from_households  # noqa: E402
from levyrules.engine.household import Childbirth, Period, Unemployment  # noqa: E402
from levyrules.engine import members as member_facts  # noqa: E402
from levyrules.engine.members import (Member, judge_columns, judgement_date,  # noqa: E402
                                      judgement_dates, member_columns)
from levyrules.population.synth import generate  # noqa: E402
from levyrules.rules import care_exempt, childbirth, former_dependent, unemployment  # noqa: E402
from strategies import households as shared_households  # noqa: E402

FACTS = ("insured", "care", "cut", "late_date", "preschool", "under18", "unemployed",
         "unemployment_period", "birth", "fd_exempt", "fd_half", "care_exempt")
CODES = ("11", "12", "21", "22", "31", "32", "23", "33", "34", "40", "45", "50")
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _scalar(value) -> int:
    if value is None:
        return NONE
    return value.toordinal() if isinstance(value, date) else int(value)


def assert_same(households: list) -> None:
    """Every column of member_columns, judgement_dates and judge_columns equals the
    scalar path (Member, judgement_date, Member.judge_on) for every person."""
    pop = from_households(households)
    facts = member_columns(pop)
    judged = judgement_dates(pop, facts)
    on, late, counted = judge_columns(pop, facts, judged)
    bare = attrs.evolve(facts, period_end=None)   # as a sub-population's facts (head_change)
    assert judgement_dates(pop, bare).tolist() == judged.tolist()
    assert [c.tolist() for c in judge_columns(pop, bare, judged)] == [
        c.tolist() for c in (on, late, counted)]
    row = 0
    for h_row, h in enumerate(households):
        members = [Member(p, i, h.fiscal_year) for i, p in enumerate(h.persons)]
        asked = any(m.insured for m in members)   # a 判定日 exists only then
        if asked:
            day = judgement_date(members, h.fiscal_year)
            assert judged[h_row] == day.toordinal(), (h_row, day)
        for m in members:
            for name in FACTS:
                assert getattr(facts, name)[row] == _scalar(getattr(m, name)), (name, m.person)
            if asked:
                m.judge_on(day, m.person.id == h.head)
                assert (on[row], late[row], counted[row]) == (m.on, m.late, m.counted), m.person
            row += 1
    assert row == len(pop.birth)


# ---------------------------------------------------------------- drawn households

def _dates(lo: date, hi: date):
    """Dates lo..hi, a quarter of them moved to the 1st of their month (a 資格喪失日 on
    the 1st ends the month before; a birthday on the 1st attains its age a month early)."""
    return st.tuples(st.integers(0, (hi - lo).days), st.integers(0, 3)).map(
        lambda t: max(lo, (lo + timedelta(days=t[0])).replace(day=1)) if t[1] == 0
        else lo + timedelta(days=t[0]))


@st.composite
def births(draw, fy: int) -> date:
    """Ages 0–95 on 4月1日, often one that crosses 6, 18, 40, 65 or 75 in the year;
    29 February (a leap-year birth) and the 1st of a month come up often."""
    age = draw(st.one_of(st.sampled_from((5, 6, 17, 18, 39, 40, 64, 65, 74, 75)),
                         st.integers(0, 95)))
    year = fy - age - draw(st.integers(0, 1))
    kind = draw(st.integers(0, 3))
    if kind == 0:
        while not isleap(year):
            year -= 1
        return date(year, 2, 29)
    month = draw(st.integers(1, 12))
    if kind == 1:
        return date(year, month, 1)
    return date(year, month, draw(st.integers(1, 28)))


@st.composite
def periods(draw, lo: date, hi: date, most: int) -> list[dict]:
    """0..most sorted, non-overlapping periods in lo..hi; the last one may stay open."""
    if lo >= hi:
        return []
    cuts = sorted(set(draw(st.lists(_dates(lo, hi), max_size=2 * most))))
    out = []
    for a, b in zip(cuts[::2], cuts[1::2]):
        out.append({"from": a.isoformat(), "until": b.isoformat()})
    if len(cuts) % 2:
        out.append({"from": cuts[-1].isoformat(), "until": None})
    elif out and draw(st.booleans()):
        out[-1]["until"] = None
    return out


@st.composite
def person(draw, pid: str, fy: int) -> dict:
    birth = draw(births(fy))
    lo, hi = max(birth, date(fy - 3, 1, 1)), date(fy + 1, 6, 30)
    p: dict = {"id": pid, "birth_date": birth.isoformat(),
               "insured": draw(periods(lo, hi, 3))}
    at75 = cal.anniversary(birth, 75)
    late = draw(st.sampled_from(("none", "none", "at75", "drawn")))
    if late == "at75":
        p["late_elderly_since"] = at75.isoformat()
    elif late == "drawn" and lo < hi:
        p["late_elderly_since"] = draw(_dates(lo, hi)).isoformat()
    statuses: dict = {}
    if lo < hi and draw(st.integers(0, 2)) == 0:
        statuses["involuntary_unemployment"] = {
            "separation_date": draw(_dates(lo - timedelta(days=400), hi)).isoformat(),
            "reason_code": draw(st.sampled_from(CODES))}
    if draw(st.integers(0, 2)) == 0:
        expected = draw(st.one_of(st.none(), _dates(date(fy - 2, 10, 1), date(fy + 1, 8, 31))))
        actual = draw(st.one_of(st.none(), _dates(date(fy - 2, 10, 1), date(fy + 1, 8, 31))))
        if expected or actual:
            statuses["childbirth"] = {"expected_date": expected and expected.isoformat(),
                                      "actual_date": actual and actual.isoformat(),
                                      "multiple": draw(st.booleans())}
    if lo < hi and draw(st.integers(0, 2)) == 0:     # before 65 too: not eligible
        statuses["former_dependent"] = {"since": draw(_dates(lo, hi)).isoformat()}
    if draw(st.integers(0, 2)) == 0:
        statuses["care_exempt_facility"] = draw(periods(date(fy - 2, 1, 1), hi, 3))
    if statuses:
        p["statuses"] = statuses
    return p


@st.composite
def household(draw, fy: int, index: int):
    n = draw(st.integers(1, 4))
    persons = [draw(person(f"p{i + 1}", fy)) for i in range(n)]
    head = draw(st.integers(0, n - 1))
    return levyrules.Household.from_json({"id": f"H-{index}", "fiscal_year": fy,
                                          "head": persons[head]["id"], "persons": persons})


@st.composite
def populations(draw) -> list:
    fy = draw(st.sampled_from((2024, 2025, 2026)))
    return [draw(household(fy, i)) for i in range(draw(st.integers(1, 6)))]


@SETTINGS
@given(populations())
def test_columns_equal_members_on_drawn_households(households):
    assert_same(households)


@settings(SETTINGS, max_examples=40)
@given(st.lists(shared_households(tariff_ids=("koriyama/2025",), statuses=True),
                min_size=1, max_size=4))
def test_columns_equal_members_on_the_shared_household_strategy(cases):
    assert_same([levyrules.Household.from_json(data) for _, data in cases])


# ---------------------------------------------------------------- fixed households

def test_columns_equal_members_on_the_shipped_examples():
    """The contract examples (tests/contract) and every tariff's example tests."""
    by_year: dict[int, list] = {}
    for path in sorted(Path(__file__).parent.joinpath("contract").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        by_year.setdefault(data["fiscal_year"], []).append(levyrules.Household.from_json(data))
    for path in tariff_tests.discover():
        data = tariff_tests.load(path)[0]
        h = levyrules.Household.from_json(data["household"])
        by_year.setdefault(h.fiscal_year, []).append(h)
    assert sum(map(len, by_year.values())) >= 40
    for households in by_year.values():
        assert_same(households)


def test_columns_equal_members_on_the_synthetic_city():
    """The benchmarks' mixed population (mid-year changes, 75th birthdays, statuses)."""
    assert_same([levyrules.Household.from_json(d) for d in generate(3000, 2025, 11, city=True)])


@pytest.mark.slow
def test_columns_equal_members_on_a_larger_synthetic_city():
    assert_same([levyrules.Household.from_json(d)
                 for d in generate(60_000, 2026, 20250401, city=True)])


def test_a_household_with_no_insured_month_gets_4_april_first():
    """No 判定日 exists; the columns do not fail and give the fiscal year's first day."""
    h = levyrules.Household.from_json({"id": "H", "fiscal_year": 2025, "head": "p1", "persons": [
        {"id": "p1", "birth_date": "1950-04-01", "insured": [],
         "late_elderly_since": "2025-03-31"}]})
    pop = from_households([h])
    facts = member_columns(pop)
    assert facts.insured[0] == 0
    assert judgement_dates(pop, facts)[0] == date(2025, 4, 1).toordinal()
    assert_same([])                                 # and an empty population


# ---------------------------------------------------------------- the calendar rules

ORDINALS = st.integers(date(1850, 1, 1).toordinal(), date(2200, 12, 31).toordinal())


def _col(values):
    return np.array(values, dtype=np.int64)


@settings(max_examples=300, deadline=None)
@given(st.lists(ORDINALS, min_size=1, max_size=20), st.sampled_from((2024, 2025, 2026)),
       st.sampled_from((6, 18, 40, 65, 75)))
def test_calendar_columns_equal_the_scalar_rules(ordinals, fy, years):
    days = [date.fromordinal(o) for o in ordinals]
    col = _col(ordinals)
    key, day = cal.key_day_columns(col)
    assert key.tolist() == [cal.month_key(d) for d in days]
    assert day.tolist() == [d.day for d in days]
    assert cal.anniversary_columns(col, years).tolist() == [
        cal.anniversary(d, years).toordinal() for d in days]
    assert cal.attain_key_columns(col, years).tolist() == [cal.attain_key(d, years) for d in days]
    assert cal.care_age_mask_columns(fy, col).tolist() == [cal.care_age_mask(fy, d) for d in days]
    for column, scalar in ((cal.is_preschool_columns, cal.is_preschool),
                           (cal.is_under18_columns, cal.is_under18),
                           (cal.is_65_at_income_year_end_columns, cal.is_65_at_income_year_end)):
        assert column(fy, col).tolist() == [scalar(fy, d) for d in days]
    on = col[::-1]
    assert cal.age_at_least_columns(col, years, on).tolist() == [
        cal.age_on(d, date.fromordinal(o)) >= years for d, o in zip(days, on.tolist())]
    assert cal.month_start_columns(key).tolist() == [d.replace(day=1).toordinal() for d in days]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), ORDINALS), st.one_of(st.none(), ORDINALS)),
                min_size=1, max_size=20), st.sampled_from((2024, 2025, 2026)))
def test_period_masks_equal_the_scalar_rule(pairs, fy):
    """Open ends (NONE) are unbounded, as None is for period_mask."""
    start = _col([NONE if a is None else a for a, _ in pairs])
    until = _col([NONE if b is None else b for _, b in pairs])
    want = [cal.period_mask(fy, a and date.fromordinal(a), b and date.fromordinal(b))
            for a, b in pairs]
    assert cal.period_mask_columns(fy, start, until).tolist() == want


def _edge_births(year: int) -> list:
    """29 February (or 28 in a common year), 4月1日/2日 (the school-year and fiscal-year
    edges), the 1st of a month and the day before it (75th birthday on the 1st)."""
    feb = date(year, 2, 29) if isleap(year) else date(year, 2, 28)
    return [d.toordinal() for d in (feb, date(year, 3, 1), date(year, 4, 1), date(year, 4, 2),
                                    date(year, 7, 1), date(year, 6, 30), date(year, 12, 31))]


BIRTHS = st.one_of(st.integers(date(1900, 1, 1).toordinal(), date(2026, 3, 31).toordinal()),
                   st.integers(1900, 2026).flatmap(lambda y: st.sampled_from(_edge_births(y))))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(BIRTHS, min_size=1, max_size=30), min_size=1, max_size=4),
       st.sampled_from((2024, 2025, 2026)), st.booleans())
def test_birth_date_facts_per_day_equal_the_per_person_ones(chunks, fy, far):
    """member_columns' 75th birthday and 介護 age months, read from a table of each day
    of the span of birth dates (built once, grown for the later chunks' dates), equal the
    column and scalar rules per person; `far`: a date so far off that no table is made."""
    member_facts._DAY_FACTS.clear()
    if far:
        chunks = chunks + [chunks[0] + [date(1, 1, 1).toordinal(), date(9000, 1, 1).toordinal()]]
    for ordinals in chunks:
        col = _col(ordinals)
        at75, care = member_facts._birth_fact_columns(fy, col)
        days = [date.fromordinal(o) for o in ordinals]
        assert at75.tolist() == cal.anniversary_columns(col, 75).tolist() == [
            cal.anniversary(d, 75).toordinal() for d in days]
        assert care.tolist() == cal.care_age_mask_columns(fy, col).tolist() == [
            cal.care_age_mask(fy, d) for d in days]


def test_calendar_columns_outside_the_usual_years():
    """Dates far outside 1850–2200 (a Household built directly) still convert exactly."""
    days = [date(1, 1, 1), date(1700, 2, 28), date(2024, 2, 29), date(9999, 12, 31)]
    key, day = cal.key_day_columns(_col([d.toordinal() for d in days]))
    assert key.tolist() == [cal.month_key(d) for d in days]
    assert day.tolist() == [d.day for d in days]
    assert cal.month_start_columns(key).tolist() == [d.replace(day=1).toordinal() for d in days]


def test_29_february_and_1st_of_month_birthdays():
    """年齢計算ニ関スル法律・民法143条: a 29 February birthday falls on 1 March in a common
    year, and the age is attained the day before (介護保険法9条 counts from that month)."""
    col = _col([date(1960, 2, 29).toordinal(), date(1985, 4, 1).toordinal()])
    assert cal.anniversary_columns(col, 65).tolist() == [date(2025, 3, 1).toordinal(),
                                                         date(2050, 4, 1).toordinal()]
    assert cal.attain_key_columns(col, 40).tolist() == [cal.month_key(date(2000, 2, 28)),
                                                        cal.month_key(date(2025, 3, 31))]


def test_age_is_attained_on_31_december_by_a_1_january_birth():
    """年齢計算ニ関スル法律・民法143条: born 1 January, the age is attained on 31 December
    (as is_65_at_income_year_end counts it): 65 on 2024-12-31 for a 1960-01-01 birth."""
    assert cal.age_on(date(1960, 1, 1), date(2024, 12, 31)) == 65
    assert cal.age_on(date(1960, 1, 1), date(2024, 12, 30)) == 64
    assert cal.age_on(date(1960, 1, 2), date(2024, 12, 31)) == 64
    assert cal.age_on(date(1960, 2, 29), date(2025, 2, 28)) == 65
    assert cal.is_65_at_income_year_end(2025, date(1960, 1, 1))
    # 非自発的失業 (離職日に65歳以上) and 旧被扶養者 (資格取得日に65歳以上) follow it
    assert unemployment.ineligible_reason(Unemployment(date(2024, 12, 31), "11"),
                                          date(1960, 1, 1)) == "離職日に65歳以上"
    assert former_dependent.eligible(date(1960, 1, 1), date(2024, 12, 31))


# ---------------------------------------------------------------- the status rules

@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(ORDINALS, ORDINALS, st.sampled_from(CODES)), min_size=1,
                max_size=12), st.sampled_from((2024, 2025, 2026)))
def test_status_columns_equal_the_scalar_rules(rows, fy):
    """非自発的失業 (§6), 旧被扶養者 (§8), 産前産後 (§5) on any dates."""
    birth, event = _col([b for b, _, _ in rows]), _col([e for _, e, _ in rows])
    codes = [c for _, _, c in rows]
    bs, es = [date.fromordinal(b) for b, _, _ in rows], [date.fromordinal(e) for _, e, _ in rows]
    statuses = [Unemployment(e, c) for e, c in zip(es, codes)]
    assert unemployment.ineligible_columns(codes, event, birth).tolist() == [
        unemployment.ineligible_reason(s, b) is not None for s, b in zip(statuses, bs)]
    assert unemployment.period_mask_columns(fy, event).tolist() == [
        unemployment.period_mask(fy, s) for s in statuses]
    assert former_dependent.eligible_columns(birth, event).tolist() == [
        former_dependent.eligible(b, e) for b, e in zip(bs, es)]
    assert former_dependent.exempt_mask_columns(fy, event).tolist() == [
        former_dependent.exempt_mask(fy, e) for e in es]
    assert former_dependent.half_mask_columns(fy, event).tolist() == [
        former_dependent.half_mask(fy, e) for e in es]
    multiple = np.array([c < "30" for c in codes])
    for expected, actual in ((event, _col([NONE] * len(rows))), (birth, event)):
        want = [childbirth.exempt_mask(fy, Childbirth(
            date.fromordinal(x), None if y == NONE else date.fromordinal(y), bool(m)))
            for x, y, m in zip(expected.tolist(), actual.tolist(), multiple)]
        assert childbirth.exempt_mask_columns(fy, expected, actual, multiple).tolist() == want


def test_care_exempt_periods_are_or_ed_per_person():
    """介護保険適用除外施設 (§13.9): several periods of one person, in any row order."""
    fy = 2025
    spans = [(0, date(2025, 5, 10), date(2025, 7, 1)), (2, date(2025, 4, 1), None),
             (0, date(2025, 11, 1), date(2026, 1, 15)), (0, date(2024, 1, 1), date(2025, 4, 2))]
    person = _col([p for p, _, _ in spans])
    start = _col([a.toordinal() for _, a, _ in spans])
    until = _col([NONE if b is None else b.toordinal() for _, _, b in spans])
    got = care_exempt.facility_mask_columns(fy, 3, person, start, until).tolist()
    want = [care_exempt.facility_mask(fy, [Period(a, b) for p, a, b in spans if p == i])
            for i in range(3)]
    assert got == want and want[0] and not want[1]
