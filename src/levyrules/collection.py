"""Collection (徴収): 期割 of the annual tax, 仮算定, and 特別徴収 (年金天引き).

Every function here is pure: the tariff's :class:`InstallmentPlan` gives the 納期, the
caller gives the amounts and the facts the engine cannot know (the pension, last year's
tax or withholding). Amounts are whole yen and every list of installments adds up to
the amount it splits; nothing is ever negative.

- :func:`ordinary_installments` — 普通徴収 期割 (rulebook §11.4): each period
  floor(total ÷ n) to the plan's unit, the remainder to the period the plan names.
- :func:`provisional_installments`, :func:`final_installments` — 仮算定 (暫定賦課) from
  last year's tax, then 本算定 over the remaining periods (§11.4, functions.md 18).
- :func:`special_eligibility` — the five conditions of 特別徴収 and the 75-in-year
  rule (§12.1), with coded reasons.
- :func:`special_schedule` — 仮徴収 / 本徴収 / 平準化 / first year (§12.2).
- :func:`reschedule` — spread a changed annual tax over the periods not yet due
  (更正, §11.4; 特別徴収 after a change, §12.2); used by :mod:`levyrules.revision`.
"""

from __future__ import annotations

from datetime import date
from typing import Iterable, Sequence

import attrs

from .calendar import age_on, anniversary, fy_end, fy_start
from .errors import InputError
from .money import floor_unit
from .tariff.model import DuePeriod, InstallmentPlan

ORDINARY = "ordinary"                      # 普通徴収 期別
SPECIAL_PROVISIONAL = "special_provisional"  # 特別徴収 仮徴収 (4・6・8月)
SPECIAL_FINAL = "special_final"            # 特別徴収 本徴収 (10・12・2月)
AT_ONCE = "at_once"                        # 随時: due at once (no 納期 left)
KINDS = (ORDINARY, SPECIAL_PROVISIONAL, SPECIAL_FINAL, AT_ONCE)
KIND_JA = {ORDINARY: "普通徴収", SPECIAL_PROVISIONAL: "特別徴収（仮徴収）",
           SPECIAL_FINAL: "特別徴収（本徴収）", AT_ONCE: "随時（直ちに納付）"}

PENSION_MINIMUM = 180_000                  # 特別徴収対象年金 年額18万円以上 (§12.1)


@attrs.frozen(slots=True)
class Installment:
    """One payment of the annual tax: a 普通徴収 期別, a 特別徴収 payment, or an amount
    due at once. `(kind, period)` identifies it within a year."""
    period: int
    due: date
    amount: int
    kind: str = ORDINARY

    @property
    def special(self) -> bool:
        return self.kind in (SPECIAL_PROVISIONAL, SPECIAL_FINAL)

    def to_json(self) -> dict:
        """Contract §4: {"period", "due", "amount"}; "kind" only when not 普通徴収."""
        out = {"period": self.period, "due": self.due.isoformat(), "amount": self.amount}
        if self.kind != ORDINARY:
            out["kind"] = self.kind
        return out

    @staticmethod
    def from_json(data: object, path: str = "installments") -> "Installment":
        if not isinstance(data, dict):
            raise InputError(path, "must be an object {period, due, amount}")
        for key in data:
            if key not in ("period", "due", "amount", "kind"):
                raise InputError(f"{path}.{key}", "unknown field")
        period, amount = data.get("period"), data.get("amount")
        if isinstance(period, bool) or not isinstance(period, int) or period < 1:
            raise InputError(f"{path}.period", "must be a period number (1, 2, ...)")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            raise InputError(f"{path}.amount", "must be a whole, non-negative number of yen")
        due = data.get("due")
        try:
            d = date.fromisoformat(due) if isinstance(due, str) and len(due) == 10 else None
        except ValueError:
            d = None
        if d is None:
            raise InputError(f"{path}.due", "must be a date written YYYY-MM-DD")
        kind = data.get("kind", ORDINARY)
        if kind not in KINDS:
            raise InputError(f"{path}.kind", "must be one of " + ", ".join(KINDS))
        return Installment(period, d, amount, kind)


# ---------------------------------------------------------------- 普通徴収 期割

def _remainder_index(plan: InstallmentPlan | None, periods: Sequence[int]) -> int:
    """Index (into `periods`) of the period that takes the remainder.

    "first"/"last" are the first/last of the periods being split; a period number
    names that period, or the first of them when it is already past (a 更正)."""
    rule = "first" if plan is None else plan.remainder
    if rule == "last":
        return len(periods) - 1
    if isinstance(rule, int) and rule in periods:
        return list(periods).index(rule)
    return 0


def spread(total: int, n: int, unit: int, at: int = 0) -> list[int]:
    """Split `total` into n shares of floor(total ÷ n) to `unit`; share `at` takes the
    remainder. Σ = total, every share ≥ 0."""
    if n <= 0:
        raise ValueError("nothing to spread over")
    if total < 0:
        raise ValueError("a negative amount cannot be spread")
    each = floor_unit(total // n, unit)
    out = [each] * n
    out[at] += total - each * n
    return out


def ordinary_installments(total: int, plan: InstallmentPlan, *,
                          not_before: date | None = None) -> list[Installment]:
    """期割 (普通徴収): the annual tax over the plan's periods (rulebook §11.4).

    Each period gets floor(total ÷ n) to the plan's unit (the tariff's `unit`, which it
    must state: the law's 1,000円 unless the 条例 sets another, often 100円), the
    remainder goes to the period the plan names (default 第1期). With `not_before`
    only the periods due on or after that day are used (a household whose liability
    starts mid-year); when none is left the whole amount is one installment due at
    once on that day.
    """
    if total is None or total < 0:
        raise ValueError("ordinary_installments needs a known, non-negative annual tax")
    periods = [p for p in plan.periods if not_before is None or p.due >= not_before]
    if not periods:
        last = max(p.period for p in plan.periods)
        return [Installment(last + 1, not_before, total, AT_ONCE)]
    nums = [p.period for p in periods]
    amounts = spread(total, len(periods), plan.unit, _remainder_index(plan, nums))
    return [Installment(p.period, p.due, a) for p, a in zip(periods, amounts)]


def installments_json(total: int | None, plan: InstallmentPlan | None,
                      not_before: date | None = None) -> tuple:
    """What `Assessment.installments` holds: contract §4 dicts, or () when the tariff has
    no plan or the total is unknown. `not_before`: the day liability starts (the
    periods due before it are not used)."""
    if plan is None or total is None:
        return ()
    return tuple(i.to_json() for i in ordinary_installments(total, plan, not_before=not_before))


# ---------------------------------------------------------------- 仮算定 / 本算定

def provisional_installments(last_year_total: int | None, plan: InstallmentPlan, *,
                             periods: int | None = None) -> list[Installment]:
    """仮算定 (暫定賦課) for the early periods (April–June) before incomes are known.

    Each of the first `plan.provisional_periods` periods (or `periods`) is last year's
    annual tax × 1/12, 100円未満切捨て; their sum never exceeds ½ of last year's tax
    (a later period gets only what is left under that cap). No last year's tax → 0.
    """
    k = plan.provisional_periods if periods is None else periods
    if k < 0 or k > len(plan.periods):
        raise ValueError(f"{k} provisional periods in a plan of {len(plan.periods)}")
    last = last_year_total or 0
    if last < 0:
        raise ValueError("last year's tax cannot be negative")
    each = floor_unit(last // 12, 100)
    room = last // 2                         # 暫定 total ≤ ½ of last year's tax
    out = []
    for p in plan.periods[:k]:
        a = min(each, room)
        room -= a
        out.append(Installment(p.period, p.due, a))
    return out


@attrs.frozen(slots=True)
class Schedule:
    """A year's payments; `overpaid` is what was collected beyond the annual tax
    (refunded: 過誤納)."""
    installments: tuple[Installment, ...]
    overpaid: int = 0

    @property
    def total(self) -> int:
        return sum(i.amount for i in self.installments)

    def to_json(self) -> dict:
        return {"installments": [i.to_json() for i in self.installments],
                "overpaid": self.overpaid}


def final_installments(total: int, plan: InstallmentPlan,
                       provisional: Sequence[Installment]) -> Schedule:
    """本算定: the annual tax less the 仮算定 amounts, over the remaining periods.

    南伊勢町's rule (rulebook §11.4): each remaining period gets floor(rest ÷ n) to the
    plan's unit and the first 本算定 period takes the remainder (with the default
    `remainder: first`; `last` or a period number move it). When the 仮算定 already
    exceeds the annual tax the remaining periods are 0 and the excess is `overpaid`.
    """
    k = len(provisional)
    rest = total - sum(i.amount for i in provisional)
    later = plan.periods[k:]
    if not later:
        raise ValueError("the plan has no period after the provisional ones")
    if rest < 0:
        return Schedule(tuple(provisional) + tuple(Installment(p.period, p.due, 0)
                                                   for p in later), -rest)
    nums = [p.period for p in later]
    amounts = spread(rest, len(later), plan.unit, _remainder_index(plan, nums))
    return Schedule(tuple(provisional) + tuple(Installment(p.period, p.due, a)
                                               for p, a in zip(later, amounts)))


# ---------------------------------------------------------------- 特別徴収

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


# ---------------------------------------------------------------- 更正: re-spreading

@attrs.frozen(slots=True)
class Respread:
    """The installments after a change of the annual tax, as of a date."""
    installments: tuple[Installment, ...]   # after; Σ = the new annual tax
    fallen_due: int                          # Σ of the earlier amounts due on or before as_of
    paid: int                                # taken as paid (default: fallen_due)
    refund: int                              # 過誤納: paid beyond the new annual tax
    at_once: int                             # due at once (no 納期 left)
    special_stopped: bool                    # 特別徴収 stopped (§12.2)


def reschedule(before: Sequence[Installment], old_total: int, new_total: int, as_of: date,
               plan: InstallmentPlan | None, *, paid: int | None = None) -> Respread:
    """Spread a changed annual tax over what is not yet due (rulebook §11.4, §12.2).

    - Installments due on or before `as_of` have fallen due and keep their amounts.
    - An unchanged annual tax changes nothing (so revising twice is idempotent).
    - 特別徴収 payments not yet due continue after an increase (the plan's
      `special.on_change: continue_increase`, default) and stop after a decrease (or after
      any change with `stop_any`).
    - The rest (new tax − what stays) is spread over the 普通徴収 periods of the plan not
      yet due: floor to the unit, the remainder to the period the plan names (the first
      remaining one by default); none left → one installment due at once on `as_of`.
    - When what has fallen due already exceeds the new tax, the periods not yet due
      become 0 and the fallen-due ones are reduced from the latest back; what was paid
      beyond the new tax is the refund (過誤納). `paid` defaults to what has fallen due.
    """
    if new_total < 0 or old_total < 0:
        raise ValueError("an annual tax cannot be negative")
    before = sorted(before, key=lambda i: (i.due, KINDS.index(i.kind), i.period))
    fallen = sum(i.amount for i in before if i.due <= as_of)
    paid_amount = fallen if paid is None else paid
    if paid_amount < 0:
        raise InputError("paid", "must not be negative")
    if new_total == old_total:
        return Respread(tuple(before), fallen, paid_amount, max(0, paid_amount - new_total),
                        0, False)
    on_change = plan.special.on_change if plan is not None and plan.special else \
        "continue_increase"
    keep_special = new_total > old_total and on_change == "continue_increase"
    fixed: list[Installment] = []
    stopped = False
    for i in before:
        if i.due <= as_of or i.kind == AT_ONCE:
            fixed.append(i)
        elif i.special:
            if keep_special:
                fixed.append(i)
            else:
                stopped = stopped or i.amount > 0
                fixed.append(attrs.evolve(i, amount=0))
    # the 普通徴収 periods not yet due: the plan's, else the earlier ones
    if plan is not None:
        open_periods = [p for p in plan.periods if p.due > as_of]
    else:
        open_periods = [DuePeriod(i.period, i.due) for i in before
                        if i.kind == ORDINARY and i.due > as_of]
    rest = new_total - sum(i.amount for i in fixed)
    at_once = 0
    if rest >= 0:
        if open_periods:
            unit = plan.unit if plan is not None else 100
            nums = [p.period for p in open_periods]
            opened = [Installment(p.period, p.due, a) for p, a in
                      zip(open_periods, spread(rest, len(open_periods), unit,
                                               _remainder_index(plan, nums)))]
        else:
            opened = []
            if rest:
                nums = [i.period for i in before if i.kind in (ORDINARY, AT_ONCE)]
                if plan is not None:
                    nums += [p.period for p in plan.periods]
                opened = [Installment(max(nums, default=0) + 1, as_of, rest, AT_ONCE)]
                at_once = rest
        after = fixed + opened
    else:
        opened = [Installment(p.period, p.due, 0) for p in open_periods]
        cut = -rest
        reduced = []
        for i in reversed(fixed):
            take = min(cut, i.amount)
            cut -= take
            reduced.append(attrs.evolve(i, amount=i.amount - take))
        after = list(reversed(reduced)) + opened
    after.sort(key=lambda i: (i.due, KINDS.index(i.kind), i.period))
    refund = max(0, paid_amount - new_total)
    return Respread(tuple(after), fallen, paid_amount, refund, at_once, stopped)


def match_installments(before: Iterable[Installment], after: Iterable[Installment]):
    """Pairs (key, before amount, after amount, due) over the union of both lists,
    keyed by (kind, period), in due-date order."""
    rows: dict[tuple, list] = {}
    for i in before:
        rows[(i.kind, i.period)] = [i.due, i.amount, 0]
    for i in after:
        row = rows.setdefault((i.kind, i.period), [i.due, 0, 0])
        row[0] = i.due
        row[2] = i.amount
    return sorted(((k, v[1], v[2], v[0]) for k, v in rows.items()),
                  key=lambda r: (r[3], KINDS.index(r[0][0]), r[0][1]))


def installments_text(installments: Sequence, plan: InstallmentPlan | None) -> list[str]:
    """The 期別 lines of a 納税通知書 (for `assess --explain`)."""
    derived = {p.period for p in plan.periods if p.derived} if plan is not None else set()
    unit = plan.unit if plan is not None else 100
    rule = plan.remainder if plan is not None else "first"
    where = {"first": "第1期", "last": "最終期"}.get(rule, f"第{rule}期")
    out = ["", f"■ 期別税額（普通徴収）: 各期 年税額÷期数 の{unit:,}円未満切捨て、端数は{where}"
               "［地方税法20条の4の2第6項・条例の納期］"]
    for i in installments:
        d = i if isinstance(i, dict) else i.to_json()
        label = "随時" if d.get("kind") == AT_ONCE else f"第{d['period']}期"
        note = "（納期限は未公表: 例年の日程から推定）" if d["period"] in derived and \
            d.get("kind", ORDINARY) == ORDINARY else ""
        out.append(f"　{label}　納期限 {d['due']}　{d['amount']:,}円{note}")
    return out
