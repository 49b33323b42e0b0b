"""Property tests: invariants the 国民健康保険税 law really has.

Each property is checked against spec/rulebook.md before it is asserted; where the
law has a cliff the property is restricted so that it holds in law, and the
restriction is explained next to it:

1. more income never lowers the tax (while 給与所得者等の数 stays the same)   §3.3, §3.4
2. no component exceeds its 課税限度額; levy − over_cap = the capped amount   §2, §10.5
3. a reduction (7/5/2割, 未就学児) never raises the tax                        §3, §4.1, §13.2
4. a member who leaves earlier (after the 判定日) never raises the tax          §3.5, §10.1
5. the order of the persons does not matter
6. 月割 is exact: full-year amounts follow from the element sums, twelve
   one-month households add up to the year, split periods change nothing       §10.1, §10.5, §11.2
7. rounding: total = Σ amounts, amounts are whole 100円 (per_component)       §11.1, §11.2
8. determinism
9. the same with special statuses (非自発的失業, 産前産後, 旧被扶養者, 介護適用除外);
   a reduction floored on its own may move its levy one yen the wrong way (defaults §5)
10. a year with no insured month is a tax of 0 with its note (every helper checks it)

Run: python -m pytest tests/test_properties.py -q
"""

from __future__ import annotations

import calendar
import copy
import json
import os
from datetime import date
from fractions import Fraction

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import levyrules
from levyrules.engine.result import NO_INSURED_MONTH

from strategies import (DAY, FY, TARIFF_IDS, dates_between, fy_end, fy_start, households,
                        next_fy_start)

TARIFFS = {tid: levyrules.load_tariff(tid) for tid in TARIFF_IDS}

# LEVYRULES_PROPERTY_EXAMPLES=2000 for a longer bug hunt
EXAMPLES = int(os.environ.get("LEVYRULES_PROPERTY_EXAMPLES", "150"))
settings.register_profile(
    "levyrules-properties", max_examples=EXAMPLES, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROPS = settings(settings.get_profile("levyrules-properties"))


# ---------------------------------------------------------------- helpers

class NoneInsured(Exception):
    """Nobody has an insured month in the FY: there is no 納税義務 (tax 0)."""


def assess(tid: str, hj: dict, **kw):
    """The assessment; a year with no insured month is checked to be a tax of 0 with
    its note (issue 8 §2.4: withdrawn coverage is assessable) and then raised as
    NoneInsured, since the other properties are about households with a 納税義務."""
    r = levyrules.assess(levyrules.Household.from_json(hj), TARIFFS[tid], **kw)
    if NO_INSURED_MONTH in r.notes:
        assert r.total == 0 and all(c.amount == 0 for c in r.components.values())
        assert not any(p.months for p in r.persons)
        raise NoneInsured()
    assert any(p.months for p in r.persons)
    return r


def assess_case(case, **kw):
    """Assess a drawn case; a household with no insured month is not a case."""
    tid, hj = case
    try:
        return assess(tid, hj, **kw)
    except NoneInsured:
        assume(False)


def amounts(r) -> dict[str, int]:
    return {name: c.amount for name, c in r.components.items()}


def total_or_zero(tid: str, hj: dict):
    try:
        r = assess(tid, hj)
    except NoneInsured:
        return 0, {}
    return r.total, amounts(r)


def assert_not_higher(lower_total, lower_amounts, r_high):
    """lower (total, per-component amounts) ≤ those of assessment r_high."""
    assert lower_total <= r_high.total
    for name, amount in lower_amounts.items():
        assert amount <= r_high.components[name].amount, name


def d(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def is_over65_at_income_year_end(fy: int, birth: date) -> bool:
    return birth <= date(fy - 65, 1, 1)


# ================================================================ 1. income monotone

@st.composite
def income_bump(draw, tid: str, hj: dict):
    """A copy of `hj` where one person has more income, with the same 給与所得者等 status.

    Rulebook §3.3/§3.4: W (給与所得者等の数) raises every threshold by 10万 per extra
    earner, so raising a 給与収入 past 55万 (or a 年金収入 past 60万/125万) can move
    the household *into* a 軽減 tier and lower the tax. That is the law, not a bug:
    the bump therefore never crosses those thresholds.
    """
    nat = TARIFFS[tid].national
    fy = FY[tid]
    out = copy.deepcopy(hj)
    i = draw(st.integers(0, len(out["persons"]) - 1))
    p = out["persons"][i]
    inc = p["income"]
    field = draw(st.sampled_from(["business_income", "business_income", "real_estate_income",
                                  "salary_revenue", "pension_revenue"]))
    if field == "salary_revenue" and "salary_revenue" in inc:
        rev, lim = inc["salary_revenue"], nat.earner_salary_over
        if rev < lim:
            inc[field] = draw(st.integers(rev + 1, lim))
            return out
        if rev > lim:
            inc[field] = rev + draw(st.integers(1, 10_000_000))
            return out
    # 公的年金等収入 only for a person with no 給与: with both, 所得金額調整控除 (b) takes
    # the new 年金所得 back off the 給与所得 (合計所得 unchanged) while the 65歳以上
    # 15万 special deduction of the 軽減判定 (§3.2) absorbs it, so the 判定所得 falls
    # (salary 700,000 + pension 0 → 1,100,001: 150,000 → 149,999) and the tier may
    # improve: not "more income".
    if field == "pension_revenue" and "pension_revenue" in inc and "salary_revenue" not in inc:
        over65 = is_over65_at_income_year_end(fy, d(p["birth_date"]))
        rev = inc["pension_revenue"]
        lim = nat.earner_pension_over_65 if over65 else nat.earner_pension_over_under65
        if rev < lim:
            inc[field] = draw(st.integers(rev + 1, lim))
            return out
        if rev > lim:
            inc[field] = rev + draw(st.integers(1, 10_000_000))
            return out
    if field not in ("business_income", "real_estate_income"):
        field = "business_income"
    inc[field] = inc.get(field, 0) + draw(st.one_of(st.integers(1, 200_000),
                                                    st.integers(1, 20_000_000)))
    return out


@PROPS
@given(case=households(), data=st.data())
def test_more_income_never_lowers_the_tax(case, data):
    tid, hj = case
    r1 = assess_case(case)
    richer = data.draw(income_bump(tid, hj), label="richer")
    r2 = assess(tid, richer)
    # the strategy holds 給与所得者等 fixed; the engine must agree
    assert r2.reduction.earners == r1.reduction.earners
    assert r2.reduction.persons == r1.reduction.persons
    # more income never gives a deeper 軽減 (tiers 70 > 50 > 20 > 0). (The 判定所得 itself
    # may fall: above 1,000万 of other income the 公的年金等控除 shrinks, 所得金額調整控除
    # grows and the 15万 deduction absorbs it — but there the tier is 0 either way.)
    assert r2.reduction.tier <= r1.reduction.tier
    assert r2.total >= r1.total
    for name, c in r1.components.items():
        c2 = r2.components[name]
        assert c2.amount >= c.amount, name
        assert c2.levy >= c.levy, name
        assert c2.income_levy >= c.income_levy, name


def test_the_earner_cliff_is_real():
    """Why property 1 holds W fixed (§3.3, §3.4): a 給与収入 raised past 55万 (550,000 →
    560,000) makes a second 給与所得者等, lifts every threshold by 10万, and here
    moves the household from 5割 to 7割: more income, less tax. That is the law."""
    def household(salary2):
        return {"id": "H-cliff", "fiscal_year": 2025, "head": "p1", "persons": [
            {"id": "p1", "birth_date": "1980-06-01", "insured": [{"from": "2020-01-01"}],
             "income": {"salary_revenue": 1_000_000}},
            {"id": "p2", "birth_date": "1982-06-01", "insured": [{"from": "2020-01-01"}],
             "income": {"salary_revenue": salary2}}]}
    r1 = assess("koriyama/2025", household(550_000))
    r2 = assess("koriyama/2025", household(560_000))
    assert (r1.reduction.earners, r1.reduction.tier) == (1, 50)
    assert (r2.reduction.earners, r2.reduction.tier) == (2, 70)
    assert r2.reduction.judgement_income > r1.reduction.judgement_income
    assert r2.total < r1.total


# ================================================================ 2. caps

@PROPS
@given(case=households())
def test_no_component_exceeds_its_cap(case):
    tid, _ = case
    tariff = TARIFFS[tid]
    r = assess_case(case)
    for name, c in r.components.items():
        statutory = tariff.national.caps[name]
        assert c.over_cap >= 0, name
        assert c.levy >= 0, name
        assert 0 <= c.months <= 12, name
        if c.months:
            rates = tariff.components[name]
            assert rates.cap <= statutory, name
            # Policy A (§10.5): the annual cap prorated by the months with a member
            assert tariff.options.cap_policy == "A"
            assert c.cap == rates.cap * c.months // 12, name
        assert c.amount <= c.cap, name
        capped = c.levy - c.over_cap
        assert capped == min(c.levy, c.cap), name
        assert capped == c.amount + c.rounding, name
        # §2: the cap applies after the 軽減: over_cap > 0 only when the levy is over
        assert (c.over_cap > 0) == (c.levy > c.cap), name


@PROPS
@given(case=households(tariff_ids=("koriyama/2025", "machida/2026", "yuzawa/2024"),
                       full_year=True, undeclared_rate=0))
def test_cap_binds_for_very_high_incomes(case):
    """Rulebook §2: above the cap the 軽減 no longer lowers the tax, and more income
    no longer raises it: every component of a 30M+ household sits at its cap."""
    tid, hj = case
    hj = copy.deepcopy(hj)
    members = [p for p in hj["persons"] if p["insured"]]
    members[0]["income"]["business_income"] = 300_000_000
    r = assess(tid, hj)
    for name, c in r.components.items():
        if c.months:
            if name == "care" and not any(
                    _care_months(FY[tid], d(members[0]["birth_date"]))):
                continue
            assert c.amount == c.cap - c.cap % 100, name


# ================================================================ 3. reductions

# contract.md §4: the fixed reduction keys (plus relief.<rule id>)
CONTRACT_REDUCTION_KEYS = frozenset(("statutory", "preschool", "child_under18",
                                     "specified_household", "childbirth",
                                     "involuntary_unemployment", "former_dependent"))


def with_income(hj: dict, **fields) -> dict:
    out = copy.deepcopy(hj)
    for p in out["persons"]:
        p["income"].update(fields)
    return out


@PROPS
@given(case=households())
def test_reductions_never_raise_the_tax(case):
    tid, hj = case
    r = assess_case(case)
    for name, c in r.components.items():
        assert all(v >= 0 for v in c.reductions.values()), name
        assert all(k in CONTRACT_REDUCTION_KEYS or k.startswith("relief.")
                   for k in c.reductions), name
        # levy = gross elements − reductions + the sum of their sub-yen parts (one floor)
        gross = c.income_levy + c.asset_levy + c.per_capita + c.per_household
        assert c.levy == gross - sum(c.reductions.values()) + c.fraction, name
        assert -len(c.reductions) <= c.fraction <= 3, name
    # §3.2 / §4.1 / §13.2: with 所得未申告 there is no 7/5/2割軽減 and no 未就学児軽減.
    # Declaring nobody's income removes exactly those two and nothing else.
    r0 = assess(tid, with_income(hj, declared=False))
    assert r0.reduction.tier == 0 and not r0.reduction.declared
    assert_not_higher(r.total, amounts(r), r0)
    for name, c0 in r0.components.items():
        assert "statutory" not in c0.reductions and "preschool" not in c0.reductions, name
        c = r.components[name]
        # 所得割 and the gross elements are not touched by the 申告 status
        assert (c0.income_levy, c0.asset_levy, c0.per_capita, c0.per_household) == \
               (c.income_levy, c.asset_levy, c.per_capita, c.per_household), name
        assert c0.reductions.get("child_under18") == c.reductions.get("child_under18"), name
        assert c0.reductions.get("specified_household") == \
               c.reductions.get("specified_household"), name


@PROPS
@given(case=households(), data=st.data())
def test_one_undeclared_person_never_lowers_the_tax(case, data):
    """Making any one person's income 未申告 can only remove reductions (§3.2)."""
    tid, hj = case
    r = assess_case(case)
    hj2 = copy.deepcopy(hj)
    i = data.draw(st.integers(0, len(hj2["persons"]) - 1))
    hj2["persons"][i]["income"]["declared"] = False
    r2 = assess(tid, hj2)
    assert_not_higher(r.total, amounts(r), r2)
    assert r2.reduction.tier <= r.reduction.tier
    counted = {p.id for p in r.persons if p.judgement_income is not None}
    if hj2["persons"][i]["id"] in counted:
        assert r2.reduction.tier == 0


@PROPS
@given(case=households(), data=st.data())
def test_preschool_reduction_never_raises_the_tax(case, data):
    """§4.1: a 未就学児 (born on/after (N−6)-04-02) pays half the post-軽減 均等割.
    The same child born one day too early (on (N−6)-04-01) is not one; all else is equal
    (not of 介護 age, under 18, no 65歳 rule), so its tax is never lower."""
    tid, hj = case
    fy = FY[tid]
    first = date(fy - 6, 4, 2)
    birth = data.draw(dates_between(first, min(fy_end(fy), date(2025, 12, 31))), label="birth")
    frm = max(birth, data.draw(dates_between(first, fy_end(fy)), label="from"))
    child = {"id": "kid", "birth_date": birth.isoformat(),
             "insured": [{"from": frm.isoformat(), "until": None}], "income": {}}
    with_child = copy.deepcopy(hj)
    with_child["persons"].append(child)
    older = copy.deepcopy(with_child)
    older["persons"][-1]["birth_date"] = date(fy - 6, 4, 1).isoformat()
    r = assess(tid, with_child)
    r_old = assess(tid, older)
    assert_not_higher(r.total, amounts(r), r_old)
    kid = next(p for p in r.persons if p.id == "kid")
    assert kid.preschool
    assert not next(p for p in r_old.persons if p.id == "kid").preschool
    if r.reduction.declared and kid.months:
        assert r.components["medical"].reductions["preschool"] > 0


# ================================================================ 4. leaving earlier

def post_cap_keys(tariff) -> set[str]:
    """Reductions applied after the cap (§8 default: 旧被扶養者 減免, like other 減免)."""
    return {"former_dependent"} if tariff.options.former_dependent_timing == "after_cap" else set()


def capped_with_post_cap_relief(r, tariff) -> bool:
    """A component over its cap that also has a 減免 applied after the cap.

    The engine then grants the 減免 in proportion to what the cap left (a [U] choice,
    rulebook §8), so a high-income 旧被扶養者 — whose 所得割 is 全額免除 — pushing the
    household over the cap shrinks everyone else's share: their higher income, or
    their staying longer, then *lowers* the amount. Properties 1 and 4 do not hold
    there by construction, so those cases are left out (no special status: never).
    """
    after = post_cap_keys(tariff)
    return any(c.over_cap and any(k in after for k in c.reductions)
               for c in r.components.values())


def check_leaving_earlier(case, pick: int, shift: int):
    """Move one insured period's 喪失日 earlier (to a day after the 判定日) and check
    that no amount rises. `pick` chooses the period, `shift` the new day."""
    tid, hj = case
    r = assess_case(case)
    assume(not capped_with_post_cap_relief(r, TARIFFS[tid]))
    judged_on = r.reduction.judged_on
    fy = FY[tid]
    candidates = []
    for i, p in enumerate(hj["persons"]):
        for k, per in enumerate(p["insured"]):
            lo = max(d(per["from"]), judged_on) + DAY
            hi = d(per["until"]) - DAY if per["until"] else next_fy_start(fy)
            if lo <= hi:
                candidates.append((i, k, lo, hi))
    assume(candidates)
    i, k, lo, hi = candidates[pick % len(candidates)]
    new_until = lo + shift % ((hi - lo).days + 1) * DAY
    earlier = copy.deepcopy(hj)
    earlier["persons"][i]["insured"][k]["until"] = new_until.isoformat()
    try:
        r_early = assess(tid, earlier)
    except NoneInsured:
        return
    # a reduction floored on its own (産前産後, 旧被扶養者 before the cap) can shrink by a
    # yen more than the levy it comes from (see BIRTH_ONE_YEN): the levy before it never
    # rises, the levy by at most one yen per such reduction, the amount by that 100円 step
    if not any([assert_not_higher_but_floors(r_early.components[name], c, name)
                for name, c in r.components.items()]):
        assert_not_higher(r_early.total, amounts(r_early), r)


PICK = st.integers(0, 20)
SHIFT = st.one_of(st.integers(0, 40), st.integers(0, 400))


@PROPS
@given(case=households(), pick=PICK, shift=SHIFT)
def test_leaving_earlier_never_raises_the_tax(case, pick, shift):
    """§10.1 月割 and §3.5: members who leave after the 判定日 do not change the 軽減.

    The new 喪失日 is kept after the 判定日. Otherwise the person may no longer be
    insured on the 判定日, the household's 納税義務 may start later with a different
    判定 (§3.5), and a later joiner's income can then lower the tier: a legal increase.
    """
    check_leaving_earlier(case, pick, shift)


# ================================================================ 5. order of persons

def comparable(r) -> dict:
    j = r.to_json()
    j["persons"] = sorted(j["persons"], key=lambda p: p["id"])
    return j


@PROPS
@given(case=households(), data=st.data())
def test_order_of_persons_does_not_matter(case, data):
    tid, hj = case
    r = assess_case(case)
    shuffled = copy.deepcopy(hj)
    shuffled["persons"] = data.draw(st.permutations(shuffled["persons"]), label="order")
    assert comparable(assess(tid, shuffled)) == comparable(r)


# ================================================================ 6. 月割 and full year

A5_A2 = {2023: (290_000, 535_000), 2024: (295_000, 545_000),
         2025: (305_000, 560_000), 2026: (310_000, 570_000)}   # rulebook §0 / §3.3


def _basic_deduction(aggregate: int) -> int:                     # rulebook §1.3
    if aggregate <= 24_000_000:
        return 430_000
    if aggregate <= 24_500_000:
        return 290_000
    if aggregate <= 25_000_000:
        return 150_000
    return 0


def _attains(birth: date, years: int) -> date:
    """The day an age is attained: the day before the birthday (a 29 Feb birth: 28 Feb)."""
    if (birth.month, birth.day) == (2, 29):
        return date(birth.year + years, 2, 28)
    return date(birth.year + years, birth.month, birth.day) - DAY


def _month_ends(fy: int) -> list[date]:
    out = []
    for i in range(12):
        y, m = (fy, 4 + i) if i < 9 else (fy + 1, i - 8)
        out.append(date(y, m, calendar.monthrange(y, m)[1]))
    return out


def _care_months(fy: int, birth: date) -> list[bool]:
    """§10.2: 40 ≤ age < 65 on the month's last day."""
    a40, a65 = _attains(birth, 40), _attains(birth, 65)
    return [a40 <= end < a65 for end in _month_ends(fy)]


def _birthday(birth: date, years: int) -> date:
    """A birthday; a 29 Feb birth has it on 1 March in common years."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return date(birth.year + years, 3, 1)


def _month_key(day: date) -> int:
    return day.year * 12 + day.month - 1


def oracle(tid: str, hj: dict) -> dict:
    """An independent computation (rulebook defaults) for an 営業等所得-only household.

    §10.1/§10.3: a person counts for a month when insured on its last day, 国保 ending
    on the 75th birthday; §10.2 介護 months; §3.5 判定日 = 4月1日 or the first day a
    member is insured; §3.2/§3.3 判定 over the insured, the 特定同一世帯所属者 and the
    (擬制)世帯主; §7 特定世帯 (one insured + 特定同一世帯所属者; the 特定月 and the 59
    months after it, then 36 more: elapsed < 60 / < 96);
    §3.6/§4.1/§4.3 reduced 均等割・平等割 floored; §1.5/§11.2 exact 月割, one floor per
    component; §2/§10.5 Policy A cap; 100円 cut per component.
    """
    tariff = TARIFFS[tid]
    fy = FY[tid]
    people = hj["persons"]
    for p in people:
        assert set(p["income"]) <= {"business_income", "declared"}
    birth = {p["id"]: d(p["birth_date"]) for p in people}

    def insured_on(p, day):
        if day >= _birthday(birth[p["id"]], 75):
            return False
        return any(d(q["from"]) <= day and (q["until"] is None or day < d(q["until"]))
                   for q in p["insured"])

    ends = _month_ends(fy)
    months = {p["id"]: [insured_on(p, e) for e in ends] for p in people}

    start = fy_start(fy)
    if any(insured_on(p, start) for p in people):
        judged = start
    else:
        judged = min(d(q["from"]) for p in people for q in p["insured"]
                     if d(q["from"]) > start and insured_on(p, d(q["from"])))
    insured_now = [p for p in people if insured_on(p, judged)]
    late_now = [p for p in people if p not in insured_now and p.get("late_elderly_since")
                and d(p["late_elderly_since"]) <= judged]
    head = next(p for p in people if p["id"] == hj["head"])
    counted = insured_now + late_now + ([] if head in insured_now + late_now else [head])
    biz = {p["id"]: p["income"].get("business_income", 0) for p in people}
    declared = all(p["income"].get("declared", True) for p in counted)
    judgement = sum(biz[p["id"]] for p in counted)
    n = len(insured_now) + len(late_now)
    a5, a2 = A5_A2[fy]
    tier = 0
    if declared:
        for t, limit in ((70, 430_000), (50, 430_000 + a5 * n), (20, 430_000 + a2 * n)):
            if judgement <= limit:
                tier = t
                break
    spec = None
    if len(insured_now) == 1 and late_now:
        elapsed = _month_key(judged) - max(_month_key(d(p["late_elderly_since"]))
                                           for p in late_now)
        spec = "specified" if elapsed < 60 else "continuing" if elapsed < 96 else None

    def reduced(x):
        return x * (100 - tier) // 100

    out = {"tier": tier, "judged_on": judged, "persons": n, "specified": spec,
           "components": {}}
    for name in ("medical", "support", "care", "child"):
        if name not in tariff.national.caps:
            continue
        masks = {}
        for p in people:
            mk = months[p["id"]]
            if name == "care":
                mk = [a and b for a, b in zip(mk, _care_months(fy, birth[p["id"]]))]
            if any(mk):
                masks[p["id"]] = mk
        union = sum(any(col) for col in zip(*masks.values())) if masks else 0
        if not union:
            out["components"][name] = {"income_levy": 0, "per_capita": 0, "per_household": 0,
                                       "reductions": {}, "levy": 0, "fraction": 0, "cap": 0,
                                       "over_cap": 0, "amount": 0, "months": 0}
            continue
        rates = tariff.components[name]
        inc = gross_pc = net = Fraction(0)
        red = {"statutory": Fraction(0), "preschool": Fraction(0),
               "child_under18": Fraction(0), "specified_household": Fraction(0)}
        for pid, mk in masks.items():
            m = Fraction(sum(mk), 12)
            b = biz[pid]
            base = max(0, b - _basic_deduction(b))
            pc = rates.per_capita or 0
            inc += base * (rates.income_rate or 0) * m
            if name == "child":
                if birth[pid] >= date(fy - 18, 4, 2):            # §4.3 18歳未満: 10割軽減
                    gross, pay = pc, 0
                    red["child_under18"] += pc * m
                else:
                    adult = rates.per_capita_adult or 0
                    gross, pay = pc + adult, reduced(pc) + reduced(adult)
                    red["statutory"] += (gross - pay) * m
            else:
                gross, pay = pc, reduced(pc)
                red["statutory"] += (gross - pay) * m
                if (name in ("medical", "support") and declared
                        and birth[pid] >= date(fy - 6, 4, 2)):  # §4.1 未就学児
                    half = pay // 2
                    red["preschool"] += (pay - half) * m
                    pay = half
            gross_pc += gross * m
            net += (base * (rates.income_rate or 0) + pay) * m
        hh = Fraction(0)
        if rates.per_household:
            L = Fraction(union, 12)
            h = rates.per_household
            if spec and name != "care":                            # §7: not on 介護分
                if spec == "specified":
                    h = rates.per_household_specified or h // 2
                else:
                    h = rates.per_household_specified_continuing or h * 3 // 4
                red["specified_household"] += (rates.per_household - h) * L
            hh = rates.per_household * L
            red["statutory"] += (h - reduced(h)) * L
            net += reduced(h) * L
        levy = net.numerator // net.denominator
        cap = rates.cap * union // 12
        capped = min(levy, cap)
        hundred = tariff.rounding.hundred
        amount = capped - capped % 100 if hundred == "per_component" else capped
        shown = int(inc) + int(gross_pc) + int(hh) - sum(int(v) for v in red.values())
        out["components"][name] = {
            "income_levy": int(inc), "per_capita": int(gross_pc), "per_household": int(hh),
            "reductions": {k: int(v) for k, v in red.items() if v},
            "levy": levy, "fraction": levy - shown, "cap": cap, "over_cap": levy - capped,
            "amount": amount, "months": union}
    out["total"] = sum(c["amount"] for c in out["components"].values())
    return out


def assert_matches_oracle(tid: str, hj: dict, r) -> None:
    want = oracle(tid, hj)
    assert (r.reduction.tier, r.reduction.judged_on, r.reduction.persons,
            r.specified_household) == \
           (want["tier"], want["judged_on"], want["persons"], want["specified"])
    assert list(r.components) == list(want["components"])
    for name, w in want["components"].items():
        c = r.components[name]
        got = {"income_levy": c.income_levy, "per_capita": c.per_capita,
               "per_household": c.per_household, "reductions": dict(c.reductions),
               "levy": c.levy, "fraction": c.fraction, "cap": c.cap, "over_cap": c.over_cap, "amount": c.amount,
               "months": c.months}
        assert got == w, name
    assert r.total == want["total"]


FULL_YEAR = households(full_year=True, business_only=True)


@PROPS
@given(case=FULL_YEAR)
def test_full_year_matches_the_element_sums(case):
    """Full-year household: each component's levy is floor(Σ base·rate + Σ reduced 均等割
    + reduced 平等割) with one floor (§11.2 default), 介護 prorated by age months
    (§10.2), then the cap (§2) and the 100円 cut."""
    tid, hj = case
    assert_matches_oracle(tid, hj, assess_case(case))


@PROPS
@given(case=households(business_only=True))
def test_mid_year_changes_match_the_element_sums(case):
    """The same with mid-year joins and losses, 75歳到達, 擬制世帯主 and 特定同一世帯所属者:
    Σ_person (所得割 + reduced 均等割) × months/12 + reduced 平等割 × L/12, one floor,
    then min(levy, cap × L/12) (Policy A)."""
    tid, hj = case
    assert_matches_oracle(tid, hj, assess_case(case))


def one_month(hj: dict, fy: int, i: int) -> dict:
    """The same household insured only in month i (0 = April) of the FY."""
    y, m = (fy, 4 + i) if i < 9 else (fy + 1, i - 8)
    start = date(y, m, 1)
    end = date(y + (m == 12), m % 12 + 1, 1)
    out = copy.deepcopy(hj)
    for p in out["persons"]:
        if p["insured"]:
            p["insured"] = [{"from": start.isoformat(), "until": end.isoformat()}]
    return out


@settings(PROPS, max_examples=max(1, EXAMPLES * 2 // 5))
@given(case=FULL_YEAR)
def test_twelve_months_add_up_to_the_year(case):
    """§10.1/§10.5 (Policy A) and §11.2: each one-month household is judged on its
    month's 1st with the same members and incomes, so it gets the same 軽減; its exact
    levy is 1/12 of the year's (month by month for 介護). Each levy is floored once, so
    with no cap binding:  0 ≤ levy(year) − Σ levy(month) ≤ 11, and where membership is
    the same every month, levy(month) = levy(year) // 12 exactly."""
    tid, hj = case
    fy = FY[tid]
    r = assess_case(case)
    monthly = [assess(tid, one_month(hj, fy, i)) for i in range(12)]
    assert all(m.reduction.tier == r.reduction.tier for m in monthly)
    assume(all(c.over_cap == 0 for x in [r] + monthly for c in x.components.values()))
    members = [p for p in hj["persons"] if p["insured"]]
    for name, c in r.components.items():
        levies = [m.components[name].levy for m in monthly]
        assert 0 <= c.levy - sum(levies) <= 11, name
        constant = name != "care" or all(
            len(set(_care_months(fy, d(p["birth_date"])))) == 1 for p in members)
        if constant:
            assert levies == [c.levy // 12] * 12, name


@PROPS
@given(case=households(), data=st.data())
def test_splitting_a_period_changes_nothing(case, data):
    """[from, X) + [X, until) is the same 国保 as [from, until): identical result."""
    tid, hj = case
    fy = FY[tid]
    r = assess_case(case)
    candidates = [(i, k) for i, p in enumerate(hj["persons"]) for k, _ in enumerate(p["insured"])]
    assume(candidates)
    i, k = data.draw(st.sampled_from(candidates), label="who")
    per = hj["persons"][i]["insured"][k]
    lo = d(per["from"]) + DAY
    hi = d(per["until"]) - DAY if per["until"] else date(fy + 1, 6, 30)
    assume(lo <= hi)
    firsts = [v for v in [date(fy, m, 1) for m in range(5, 13)]
              + [date(fy + 1, m, 1) for m in (1, 2, 3)] if lo <= v <= hi]
    x = data.draw(st.one_of(dates_between(lo, hi), *([st.sampled_from(firsts)] if firsts else [])),
                  label="split at")
    split = copy.deepcopy(hj)
    split["persons"][i]["insured"][k:k + 1] = [
        {"from": per["from"], "until": x.isoformat()},
        {"from": x.isoformat(), "until": per["until"]}]
    assert assess(tid, split).to_json() == r.to_json()


@PROPS
@given(case=households(full_year=True))
def test_april_september_split_equals_full_year(case):
    """The brief's case: [Apr–Sep) + [Sep–Apr) for every member equals one full year."""
    tid, hj = case
    fy = FY[tid]
    r = assess_case(case)
    split = copy.deepcopy(hj)
    for p in split["persons"]:
        if p["insured"]:
            p["insured"] = [{"from": p["insured"][0]["from"], "until": f"{fy}-09-01"},
                            {"from": f"{fy}-09-01", "until": f"{fy + 1}-04-01"}]
    assert assess(tid, split).to_json() == r.to_json()


# ================================================================ 7. rounding

@PROPS
@given(case=households())
def test_rounding_and_total(case):
    tid, _ = case
    tariff = TARIFFS[tid]
    r = assess_case(case)
    hundred = tariff.rounding.hundred
    assert hundred in ("per_component", "none")   # the shipped tariffs
    assert r.total == sum(c.amount for c in r.components.values())
    assert r.total_rounding == 0
    for name, c in r.components.items():
        assert 0 <= c.rounding < 100, name
        if hundred == "per_component":
            assert c.amount % 100 == 0, name
            assert c.amount == (c.levy - c.over_cap) // 100 * 100, name
        else:                                        # 保険料 cities: to the yen
            assert c.rounding == 0, name
    # the component set of the year: 子ども分 only from FY2026 (§4.3)
    want = ["medical", "support", "care"] + (["child"] if FY[tid] >= 2026 else [])
    assert list(r.components) == want


# ================================================================ 8. determinism

@PROPS
@given(case=households())
def test_same_input_same_output(case):
    tid, hj = case
    r1 = assess_case(case)
    r2 = assess(tid, copy.deepcopy(hj))
    text = json.dumps(r1.to_json(), ensure_ascii=False, sort_keys=True)
    assert json.dumps(r2.to_json(), ensure_ascii=False, sort_keys=True) == text
    # through the household's own JSON writer
    again = levyrules.Household.from_json(
        json.loads(json.dumps(levyrules.Household.from_json(hj).to_json())))
    assert levyrules.assess(again, TARIFFS[tid]).to_json() == r1.to_json()
    # tracing does not change a figure
    traced = assess(tid, hj, trace=True).to_json()
    assert traced.pop("trace")
    assert traced == r1.to_json()


# ================================================================ 9. special statuses

# The same invariants with 非自発的失業 (§6), 産前産後 (§5), 旧被扶養者 (§8) and
# 介護適用除外施設 (§13.9) on some insured persons.
STATUS_CASES = households(statuses=True)




@PROPS
@given(case=STATUS_CASES, data=st.data())
def test_invariants_hold_with_special_statuses(case, data):
    """Properties 2, 3, 5, 7 and 8 with special statuses. A 減免 applied after the cap
    sits between the capped levy and the amount: amount + rounding is the capped levy
    less those 減免, each floored to the yen on its own (rulebook defaults §5)."""
    tid, hj = case
    tariff = TARIFFS[tid]
    r = assess_case(case)
    after = post_cap_keys(tariff)
    assert r.total == sum(c.amount for c in r.components.values())
    for name, c in r.components.items():
        assert c.over_cap >= 0 and c.levy >= 0, name
        assert all(v >= 0 for v in c.reductions.values()), name
        assert c.levy - c.over_cap == min(c.levy, c.cap), name
        assert c.amount <= c.cap, name
        assert 0 <= c.rounding < 100, name
        if tariff.rounding.hundred == "per_component":
            assert c.amount % 100 == 0, name
        assert set(c.after_cap) <= after, name
        post = sum(v for k, v in c.reductions.items() if k in c.after_cap)
        assert c.amount + c.rounding == c.levy - c.over_cap - post, name
        pre = {k: v for k, v in c.reductions.items() if k not in c.after_cap}
        gross = c.income_levy + c.asset_levy + c.per_capita + c.per_household
        assert c.levy == gross - sum(pre.values()) + c.fraction, name
    shuffled = copy.deepcopy(hj)
    shuffled["persons"] = data.draw(st.permutations(shuffled["persons"]), label="order")
    assert comparable(assess(tid, shuffled)) == comparable(r)
    assert assess(tid, copy.deepcopy(hj)).to_json() == r.to_json()
    traced = assess(tid, hj, trace=True).to_json()
    assert traced.pop("trace")
    assert traced == r.to_json()


# Regression case, found by this property (fixed in d36356d / 6fbcc9d), koriyama/2025:
# p1, a 非自発的失業者 (離職 2024-03-31, code 11: the 特例 covers all of FY2025) with
# 給与収入 1,000,000, leaves on 2025-05-01; p2 stays. p1 is insured on the 判定日 4月1日,
# so the 判定 takes p1's 給与所得 450,000 at 30/100 = 135,000 (7割). Leaving on
# 2025-04-30 (still insured on 4月1日: the same 判定 in law) made the engine judge the
# full 450,000 (5割), because it looked at the insured *months* (counted at month end):
# the total rose from 17,800 to 27,900 (rulebook §6, §3.2, §3.5).
UNEMPLOYED_LEAVER = ("koriyama/2025", {
    "id": "H-0001", "fiscal_year": 2025, "head": "p1", "persons": [
        {"id": "p1", "birth_date": "1961-04-02",
         "insured": [{"from": "2020-01-01", "until": "2025-05-01"}],
         "income": {"salary_revenue": 1_000_000},
         "statuses": {"involuntary_unemployment": {"separation_date": "2024-03-31",
                                                   "reason_code": "11"}}},
        {"id": "p2", "birth_date": "2007-04-02",
         "insured": [{"from": "2020-01-01", "until": None}], "income": {}}]})


@PROPS
@example(case=UNEMPLOYED_LEAVER, pick=0, shift=28)     # until 2025-05-01 → 2025-04-30
@given(case=STATUS_CASES, pick=PICK, shift=SHIFT)
def test_leaving_earlier_never_raises_the_tax_with_special_statuses(case, pick, shift):
    """Property 4 with special statuses: their months are months of 国保, so fewer
    国保 months never mean more tax (a 旧被扶養者-only household even gains the
    平等割 5割 for the months after the others left)."""
    check_leaving_earlier(case, pick, shift)


# Regression case, found by this property (fixed in d36356d), koriyama/2025: one
# 旧被扶養者 (所得割 全額免除), 年金 1,700,000. The 減免 applied after the cap was taken
# from the capped levy already floored to the yen, flooring the component twice
# (rulebook §11.2 default: once): one more yen of 営業等所得 lowered the 支援分 from
# 3,600 to 3,500, and a fully exempt 所得割 still moved the tax.
FD_ONE_YEN = ("koriyama/2025", {
    "id": "H-0001", "fiscal_year": 2025, "head": "p1", "persons": [
        {"id": "p1", "birth_date": "1950-10-01",
         "insured": [{"from": "2020-01-01", "until": None}],
         "income": {"pension_revenue": 1_700_000},
         "statuses": {"former_dependent": {"since": "2021-01-01"}}}]})


# A reduction subtracted from the computed levy is floored to the yen on its own (rulebook
# defaults §5: floor(levy × months/12)), so its floor can step up where the levy's does
# not: koriyama/2025, p1 事業所得 1,930,500 (所得割 ….5), p2 (産前産後 May–Aug) 1,000,034 →
# 1,000,035: 医療 levy 194,178 → 194,179, 支援 74,269 → 74,268 — one yen less for one
# yen more income, 100円 less at a 100円 boundary. The law as the rulebook reads it.
BIRTH_ONE_YEN = ("koriyama/2025", {
    "id": "H-0001", "fiscal_year": 2025, "head": "p1", "persons": [
        {"id": "p1", "birth_date": "1990-05-05", "income": {"business_income": 1_930_500},
         "insured": [{"from": "2020-01-01", "until": None}]},
        {"id": "p2", "birth_date": "1995-05-05", "income": {"business_income": 1_000_034},
         "insured": [{"from": "2020-01-01", "until": None}],
         "statuses": {"childbirth": {"expected_date": "2025-06-20",
                                     "actual_date": "2025-06-15"}}}]})


def assert_not_higher_but_floors(lo, hi, name: str) -> bool:
    """Component `lo` is not higher than `hi`, up to the floor of each reduction that is
    floored on its own (産前産後, 旧被扶養者, 条例減免 — before or after the cap): the levy
    before them is never higher, each may move its yen the wrong way, and the amount by
    that yen's 100円 step. True when that slack was used."""
    keys = {k for x in (lo, hi) for k in x.reductions
            if k in ("childbirth", "former_dependent") or k.startswith("relief.")}
    before = [k for k in keys if k not in hi.after_cap and k not in lo.after_cap]
    computed = [x.levy + sum(x.reductions.get(k, 0) for k in before) for x in (lo, hi)]
    assert computed[0] <= computed[1], name
    pre = [x.amount + x.rounding for x in (lo, hi)]      # levy − over_cap − 減免 after the cap
    assert lo.levy <= hi.levy + len(before), name
    assert pre[0] <= pre[1] + len(keys), name
    assert lo.amount <= hi.amount + (100 if pre[0] > pre[1] else 0), name
    return pre[0] > pre[1] or lo.levy > hi.levy


# The same after the cap (tokyo-23ku/2026, no 100円 step): p3, a 旧被扶養者 with 給与収入
# 1,400,000 → +6: her 所得割 (exempt after the cap) 20,026.x → 20,027.x, the levy's floor
# does not move but the 減免's does: the amount 67,434 → 67,433.
FD_AFTER_CAP_ONE_YEN = ("tokyo-23ku/2026", {
    "id": "H-0001", "fiscal_year": 2026, "head": "p1", "persons": [
        {"id": "p1", "birth_date": "2008-04-02", "income": {},
         "insured": [{"from": "2021-01-01", "until": None}]},
        {"id": "p2", "birth_date": "2008-04-02", "income": {},
         "insured": [{"from": "2021-01-01", "until": None}]},
        {"id": "p3", "birth_date": "1952-02-01", "income": {"salary_revenue": 1_400_000},
         "insured": [{"from": "2021-01-01", "until": None}],
         "statuses": {"former_dependent": {"since": "2022-01-01"}}}]})


@PROPS
@example(case=FD_ONE_YEN, who=0, extra=1)
@example(case=BIRTH_ONE_YEN, who=1, extra=1)
@example(case=FD_AFTER_CAP_ONE_YEN, who=2, extra=6)
@given(case=STATUS_CASES, who=st.integers(0, 5),
       extra=st.one_of(st.integers(1, 200_000), st.integers(1, 20_000_000)))
def test_more_income_never_lowers_the_tax_with_special_statuses(case, who, extra):
    """Property 1 with special statuses: 非自発的失業 takes 給与所得 at 30/100, 産前産後
    and 旧被扶養者 remove 所得割 for some months; none of them makes more 営業等所得 cost
    less tax — except for the floor of each reduction floored on its own
    (BIRTH_ONE_YEN, FD_AFTER_CAP_ONE_YEN): see assert_not_higher_but_floors."""
    tid, hj = case
    r1 = assess_case(case)
    richer = copy.deepcopy(hj)
    inc = richer["persons"][who % len(richer["persons"])]["income"]
    inc["business_income"] = inc.get("business_income", 0) + extra
    r2 = assess(tid, richer)
    assume(not any(capped_with_post_cap_relief(r, TARIFFS[tid]) for r in (r1, r2)))
    assert r2.reduction.earners == r1.reduction.earners
    assert r2.reduction.tier <= r1.reduction.tier
    if not any([assert_not_higher_but_floors(c, r2.components[name], name)
                for name, c in r1.components.items()]):
        assert r2.total >= r1.total


@PROPS
@example(tid="koriyama/2025", birth=date(1950, 10, 1), joined=1919,  # since 2021-01-01
         pension=1_700_000, biz=0, extra=1)
@given(tid=st.sampled_from([t for t in TARIFF_IDS if FY[t] <= 2025]),
       birth=dates_between(date(1948, 4, 2), date(1958, 4, 1)),
       joined=st.integers(0, 4000),
       pension=st.one_of(st.just(0), st.integers(0, 4_000_000)),
       biz=st.integers(0, 5_000_000),
       extra=st.one_of(st.integers(1, 1_000), st.integers(1, 2_000_000)))
def test_a_former_dependents_income_levy_is_fully_exempt(tid, birth, joined, pension, biz,
                                                         extra):
    """§8: a 旧被扶養者's 所得割 is 全額免除. For a household of one 旧被扶養者, more income
    of their own changes no amount, as long as it changes neither the 軽減 tier nor the
    cap (the 減免 is applied after the cap by default)."""
    fy = FY[tid]
    # joined 国保 as a 旧被扶養者 aged 65..74, by the end of the FY (`joined` picks the day)
    first = _birthday(birth, 65)
    last = min(fy_end(fy), _birthday(birth, 75) - DAY)
    assume(first <= last)
    since = first + joined % ((last - first).days + 1) * DAY

    def household(b):
        return {"id": "H-fd", "fiscal_year": fy, "head": "p1", "persons": [
            {"id": "p1", "birth_date": birth.isoformat(),
             "insured": [{"from": since.isoformat(), "until": None}],
             "income": {"pension_revenue": pension, "business_income": b},
             "statuses": {"former_dependent": {"since": since.isoformat()}}}]}

    try:
        r1, r2 = assess(tid, household(biz)), assess(tid, household(biz + extra))
    except NoneInsured:
        assume(False)
    assume(r1.reduction.tier == r2.reduction.tier)
    assume(not any(c.over_cap for r in (r1, r2) for c in r.components.values()))
    assert amounts(r2) == amounts(r1)
