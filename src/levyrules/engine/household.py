"""Household input (世帯情報): attrs types and their JSON reading.

The JSON shape is fixed by the contract (schemas/household.schema.json). Reading
checks every field and raises :class:`InputError` naming its path, e.g.
``persons[1].birth_date: not a valid date (YYYY-MM-DD)``. Ids are opaque; anything
that looks like a 個人番号 (12 digits with a valid check digit, also written 4-4-4)
is refused, and no error message ever repeats an id, a date, an amount or an
unknown key (that is named by its position). The documented limits (levyrules.engine.fields):
at most 100 persons, 100 periods per list, 100 世帯主変更, 20 条例減免 entries, amounts
under 10^15 yen, dates in the years 1850–2200; a JSON text is read by
:func:`levyrules.engine.jsonread.read_json` (1 MiB, 32 levels, no duplicate keys).
"""

from __future__ import annotations

from datetime import date
from collections.abc import Mapping
from typing import Any

import attrs

from .fields import looks_like_my_number
from .jsonread import read_json

__all__ = ["Household", "Person", "Period", "Income", "SeparateIncome", "Statuses",
           "Unemployment", "Childbirth", "HeadChange", "looks_like_my_number", "read_json"]

SEPARATE_KINDS = ("land_short", "land_long", "land_long_quality", "stocks",
                  "listed_dividends", "futures")
LAND_KINDS = frozenset(("land_short", "land_long", "land_long_quality"))
STOCK_KINDS = frozenset(("stocks", "listed_dividends"))

# Amount fields of INCOME, in contract order. (revenue, income) pairs are exclusive.
_AMOUNTS = ("salary_revenue", "salary_income", "pension_revenue", "pension_income",
            "business_income", "agriculture_income", "real_estate_income",
            "interest_income", "dividend_income", "misc_income",
            "comprehensive_capital_gains_short", "comprehensive_capital_gains_long",
            "occasional_income", "forestry_income", "net_loss_carryover",
            "stock_loss_carryover", "family_employee_salary_paid")
@attrs.frozen(slots=True)
class Period:
    """A span [start, until) with until = the first day without the status (喪失日)."""
    start: date
    until: date | None = None


@attrs.frozen(slots=True)
class SeparateIncome:
    """分離課税の所得: `income` before the special deduction (特別控除)."""
    kind: str
    income: int
    special_deduction: int = 0


@attrs.frozen(slots=True)
class Income:
    """前年の所得 (the previous calendar year). 収入 or 所得, never both of a kind."""
    declared: bool = True
    salary_revenue: int | None = None
    salary_income: int | None = None
    pension_revenue: int | None = None
    pension_income: int | None = None
    business_income: int = 0
    agriculture_income: int = 0
    real_estate_income: int = 0
    interest_income: int = 0
    dividend_income: int = 0
    misc_income: int = 0
    comprehensive_capital_gains_short: int = 0
    comprehensive_capital_gains_long: int = 0
    occasional_income: int = 0
    forestry_income: int = 0
    separate: tuple[SeparateIncome, ...] = ()
    net_loss_carryover: int = 0
    stock_loss_carryover: int = 0
    income_adjustment_eligible: bool = False
    family_employee_salary_paid: int = 0
    is_family_employee: bool = False


NO_INCOME = Income()        # a person with no income given (engine/income.py: derived once)


@attrs.frozen(slots=True)
class Unemployment:
    """非自発的失業 (地方税法703条の5の2): separation date and 離職理由コード."""
    separation_date: date
    reason_code: str


@attrs.frozen(slots=True)
class Childbirth:
    """産前産後 (地方税法703条の5の3)."""
    expected_date: date | None
    actual_date: date | None = None
    multiple: bool = False


@attrs.frozen(slots=True)
class Statuses:
    involuntary_unemployment: Unemployment | None = None
    childbirth: Childbirth | None = None
    former_dependent_since: date | None = None
    care_exempt_facility: tuple[Period, ...] = ()

    @property
    def any(self) -> bool:
        return bool(self.involuntary_unemployment or self.childbirth
                    or self.former_dependent_since or self.care_exempt_facility)


NO_STATUSES = Statuses()


@attrs.frozen(slots=True)
class Person:
    """A person whose data the law uses: an insured member (被保険者), a 擬制世帯主
    or a 特定同一世帯所属者."""
    id: str
    birth_date: date
    insured: tuple[Period, ...] = ()
    income: Income = NO_INCOME
    fixed_asset_tax: int = 0
    late_elderly_since: date | None = None
    statuses: Statuses = NO_STATUSES


@attrs.frozen(slots=True)
class HeadChange:
    """世帯主変更: from `date` the 世帯主 (納税義務者) is `head`."""
    date: date
    head: str


@attrs.frozen(slots=True)
class Household:
    """One 世帯 for one fiscal year (年度)."""
    id: str
    fiscal_year: int
    head: str
    persons: tuple[Person, ...]
    municipality: str | None = None
    head_changes: tuple[HeadChange, ...] = ()
    relief: dict = attrs.field(factory=dict)   # 条例減免 facts by rule id (checked by the rule)

    def person(self, pid: str) -> Person:
        for p in self.persons:
            if p.id == pid:
                return p
        raise KeyError(pid)

    @classmethod
    def from_json(cls, data: Any) -> "Household":
        """Read the contract's household JSON, checking every field: a parsed value
        (a dict), or JSON text as `str` or UTF-8 `bytes`."""
        if isinstance(data, (str, bytes, bytearray)):
            data = read_json(data, "household")        # the one JSON reader
        elif isinstance(data, Mapping) and not isinstance(data, dict):
            data = dict(data)
        elif not isinstance(data, (dict, list, int, float, type(None))):
            raise TypeError("Household.from_json() takes a dict, or JSON text as str or bytes, "
                            f"not {type(data).__name__}")
        return _read_household(data)

    def to_json(self) -> dict:
        return _household_json(self)


# ---------------------------------------------------------------- reading

def _read_household(data: Any) -> Household:
    from .household_read import read_household
    return read_household(data)


# ---------------------------------------------------------------- writing

def _d(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def _household_json(h: Household) -> dict:
    out: dict[str, Any] = {"id": h.id, "fiscal_year": h.fiscal_year}
    if h.municipality:
        out["municipality"] = h.municipality
    out["head"] = h.head
    if h.head_changes:
        out["head_changes"] = [{"date": _d(c.date), "head": c.head} for c in h.head_changes]
    persons = []
    for p in h.persons:
        pj: dict[str, Any] = {"id": p.id, "birth_date": _d(p.birth_date),
                              "insured": [{"from": _d(q.start), "until": _d(q.until)}
                                          for q in p.insured]}
        if p.late_elderly_since:
            pj["late_elderly_since"] = _d(p.late_elderly_since)
        if p.fixed_asset_tax:
            pj["fixed_asset_tax"] = p.fixed_asset_tax
        inc: dict[str, Any] = {}
        default = Income()
        for f in attrs.fields(Income):
            v = getattr(p.income, f.name)
            if v != getattr(default, f.name):
                inc[f.name] = ([attrs.asdict(s) for s in v] if f.name == "separate" else v)
        pj["income"] = inc
        s = p.statuses
        if s.any:
            sj: dict[str, Any] = {}
            if s.involuntary_unemployment:
                u = s.involuntary_unemployment
                sj["involuntary_unemployment"] = {"separation_date": _d(u.separation_date),
                                                  "reason_code": u.reason_code}
            if s.childbirth:
                c = s.childbirth
                sj["childbirth"] = {"expected_date": _d(c.expected_date),
                                    "actual_date": _d(c.actual_date), "multiple": c.multiple}
            if s.former_dependent_since:
                sj["former_dependent"] = {"since": _d(s.former_dependent_since)}
            if s.care_exempt_facility:
                sj["care_exempt_facility"] = [{"from": _d(q.start), "until": _d(q.until)}
                                              for q in s.care_exempt_facility]
            pj["statuses"] = sj
        persons.append(pj)
    out["persons"] = persons
    if h.relief:
        out["relief"] = h.relief
    return out
