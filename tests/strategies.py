"""Shared hypothesis strategies: realistic household JSON for the shipped tariffs.

A drawn case is ``(tariff_id, household_json)``; the JSON is the contract's
household input (spec/contract.md §1), so every case also exercises the reader.

Shapes drawn (rulebook references in brackets):
- 1–6 persons, birth dates 1945-01-01 .. the end of the fiscal year (newborns join
  on their birth day, 資格取得 = 出生日 [§10.1]);
- 国保 periods: from before the FY or a mid-year join, until null or a mid-year loss
  (up to the next 4月1日);
- persons already 75 before the FY are never insured (後期高齢者医療 [§10.3]); such a
  person is a 特定同一世帯所属者 (with `late_elderly_since`) or just lives there;
- sometimes a 擬制世帯主 (a head who is not insured [§9]);
- incomes 0–30M: 営業等所得, 給与収入, 公的年金等収入 (age ≥ 60), 不動産所得, now and
  then a 分離長期譲渡 with 特別控除, a 純損失の繰越控除 or 所得金額調整控除;
  occasionally 未申告 (`declared: false`); each household draws a ceiling for its
  amounts (40万 … 3,000万) so that the 5割/2割 bands are hit, not only 7割 and none;
- with ``statuses=True``, now and then a special status on an insured person
  (非自発的失業 §6, 産前産後 §5, 旧被扶養者 §8, 介護適用除外施設 §13.9).
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

TARIFF_IDS = ("koriyama/2025", "isesaki/2023", "saga-kashima/2023", "yuzawa/2024",
              "setouchi/2025", "machida/2026", "tokyo-23ku/2026")
# setouchi/2025 does not know its 介護分 (listed under `missing`): a household with a
# 40–64 member is refused by design, so its cases draw nobody of 介護 age.
NO_CARE_TARIFFS = frozenset(("setouchi/2025",))
FY = {tid: int(tid.rsplit("/", 1)[1]) for tid in TARIFF_IDS}

BIRTH_MIN = date(1945, 1, 1)
BIRTH_MAX = date(2025, 12, 31)
DAY = timedelta(days=1)


def fy_start(fy: int) -> date:
    return date(fy, 4, 1)


def fy_end(fy: int) -> date:
    return date(fy + 1, 3, 31)


def next_fy_start(fy: int) -> date:
    return date(fy + 1, 4, 1)


def dates_between(lo: date, hi: date) -> st.SearchStrategy[date]:
    """Dates lo..hi inclusive (lo <= hi)."""
    assert lo <= hi, (lo, hi)
    return st.integers(0, (hi - lo).days).map(lambda n: lo + timedelta(days=n))


def birthday(birth: date, years: int) -> date:
    """The `years`-th birthday; a 29 February birth has it on 1 March in common years."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return date(birth.year + years, 3, 1)


def ranges_for(fy: int, *, member: bool, no_care: bool, full_year: bool) -> list[tuple[date, date]]:
    """Birth-date ranges allowed for a person of fiscal year `fy`."""
    hi = min(BIRTH_MAX, fy_end(fy))
    if full_year:
        hi = min(hi, fy_start(fy))          # must already be insured on 4月1日
    lo = BIRTH_MIN
    if member:
        # still under 75 on 4月2日 of the FY (otherwise never 国保 in this FY)
        lo = date(fy - 75, 4, 2)
        if full_year:
            # does not turn 75 inside the FY (75th birthday on/after next 4月1日)
            lo = date(fy - 74, 4, 1)
    if not no_care:
        return [(lo, hi)]
    # nobody of 介護 age in any month of the FY: attains 40 after the FY ends
    # (born on/after (fy-39)-04-02) or attains 65 by the end of April (born on/before
    # (fy-65)-05-01)
    out = []
    young_lo = max(lo, date(fy - 39, 4, 2))
    if young_lo <= hi:
        out.append((young_lo, hi))
    old_hi = min(hi, date(fy - 65, 5, 1))
    if lo <= old_hi:
        out.append((lo, old_hi))
    return out


def birth_dates(fy: int, *, member: bool, no_care: bool = False, full_year: bool = False,
                adult: bool = False):
    rngs = ranges_for(fy, member=member, no_care=no_care, full_year=full_year)
    if adult:     # 18 or over on 4月1日
        rngs = [(lo, min(hi, date(fy - 18, 4, 1))) for lo, hi in rngs
                if lo <= min(hi, date(fy - 18, 4, 1))]
    # age-banded so that children, working age and the elderly all show up
    parts = []
    for lo, hi in rngs:
        for a, b in ((date(fy - 18, 4, 2), hi), (date(fy - 65, 1, 2), date(fy - 18, 4, 1)),
                     (lo, date(fy - 65, 1, 1))):
            a, b = max(a, lo), min(b, hi)
            if a <= b:
                parts.append(dates_between(a, b))
    return st.one_of(*parts)


def money(hi: int) -> st.SearchStrategy[int]:
    """Yen 0..hi spread over the whole range (plain integers() favours small values,
    which would put nearly every household in the 7割 tier)."""
    return st.builds(lambda h, r: min(hi, h * 100_000 + r),
                     st.integers(0, hi // 100_000), st.integers(0, 99_999))


def amounts(top: int) -> st.SearchStrategy[int]:
    return st.one_of(st.just(0), *(money(min(hi, top)) for hi in
                                   (1_000_000, 2_000_000, 5_000_000, 30_000_000)))


# per-household ceiling on each drawn amount: a low one puts households around the
# 5割/2割 thresholds, which a 0–30M range alone would rarely hit
INCOME_TOPS = (400_000, 1_000_000, 3_000_000, 30_000_000)


def chance(k: int) -> st.SearchStrategy[bool]:
    """True with probability about 1/k (hypothesis favours the ends of a range, so the
    hit is a middle value, not 0)."""
    return st.integers(0, 2 * k - 1).map(lambda v: v // 2 == k // 2)


@st.composite
def incomes(draw, fy: int, birth: date, *, business_only: bool = False,
            undeclared_rate: int = 25, top: int = 30_000_000) -> dict:
    adult = birth <= date(fy - 18, 4, 1)
    inc: dict = {}
    if draw(chance(2 if adult else 10)):
        inc["business_income"] = draw(amounts(top))
    if not business_only and adult:
        if draw(chance(2)):
            inc["salary_revenue"] = draw(st.one_of(
                *(money(min(hi, top)) for hi in (800_000, 3_000_000, 15_000_000))))
        if birth <= date(fy - 61, 1, 1) and draw(chance(2)):
            inc["pension_revenue"] = draw(st.one_of(
                *(money(min(hi, max(top, 1_300_000))) for hi in (1_500_000, 5_000_000))))
        if draw(chance(8)):
            inc["real_estate_income"] = draw(money(min(5_000_000, top)))
        if "salary_revenue" in inc and draw(chance(8)):
            inc["income_adjustment_eligible"] = True        # 所得金額調整控除 (a)
        if draw(chance(12)):
            # 分離長期譲渡 with its 特別控除: after it for 所得割, before it for 軽減判定
            gain = draw(money(min(30_000_000, max(top, 3_000_000))))
            inc["separate"] = [{"kind": "land_long", "income": gain,
                                "special_deduction": draw(st.integers(0, gain))}]
        if draw(chance(12)):
            inc["net_loss_carryover"] = draw(money(min(2_000_000, top)))
    if undeclared_rate and draw(chance(undeclared_rate)):
        inc["declared"] = False
    return inc


@st.composite
def insured_periods(draw, fy: int, birth: date, *, full_year: bool = False) -> list:
    start = fy_start(fy)
    if full_year:
        frm = draw(dates_between(max(birth, date(fy - 5, 1, 1)), start))
        return [{"from": frm.isoformat(), "until": None}]
    if birth <= start and not draw(chance(3)):
        frm = draw(dates_between(max(birth, date(fy - 5, 1, 1)), start))   # insured on 4月1日
    else:
        frm = draw(dates_between(max(birth, start + DAY), fy_end(fy)))      # mid-year join
    until = None
    if draw(chance(3)):      # a mid-year 喪失 (up to the next 4月1日)
        until = draw(dates_between(max(frm, start) + DAY, next_fy_start(fy)))
    return [{"from": frm.isoformat(), "until": None if until is None else until.isoformat()}]


UNEMPLOYMENT_CODES = ("11", "12", "21", "22", "31", "32", "23", "33", "34")


@st.composite
def special_statuses(draw, fy: int, birth: date) -> dict | None:
    """At most one special status for an insured person (rulebook §5, §6, §8, §13.9),
    with dates that make it apply in or near the FY."""
    start, end = fy_start(fy), fy_end(fy)
    kinds = []
    if date(fy - 64, 4, 2) <= birth <= date(fy - 18, 4, 1):
        kinds.append("involuntary_unemployment")
    if date(fy - 50, 4, 2) <= birth <= date(fy - 16, 4, 1):
        kinds.append("childbirth")
    if birth <= date(fy - 65, 4, 1):
        kinds.append("former_dependent")
    if date(fy - 65, 4, 1) <= birth <= date(fy - 39, 4, 1):
        kinds.append("care_exempt_facility")
    if not kinds:
        return None
    kind = draw(st.sampled_from(kinds))
    if kind == "involuntary_unemployment":
        sep = draw(dates_between(date(fy - 1, 1, 1), end))
        code = draw(st.one_of(st.sampled_from(UNEMPLOYMENT_CODES), st.sampled_from(("40", "45"))))
        return {kind: {"separation_date": sep.isoformat(), "reason_code": code}}
    if kind == "childbirth":
        expected = draw(dates_between(date(fy, 1, 1), date(fy + 1, 6, 30)))
        actual = None
        if draw(chance(2)):
            actual = draw(dates_between(expected - timedelta(days=40),
                                        expected + timedelta(days=14))).isoformat()
        return {kind: {"expected_date": expected.isoformat(), "actual_date": actual,
                       "multiple": draw(chance(8))}}
    if kind == "former_dependent":
        lo = max(birthday(birth, 65), date(fy - 4, 1, 1))
        return {kind: {"since": draw(dates_between(min(lo, end), end)).isoformat()}}
    frm = draw(dates_between(date(fy - 2, 1, 1), end))
    until = None
    if draw(chance(3)):
        until = draw(dates_between(max(frm, start) + DAY, next_fy_start(fy))).isoformat()
    return {kind: [{"from": frm.isoformat(), "until": until}]}


@st.composite
def persons(draw, pid: str, fy: int, role: str, *, no_care: bool = False,
            full_year: bool = False, business_only: bool = False, undeclared_rate: int = 25,
            top: int = 30_000_000, statuses: bool = False):
    """role: member (insured) | fictitious (a head with no 国保) | elder (75+, not insured)."""
    if role == "member":
        birth = draw(birth_dates(fy, member=True, no_care=no_care, full_year=full_year))
        insured = draw(insured_periods(fy, birth, full_year=full_year))
    elif role == "fictitious":
        birth = draw(birth_dates(fy, member=False, no_care=no_care, full_year=True,
                                 adult=True))
        insured = []
    else:  # elder: already in 後期高齢者医療 before the FY
        birth = draw(dates_between(BIRTH_MIN, date(fy - 75, 4, 1)))
        insured = []
    p: dict = {"id": pid, "birth_date": birth.isoformat(), "insured": insured,
               "income": draw(incomes(fy, birth, business_only=business_only,
                                      undeclared_rate=undeclared_rate, top=top))}
    if role == "elder" and draw(chance(2)):
        # moved from this household's 国保 at 75: a 特定同一世帯所属者
        p["late_elderly_since"] = birthday(birth, 75).isoformat()
    if (role == "fictitious" and not full_year and birth <= date(fy - 75, 4, 1)
            and draw(chance(2))):
        # a head who left this household's 国保 at 75 is a 特定同一世帯所属者 (§7)
        p["late_elderly_since"] = birthday(birth, 75).isoformat()
    if not business_only and draw(chance(6)):
        p["fixed_asset_tax"] = draw(money(300_000))
    if statuses and insured and draw(chance(3)):
        sts = draw(special_statuses(fy, birth))
        if sts:
            p["statuses"] = sts
    return p


@st.composite
def households(draw, tariff_ids=TARIFF_IDS, *, full_year: bool = False,
               business_only: bool = False, undeclared_rate: int = 25,
               fictitious_head: bool = True, elders: bool = True, statuses: bool = False):
    """(tariff_id, household_json).

    full_year: every insured person is insured on 4月1日 and through March, and nobody
    turns 75 in the FY; no 特定同一世帯所属者 (a 擬制世帯主 may still appear).
    business_only: incomes are 営業等所得 only (so there are no 給与所得者等).
    statuses: now and then a special status (非自発的失業, 産前産後, 旧被扶養者,
    介護適用除外施設) on an insured person.
    """
    tid = draw(st.sampled_from(tariff_ids))
    fy = FY[tid]
    no_care = tid in NO_CARE_TARIFFS
    n = draw(st.integers(1, 6))
    top = draw(st.sampled_from(INCOME_TOPS))
    roles = ["member"] * n
    if n >= 2 and fictitious_head and draw(chance(5)):
        roles[0] = "fictitious"
    if n >= 2 and elders and not full_year:
        for i in range(1, n):
            if draw(chance(10)):
                roles[i] = "elder"
    if "member" not in roles:
        roles[-1] = "member"
    ps = [draw(persons(f"p{i + 1}", fy, role, no_care=no_care, full_year=full_year,
                       business_only=business_only, undeclared_rate=undeclared_rate,
                       top=top, statuses=statuses))
          for i, role in enumerate(roles)]
    return tid, {"id": "H-0001", "fiscal_year": fy, "head": "p1", "persons": ps}
