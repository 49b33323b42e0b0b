"""特別徴収 (年金からの天引き): who qualifies and the year's payments (地方税法706条・718条の2以下).

The 世帯主's 国保税 is withheld from the pension when the five conditions of rulebook §12.1
hold (all members 65–74, a pension of at least 180,000円 a year from which 介護保険料 is
already withheld, 国保税 + 介護保険料 ≤ ½ of it, the 世帯主 not turning 75 in the year);
the payments follow §12.2: 仮徴収 in April/June/August, 本徴収 in October/December/February,
平準化, and the first year (普通徴収 until the 本徴収 starts). The dates are the plan's
`special` block (the 年金支給日). Pure: the caller gives the pension facts.
"""

from __future__ import annotations

from datetime import date

import attrs

from ..engine.calendar import age_on, anniversary, fy_end, fy_start
from ..errors import InputError
from ..engine.money import floor_unit
from ..tariff.model import InstallmentPlan
from .installment import SPECIAL_FINAL, SPECIAL_PROVISIONAL, Installment, Schedule
from .ordinary import _remainder_index, spread

PENSION_MINIMUM = 180_000                  # 特別徴収対象年金 年額18万円以上 (§12.1)


@attrs.frozen(slots=True)
class PensionFacts:
    """What the 年金保険者 and 介護保険 records say about the 世帯主 (caller input).

    annual_pension:    特別徴収対象年金 (the pension 介護保険料 is withheld from), yen/year
    care_withheld:     介護保険料 is 特別徴収 from that pension
    care_premium:      the annual 介護保険料 withheld from it
    previous_february: last year's February 国保税 withholding; None = not withheld last
                       year (the first year of 特別徴収)
    """
    annual_pension: int
    care_withheld: bool
    care_premium: int = 0
    previous_february: int | None = None

    def __attrs_post_init__(self):
        for name in ("annual_pension", "care_premium", "previous_february"):
            v = getattr(self, name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 0):
                raise InputError(name, "must be a whole, non-negative number of yen")


@attrs.frozen(slots=True)
class Failure:
    code: str
    text: str


@attrs.frozen(slots=True)
class Eligibility:
    """特別徴収 or not; `failures` lists every condition not met (coded)."""
    eligible: bool
    failures: tuple[Failure, ...]
    judged_on: date

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.failures)

    def to_json(self) -> dict:
        return {"eligible": self.eligible, "judged_on": self.judged_on.isoformat(),
                "failures": [{"code": f.code, "text": f.text} for f in self.failures]}


FAILURE_CODES = ("head_not_insured", "member_outside_65_74", "pension_under_180000",
                 "care_not_withheld", "over_half_of_pension", "head_turns_75")


def special_eligibility(household, assessment, pension: PensionFacts, *,
                        judged_on: date | None = None) -> Eligibility:
    """Whether the household's tax is collected from the 世帯主's pension (rulebook §12.1).

    All are required (each failure is reported with its code):
      head_not_insured      1. the 世帯主 is a 国保被保険者 (a 擬制世帯主 is not)
      member_outside_65_74  2. every 国保 member, the 世帯主 included, is 65–74 on the
                               判定日 (a member who turns 65 during the year is not yet:
                               特別徴収 waits for a later year)
      pension_under_180000  3a. the 特別徴収対象年金 is at least 180,000 a year
      care_not_withheld     3b. 介護保険料 is already withheld from it
      over_half_of_pension  4. 国保税 + 介護保険料 ≤ ½ of that pension
      head_turns_75         5. not in the fiscal year in which the 世帯主 turns 75

    `household` is the Household assessed, `assessment` its Assessment (the annual tax
    and who is insured). The 判定日 defaults to the assessment's 軽減判定日 (1 April, or
    the day liability starts).
    """
    if assessment.total is None:
        raise InputError("total", "the annual tax is unknown (incomplete tariff): 特別徴収 "
                                  "cannot be judged")
    fy = assessment.fiscal_year
    on = judged_on or assessment.reduction.judged_on
    persons = {p.id: p for p in household.persons}
    results = {r.id: r for r in assessment.persons}
    head = persons[household.head]
    fails: list[Failure] = []
    if not results[head.id].months or results[head.id].role != "insured":
        fails.append(Failure("head_not_insured",
                             "世帯主が国保の被保険者ではありません（擬制世帯主）"))
    outside = []
    for r in assessment.persons:
        if not r.months:
            continue
        age = age_on(persons[r.id].birth_date, on)
        if not 65 <= age <= 74:
            outside.append(f"{r.id} ({age})")
    if outside:
        fails.append(Failure("member_outside_65_74",
                             "65歳以上75歳未満でない被保険者がいます: " + ", ".join(outside)))
    if pension.annual_pension < PENSION_MINIMUM:
        fails.append(Failure("pension_under_180000",
                             f"特別徴収対象年金が年額{PENSION_MINIMUM:,}円未満です"))
    if not pension.care_withheld:
        fails.append(Failure("care_not_withheld", "介護保険料が年金から特別徴収されていません"))
    if 2 * (assessment.total + pension.care_premium) > pension.annual_pension:
        fails.append(Failure("over_half_of_pension",
                             "国保税と介護保険料の合計が年金額の2分の1を超えます"))
    at75 = anniversary(head.birth_date, 75)
    if fy_start(fy) <= at75 <= fy_end(fy):
        fails.append(Failure("head_turns_75",
                             f"世帯主が年度内（{at75.isoformat()}）に75歳になります"))
    return Eligibility(not fails, tuple(fails), on)


def special_schedule(total: int, plan: InstallmentPlan, pension: PensionFacts, *,
                     level: bool = False) -> Schedule:
    """特別徴収 payments of a household that qualifies (rulebook §12.2).

    Continuing (pension.previous_february given): 仮徴収 in April/June/August, each the
    previous February's amount; with `level` (平準化) the August amount is changed so
    that the 仮徴収 total is half the annual tax (never below 0); 本徴収 = (annual −
    仮徴収) over October/December/February, floored to the plan's unit, the remainder in
    October. A 仮徴収 beyond the annual tax makes 本徴収 0 and the excess `overpaid`.

    First year (previous_february None; new 65, 転入, or 特別徴収 resumed): the 普通徴収
    periods due before the first 本徴収 date carry the annual tax less the 特別徴収 part;
    the 特別徴収 part, ½ of the annual tax floored to the unit, is withheld in
    October/December/February. [U] The ½ split follows the 住民税 first-year rule
    (名古屋市, 倉敷市) and 竹富町's 国保税 page (普通徴収 to 第3期, then 年金); the city's
    own split may differ.
    """
    sp = plan.special
    if sp is None:
        raise InputError("installments.special", "the tariff has no 特別徴収 dates")
    if total is None or total < 0:
        raise ValueError("special_schedule needs a known, non-negative annual tax")
    unit = plan.unit
    finals = sp.final
    if pension.previous_february is None:
        special_part = floor_unit(total // 2, unit)
        first_final = finals[0].due
        early = [p for p in plan.periods if p.due < first_final]
        out: list[Installment] = []
        if early:
            nums = [p.period for p in early]
            for p, a in zip(early, spread(total - special_part, len(early), unit,
                                          _remainder_index(plan, nums))):
                out.append(Installment(p.period, p.due, a))
        else:                                 # no 普通徴収 period before October
            special_part = total
        for p, a in zip(finals, spread(special_part, len(finals), unit, 0)):
            out.append(Installment(p.period, p.due, a, SPECIAL_FINAL))
        return Schedule(tuple(out))

    prov_amounts = [pension.previous_february] * len(sp.provisional)
    if level and len(prov_amounts) >= 1:
        target = floor_unit(total // 2, unit)
        fixed = sum(prov_amounts[:-1])
        prov_amounts[-1] = max(0, target - fixed)
    prov = [Installment(p.period, p.due, a, SPECIAL_PROVISIONAL)
            for p, a in zip(sp.provisional, prov_amounts)]
    rest = total - sum(prov_amounts)
    if rest < 0:
        final = [Installment(p.period, p.due, 0, SPECIAL_FINAL) for p in finals]
        return Schedule(tuple(prov + final), -rest)
    final = [Installment(p.period, p.due, a, SPECIAL_FINAL)
             for p, a in zip(finals, spread(rest, len(finals), unit, 0))]
    return Schedule(tuple(prov + final))
