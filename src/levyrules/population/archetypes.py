"""Household archetypes of the synthetic NHI roll (see :mod:`levyrules.population.synth`).

Each archetype builds the persons of one household (contract JSON dicts) from a seeded
``random.Random``: pensioners aged 65–74 alone or as couples, low-income singles,
part-time and salary earners, self-employed households (some with a 専従者), families
with children (some 未就学児), members aged 40–64 (介護分), 擬制世帯主 and 特定同一世帯所属者.
All of it is synthetic. The order of the random draws is part of the output: changing it
changes every population generated from a seed.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

# (kind, weight): the household archetypes and their share of the roll.
KINDS = (
    ("single_pensioner", 27),
    ("couple_pensioners", 17),
    ("single_low_income", 10),
    ("single_salary", 9),
    ("self_employed", 9),
    ("salary_family", 8),
    ("elderly_with_worker", 5),   # a pensioner and a 40–64 child or spouse still working
    ("fictitious_head", 5),       # 擬制世帯主: the head is on employee insurance
    ("specified", 5),             # 特定同一世帯所属者 (後期高齢者医療) + remaining insured
    ("high_income", 2),           # business / real-estate incomes at or above the caps
    ("newborn_family", 3),        # a child born during the year (資格取得 at birth)
)
_KIND_NAMES = tuple(k for k, _ in KINDS)
_KIND_CUM = []
_acc = 0
for _k, _w in KINDS:
    _acc += _w
    _KIND_CUM.append(_acc)
del _acc, _k, _w

DAY = timedelta(days=1)


# ---------------------------------------------------------------- calendar helpers

def fy_first_day(fy: int) -> date:
    return date(fy, 4, 1)


def fy_last_day(fy: int) -> date:
    return date(fy + 1, 3, 31)


def anniv(birth: date, years: int) -> date:
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:                      # 29 February
        return date(birth.year + years, 3, 1)


def mkey(d: date) -> int:
    return d.year * 12 + d.month - 1


def months_in(fy: int, start: date | None, until: date | None) -> int:
    """FY months whose last day falls in [start, until) (the statutory 月割)."""
    k0 = fy * 12 + 3
    a = 0 if start is None else max(0, mkey(start) - k0)
    b = 12 if until is None else min(12, mkey(until) - k0)
    return max(0, b - a)


# ---------------------------------------------------------------- generator

class Gen:
    def __init__(self, rng: random.Random, fy: int):
        self.r = rng
        self.fy = fy
        self.start = fy_first_day(fy)
        self.end = fy_last_day(fy)

    # -- dates
    def birth_for_age(self, age: int) -> date:
        """A birth date giving exactly `age` on 1 April of the fiscal year."""
        lo = date(self.fy - age - 1, 4, 2)
        hi = date(self.fy - age, 4, 1)
        return lo + timedelta(days=self.r.randrange((hi - lo).days + 1))

    def birth_between(self, lo_age: int, hi_age: int) -> date:
        return self.birth_for_age(self.r.randint(lo_age, hi_age))

    def date_in_fy(self, first: date, last: date) -> date:
        return first + timedelta(days=self.r.randrange((last - first).days + 1))

    def since(self, birth: date, earliest_age: int = 0) -> date:
        """A 資格取得日 before the fiscal year (not before birth / a given age)."""
        lo = max(anniv(birth, earliest_age), date(self.fy - 30, 4, 1))
        hi = self.start - DAY * 1
        if lo >= hi:
            return max(birth, self.start - timedelta(days=30)) if birth < self.start else birth
        return lo + timedelta(days=self.r.randrange((hi - lo).days + 1))

    # -- incomes
    def pension(self, age: int) -> dict:
        r = self.r
        x = r.random()
        if x < 0.08:
            return {}
        if x < 0.45:
            rev = r.randrange(600_000, 1_300_000, 1000)      # 基礎年金 only
        elif x < 0.90:
            rev = r.randrange(1_300_000, 2_500_000, 1000)
        else:
            rev = r.randrange(2_500_000, 3_200_000, 1000)
        if age < 65 and r.random() < 0.7:
            rev = rev // 2
        return {"pension_revenue": rev}

    def part_time(self) -> int:
        return self.r.randrange(300_000, 1_500_000, 1000)

    def salary(self) -> int:
        r = self.r
        return r.randrange(1_500_000, 4_500_000, 1000) if r.random() < 0.85 else \
            r.randrange(4_500_000, 9_000_000, 1000)

    def extras(self, inc: dict) -> dict:
        """Occasional small incomes, deductions and 分離課税."""
        r = self.r
        if r.random() < 0.04:
            inc["dividend_income"] = r.randrange(10_000, 300_000, 100)
        if r.random() < 0.03:
            inc["misc_income"] = r.randrange(10_000, 400_000, 100)
        if r.random() < 0.02:
            inc["real_estate_income"] = r.randrange(100_000, 1_500_000, 1000)
        if r.random() < 0.015:
            kind = r.choice(("stocks", "listed_dividends", "land_long"))
            s = {"kind": kind, "income": r.randrange(50_000, 3_000_000, 1000)}
            if kind == "land_long" and r.random() < 0.5:
                s["special_deduction"] = min(s["income"], 1_500_000)
            inc["separate"] = [s]
            if kind == "stocks" and r.random() < 0.3:
                inc["stock_loss_carryover"] = r.randrange(10_000, 500_000, 1000)
        if r.random() < 0.005:
            inc["occasional_income"] = r.randrange(10_000, 1_000_000, 1000)
        if r.random() < 0.005:
            inc["comprehensive_capital_gains_long"] = r.randrange(10_000, 1_000_000, 1000)
        if r.random() < 0.01:
            inc["net_loss_carryover"] = r.randrange(10_000, 800_000, 1000)
        return inc

    def as_income(self, inc: dict) -> dict:
        """Sometimes give the 所得 instead of the 収入 (as a municipal extract might)."""
        r = self.r
        if "salary_revenue" in inc and r.random() < 0.05:
            rev = inc.pop("salary_revenue")
            inc["salary_income"] = max(0, rev - max(550_000, rev * 3 // 10))
        if "pension_revenue" in inc and r.random() < 0.05:
            rev = inc.pop("pension_revenue")
            inc["pension_income"] = max(0, rev - 1_100_000)
        return inc

    # -- persons
    def person(self, pid: str, birth: date, income: dict | None = None, *,
               insured: bool = True, since: date | None = None) -> dict:
        p: dict = {"id": pid, "birth_date": birth.isoformat()}
        if insured:
            frm = since if since is not None else self.since(birth)
            p["insured"] = [{"from": frm.isoformat(), "until": None}]
        else:
            p["insured"] = []
        if self.r.random() < 0.25 and birth.year <= self.fy - 30:
            p["fixed_asset_tax"] = self.r.randrange(5_000, 200_000, 100)
        p["income"] = self.as_income(self.extras(dict(income or {})))
        return p

    def children(self, pids: list[str], n: int, parent_age: int,
                 preschool_share: float = 0.25) -> list[dict]:
        out = []
        for _ in range(n):
            pid = f"p{len(pids) + 1}"
            pids.append(pid)
            hi = min(22, parent_age - 18)
            if self.r.random() < preschool_share:
                age = self.r.randint(0, 5)
            else:
                age = self.r.randint(6, max(6, hi))
            birth = self.birth_for_age(age)
            inc = {}
            if age >= 16 and self.r.random() < 0.3:
                inc["salary_revenue"] = self.r.randrange(100_000, 1_000_000, 1000)
            out.append(self.person(pid, birth, inc, since=self.since(birth)))
        return out


def pick_kind(rng: random.Random) -> str:
    x = rng.randrange(_KIND_CUM[-1])
    for name, cum in zip(_KIND_NAMES, _KIND_CUM):
        if x < cum:
            return name
    raise AssertionError


def _single_pensioner(g: Gen) -> tuple[str, list[dict]]:
    r = g.r
    age = r.randint(65, 74)
    return "p1", [g.person("p1", g.birth_for_age(age), g.pension(age),
                           since=g.since(g.birth_for_age(age), 60))]


def _couple_pensioners(g: Gen) -> tuple[str, list[dict]]:
    r = g.r
    a1 = r.randint(65, 74)
    a2 = max(60, min(74, a1 + r.randint(-5, 3)))
    b1, b2 = g.birth_for_age(a1), g.birth_for_age(a2)
    p2_inc = g.pension(a2)
    if a2 < 65 and r.random() < 0.4:
        p2_inc = {"salary_revenue": g.part_time()}
    return "p1", [g.person("p1", b1, g.pension(a1), since=g.since(b1, 60)),
                  g.person("p2", b2, p2_inc, since=g.since(b2, 55))]


def _single_low_income(g: Gen) -> tuple[str, list[dict]]:
    r = g.r
    age = r.randint(20, 64)
    x = r.random()
    inc = {} if x < 0.45 else ({"salary_revenue": g.part_time()} if x < 0.85
                               else {"business_income": r.randrange(100_000, 1_200_000, 1000)})
    return "p1", [g.person("p1", g.birth_for_age(age), inc)]


def _single_salary(g: Gen) -> tuple[str, list[dict]]:
    r = g.r
    age = r.randint(20, 64)
    inc = {"salary_revenue": g.salary()}
    return "p1", [g.person("p1", g.birth_for_age(age), inc)]


def _self_employed(g: Gen) -> tuple[str, list[dict]]:
    r = g.r
    age = r.randint(28, 70)
    b1 = g.birth_for_age(age)
    biz = r.randrange(200_000, 6_000_000, 1000)
    head_inc: dict = {"business_income": biz}
    if age >= 60 and r.random() < 0.4:
        head_inc.update(g.pension(age))
    spouse = None
    if r.random() < 0.75:
        a2 = max(20, min(74, age + r.randint(-6, 3)))
        spouse_inc: dict = {}
        if r.random() < 0.4 and biz > 1_500_000:   # 専従者
            paid = r.randrange(600_000, 1_800_000, 1000)
            head_inc["family_employee_salary_paid"] = paid
            spouse_inc = {"salary_revenue": paid, "is_family_employee": True}
        elif r.random() < 0.3:
            spouse_inc = {"salary_revenue": g.part_time()}
        elif a2 >= 65:
            spouse_inc = g.pension(a2)
        spouse = (a2, spouse_inc)
    persons = [g.person("p1", b1, head_inc)]
    pids = ["p1"]
    if spouse is not None:
        persons.append(g.person("p2", g.birth_for_age(spouse[0]), spouse[1]))
        pids.append("p2")
    if 25 <= age <= 55 and r.random() < 0.55:
        persons += g.children(pids, r.randint(1, 3), age)
    return "p1", persons


def _salary_family(g: Gen) -> tuple[str, list[dict]]:
    r = g.r
    age = r.randint(25, 55)
    head_inc = {"salary_revenue": g.salary()}
    if r.random() < 0.05:
        head_inc["income_adjustment_eligible"] = True
    persons = [g.person("p1", g.birth_for_age(age), head_inc)]
    pids = ["p1"]
    if r.random() < 0.8:
        a2 = max(20, age + r.randint(-5, 3))
        inc2 = {"salary_revenue": g.part_time()} if r.random() < 0.5 else {}
        persons.append(g.person("p2", g.birth_for_age(a2), inc2))
        pids.append("p2")
    persons += g.children(pids, r.randint(1, 3), age, preschool_share=0.3)
    return "p1", persons


def _elderly_with_worker(g: Gen) -> tuple[str, list[dict]]:
    r = g.r
    a1 = r.randint(65, 74)
    b1 = g.birth_for_age(a1)
    a2 = r.randint(40, 64) if r.random() < 0.7 else r.randint(30, 50)
    inc2 = {"salary_revenue": g.part_time() if r.random() < 0.5 else g.salary()}
    if r.random() < 0.3:
        inc2 = {"business_income": r.randrange(100_000, 3_000_000, 1000)}
    return "p1", [g.person("p1", b1, g.pension(a1), since=g.since(b1, 60)),
                  g.person("p2", g.birth_for_age(a2), inc2)]


def _fictitious_head(g: Gen) -> tuple[str, list[dict]]:
    r = g.r
    # head on employee insurance (社保) or 後期高齢者医療 without a 国保 past
    if r.random() < 0.7:
        age = r.randint(30, 64)
        head = g.person("p1", g.birth_for_age(age), {"salary_revenue": g.salary()},
                        insured=False)
        pids = ["p1"]
        persons = [head]
        if r.random() < 0.6:
            persons += g.children(pids, r.randint(1, 2), age)
        else:
            pa = r.randint(65, 74)   # a parent on 国保
            bp = g.birth_for_age(pa)
            persons.append(g.person("p2", bp, g.pension(pa), since=g.since(bp, 60)))
            pids.append("p2")
        if len(persons) == 1:
            persons += g.children(pids, 1, age)
    else:
        age = r.randint(76, 88)
        head = g.person("p1", g.birth_for_age(age), g.pension(70), insured=False)
        a2 = r.randint(66, 74)
        b2 = g.birth_for_age(a2)
        persons = [head, g.person("p2", b2, g.pension(a2), since=g.since(b2, 60))]
    return "p1", persons


def _specified(g: Gen) -> tuple[str, list[dict]]:
    r = g.r
    # one spouse moved to 後期高齢者医療 at 75; the other is still insured
    a_late = r.randint(75, 84)
    b_late = g.birth_for_age(a_late)
    late_since = anniv(b_late, 75)
    a_ins = r.randint(65, 74)
    b_ins = g.birth_for_age(a_ins)
    late_p = g.person("p1", b_late, g.pension(a_late), insured=False)
    late_p["late_elderly_since"] = late_since.isoformat()
    ins_p = g.person("p2", b_ins, g.pension(a_ins), since=g.since(b_ins, 60))
    persons = [late_p, ins_p]
    if r.random() < 0.15:   # a working child still on 国保
        a3 = r.randint(35, 55)
        persons.append(g.person("p3", g.birth_for_age(a3), {"salary_revenue": g.part_time()}))
    head = "p1" if r.random() < 0.8 else "p2"
    return head, persons


def _high_income(g: Gen) -> tuple[str, list[dict]]:
    r = g.r
    age = r.randint(35, 70)
    inc = {"business_income": r.randrange(6_000_000, 30_000_000, 1000)}
    if r.random() < 0.5:
        inc["real_estate_income"] = r.randrange(1_000_000, 10_000_000, 1000)
    persons = [g.person("p1", g.birth_for_age(age), inc)]
    pids = ["p1"]
    if r.random() < 0.7:
        persons.append(g.person("p2", g.birth_for_age(max(25, age - r.randint(0, 5))),
                                {"salary_revenue": r.randrange(1_000_000, 3_000_000, 1000)}))
        pids.append("p2")
    if age <= 55 and r.random() < 0.5:
        persons += g.children(pids, r.randint(1, 3), age)
    return "p1", persons


def _newborn_family(g: Gen) -> tuple[str, list[dict]]:
    r = g.r
    age = r.randint(24, 42)
    persons = [g.person("p1", g.birth_for_age(age), {"salary_revenue": g.salary()}),
               g.person("p2", g.birth_for_age(max(20, age - r.randint(0, 4))),
                        {"salary_revenue": g.part_time()} if r.random() < 0.3 else {})]
    pids = ["p1", "p2"]
    if r.random() < 0.4:
        persons += g.children(pids, 1, age, preschool_share=1.0)
    born = g.date_in_fy(g.start + DAY, date(g.fy + 1, 2, 20))
    pid = f"p{len(pids) + 1}"
    persons.append(g.person(pid, born, {}, since=born))
    return "p1", persons

_BUILDERS = {
    "single_pensioner": _single_pensioner,
    "couple_pensioners": _couple_pensioners,
    "single_low_income": _single_low_income,
    "single_salary": _single_salary,
    "self_employed": _self_employed,
    "salary_family": _salary_family,
    "elderly_with_worker": _elderly_with_worker,
    "fictitious_head": _fictitious_head,
    "specified": _specified,
    "high_income": _high_income,
    "newborn_family": _newborn_family,
}


def build(g: Gen, kind: str) -> tuple[str, list[dict]]:
    """(head id, persons) of one household of the given archetype."""
    return _BUILDERS[kind](g)
