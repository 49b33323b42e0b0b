"""Hypothesis properties of the special statuses (rulebook §5, §6, §8, §13.9):
none ever raises the tax, and each touches only the months and levies it names."""

from __future__ import annotations

import copy
from datetime import date, timedelta

from hypothesis import given, settings, strategies as st

import levyrules
from conftest import household, person

T = levyrules.load_tariff("koriyama/2025")
FY = 2025
SETTINGS = settings(max_examples=120, deadline=None)


@st.composite
def households(draw):
    n = draw(st.integers(1, 4))
    persons = []
    for i in range(n):
        birth = date(1952, 1, 1) + timedelta(days=draw(st.integers(0, 365 * 50)))
        income = {}
        kind = draw(st.sampled_from(["none", "salary", "business", "pension"]))
        amount = draw(st.integers(0, 8_000_000))
        if kind == "salary":
            income["salary_revenue"] = amount
        elif kind == "business":
            income["business_income"] = amount
        elif kind == "pension":
            income["pension_revenue"] = amount
        start = draw(st.sampled_from([None, "2025-07-01", "2025-10-15"]))
        insured = "FY" if start is None else [(start, None)]
        persons.append(person(f"p{i + 1}", birth.isoformat(), insured=insured, income=income))
    return household(FY, persons)


def assess(data):
    return levyrules.assess(levyrules.Household.from_json(data), T)


def with_status(data, index, statuses):
    d = copy.deepcopy(data)
    d["persons"][index]["statuses"] = statuses
    return d


STATUS = st.one_of(
    st.builds(lambda d, code: {"involuntary_unemployment": {"separation_date": d, "reason_code": code}},
              st.sampled_from(["2024-06-30", "2025-03-31", "2025-08-20", "2025-12-01"]),
              st.sampled_from(["11", "23", "40"])),
    st.builds(lambda d, multi: {"childbirth": {"expected_date": d, "multiple": multi}},
              st.sampled_from(["2025-05-10", "2025-12-10", "2026-05-10", "2026-08-01"]), st.booleans()),
    st.builds(lambda d: {"former_dependent": {"since": d}},
              st.sampled_from(["2023-06-01", "2025-04-01", "2025-09-01"])),
    st.builds(lambda d: {"care_exempt_facility": [{"from": d, "until": None}]},
              st.sampled_from(["2025-04-01", "2025-07-10", "2026-02-01"])),
)


@SETTINGS
@given(households(), st.integers(0, 3), STATUS)
def test_a_status_never_raises_the_tax(data, index, status):
    index %= len(data["persons"])
    plain, special = assess(data), assess(with_status(data, index, status))
    assert special.total <= plain.total
    for name, c in special.components.items():
        assert c.amount <= plain.components[name].amount, name


@SETTINGS
@given(households(), st.integers(0, 3), STATUS)
def test_a_status_touches_only_what_it_names(data, index, status):
    index %= len(data["persons"])
    plain, special = assess(data), assess(with_status(data, index, status))
    kind = next(iter(status))
    for name, c in special.components.items():
        p = plain.components[name]
        if kind == "care_exempt_facility":     # fewer 介護 months, nothing else
            if name != "care":
                assert c == p
            else:
                assert c.months <= p.months and c.income_levy <= p.income_levy
            continue
        assert c.income_levy == p.income_levy and c.asset_levy == p.asset_levy
        assert (c.per_capita, c.per_household, c.months) == (p.per_capita, p.per_household, p.months)
        own = {"involuntary_unemployment": "involuntary_unemployment", "childbirth": "childbirth",
               "former_dependent": "former_dependent"}[kind]
        changed = {k for k in set(c.reductions) | set(p.reductions)
                   if c.reductions.get(k) != p.reductions.get(k)}
        if special.reduction.tier == plain.reduction.tier:
            assert changed <= {own}, (name, changed)
        else:   # only the 30/100 income can change the 軽減 judgement, and only downwards
            assert kind == "involuntary_unemployment"
            assert special.reduction.judgement_income < plain.reduction.judgement_income
    if kind == "childbirth":
        # the 免除 is never more than the mother's own 所得割 + 均等割 for 4 (or 6) months
        for name, c in special.components.items():
            exempt = c.reductions.get("childbirth", 0)
            assert exempt * 12 <= (T.components[name].per_capita
                                   + plain.persons[index].levy_base
                                   * T.components[name].income_rate) * 6 + 12
