"""Household input (世帯情報): attrs types and their JSON reading.

The JSON shape is fixed by the contract (schemas/household.schema.json). Reading
checks every field and raises :class:`InputError` naming its path, e.g.
``persons[1].birth_date: 2025-02-30 is not a date``. Ids are opaque; anything that
looks like a 個人番号 (12 digits with a valid check digit) is refused, and no
error message ever repeats an id or an amount.
"""

from __future__ import annotations

import re
from datetime import date
from collections.abc import Mapping
from typing import Any

import attrs

from .errors import InputError

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
_INCOME_KEYS = frozenset(_AMOUNTS + ("declared", "separate", "income_adjustment_eligible",
                                     "is_family_employee"))
_PERSON_KEYS = frozenset(("id", "birth_date", "insured", "late_elderly_since",
                          "fixed_asset_tax", "income", "statuses"))
_HOUSEHOLD_KEYS = frozenset(("id", "fiscal_year", "municipality", "head", "head_changes",
                             "persons", "relief"))
_STATUS_KEYS = frozenset(("involuntary_unemployment", "childbirth", "former_dependent",
                          "care_exempt_facility"))
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TWELVE = re.compile(r"(?<!\d)\d{12}(?!\d)")


def looks_like_my_number(text: str) -> bool:
    """True when `text` holds 12 digits whose last is a valid 個人番号 check digit
    (行政手続における特定の個人を識別するための番号の利用等に関する法律施行令8条)."""
    for run in _TWELVE.findall(text):
        digits = [int(c) for c in run]
        body, check = digits[:11], digits[11]
        total = 0
        for n in range(1, 12):           # n counts from the right of the 11-digit body
            p = body[11 - n]
            q = n + 1 if n <= 6 else n - 5
            total += p * q
        r = total % 11
        if check == (0 if r <= 1 else 11 - r):
            return True
    return False


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
    income: Income = Income()
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
            from .jsonin import parse
            data = parse(data)
        elif isinstance(data, Mapping) and not isinstance(data, dict):
            data = dict(data)
        elif not isinstance(data, (dict, list, int, float, type(None))):
            raise TypeError("Household.from_json() takes a dict, or JSON text as str or bytes, "
                            f"not {type(data).__name__}")
        return _read_household(data)

    def to_json(self) -> dict:
        return _household_json(self)


# ---------------------------------------------------------------- reading

def _obj(value: Any, path: str, allowed: frozenset, required: tuple = ()) -> dict:
    if not isinstance(value, dict):
        raise InputError(path or "household", "must be an object")
    for key in value:
        if key not in allowed:
            raise InputError(f"{path}.{key}" if path else str(key), "unknown field")
    for key in required:
        if key not in value:
            raise InputError(f"{path}.{key}" if path else key, "is required")
    return value


def _int(value: Any, path: str, minimum: int | None = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(path, f"must be a whole number of yen, not {_kind(value)}")
    if minimum is not None and value < minimum:
        raise InputError(path, "must not be negative")
    return value


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(path, f"must be true or false, not {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number" if not isinstance(value, int) else "an integer"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


def _date(value: Any, path: str) -> date:
    if not isinstance(value, str) or not _DATE.match(value):
        raise InputError(path, "must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(path, f"{value} is not a date") from None


def _opt_date(value: Any, path: str) -> date | None:
    return None if value is None else _date(value, path)


def _id(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise InputError(path, "must be a string id")
    if looks_like_my_number(value):
        raise InputError(path, "looks like a 個人番号 (12 digits with a valid check digit); "
                               "use an opaque id")
    if not _ID.match(value):
        raise InputError(path, "must be an opaque id of letters, digits and . _ : - "
                               "(at most 64 characters)")
    return value


def _periods(value: Any, path: str) -> tuple[Period, ...]:
    if not isinstance(value, list):
        raise InputError(path, "must be a list of periods")
    out = []
    for i, item in enumerate(value):
        p = f"{path}[{i}]"
        _obj(item, p, frozenset(("from", "until")), ("from",))
        start = _date(item["from"], f"{p}.from")
        until = _opt_date(item.get("until"), f"{p}.until")
        if until is not None and until <= start:
            raise InputError(f"{p}.until", "must be after 'from' (it is the first day "
                                           "without coverage)")
        out.append(Period(start, until))
    out.sort(key=lambda q: q.start)
    for a, b in zip(out, out[1:]):
        if a.until is None or a.until > b.start:
            raise InputError(path, "periods overlap")
    return tuple(out)


def _read_income(value: Any, path: str) -> Income:
    _obj(value, path, _INCOME_KEYS)
    kw: dict[str, Any] = {}
    for key in _AMOUNTS:
        if key in value:
            kw[key] = _int(value[key], f"{path}.{key}")
    for revenue, income in (("salary_revenue", "salary_income"),
                            ("pension_revenue", "pension_income")):
        if revenue in kw and income in kw:
            raise InputError(f"{path}.{income}", f"give {revenue} or {income}, not both")
    for key in ("declared", "income_adjustment_eligible", "is_family_employee"):
        if key in value:
            kw[key] = _bool(value[key], f"{path}.{key}")
    if "separate" in value:
        seps = value["separate"]
        if not isinstance(seps, list):
            raise InputError(f"{path}.separate", "must be a list")
        items = []
        for i, s in enumerate(seps):
            p = f"{path}.separate[{i}]"
            _obj(s, p, frozenset(("kind", "income", "special_deduction")), ("kind", "income"))
            if s["kind"] not in SEPARATE_KINDS:
                raise InputError(f"{p}.kind", "must be one of " + ", ".join(SEPARATE_KINDS))
            ded = _int(s.get("special_deduction", 0), f"{p}.special_deduction")
            if ded and s["kind"] not in LAND_KINDS:
                raise InputError(f"{p}.special_deduction",
                                 "only land/building gains (land_*) have a special deduction")
            items.append(SeparateIncome(s["kind"], _int(s["income"], f"{p}.income"), ded))
        kw["separate"] = tuple(items)
    if kw.get("is_family_employee") and kw.get("family_employee_salary_paid"):
        raise InputError(f"{path}.is_family_employee",
                         "a 専従者 cannot also be the 事業主 who pays 専従者給与")
    return Income(**kw)


def _read_statuses(value: Any, path: str) -> Statuses:
    _obj(value, path, _STATUS_KEYS)
    kw: dict[str, Any] = {}
    if value.get("involuntary_unemployment") is not None:
        p = f"{path}.involuntary_unemployment"
        u = _obj(value["involuntary_unemployment"], p,
                 frozenset(("separation_date", "reason_code")), ("separation_date", "reason_code"))
        if not isinstance(u["reason_code"], str) or not re.match(r"^\d{2}$", u["reason_code"]):
            raise InputError(f"{p}.reason_code", "must be a two-digit 離職理由コード such as \"11\"")
        kw["involuntary_unemployment"] = Unemployment(_date(u["separation_date"],
                                                            f"{p}.separation_date"),
                                                      u["reason_code"])
    if value.get("childbirth") is not None:
        p = f"{path}.childbirth"
        c = _obj(value["childbirth"], p, frozenset(("expected_date", "actual_date", "multiple")))
        exp = _opt_date(c.get("expected_date"), f"{p}.expected_date")
        act = _opt_date(c.get("actual_date"), f"{p}.actual_date")
        if exp is None and act is None:
            raise InputError(p, "needs expected_date or actual_date")
        kw["childbirth"] = Childbirth(exp, act, _bool(c.get("multiple", False), f"{p}.multiple"))
    if value.get("former_dependent") is not None:
        p = f"{path}.former_dependent"
        f = _obj(value["former_dependent"], p, frozenset(("since",)), ("since",))
        kw["former_dependent_since"] = _date(f["since"], f"{p}.since")
    if value.get("care_exempt_facility") is not None:
        kw["care_exempt_facility"] = _periods(value["care_exempt_facility"],
                                              f"{path}.care_exempt_facility")
    return Statuses(**kw)


def _read_person(value: Any, path: str) -> Person:
    _obj(value, path, _PERSON_KEYS, ("id", "birth_date", "insured"))
    pid = _id(value["id"], f"{path}.id")
    birth = _date(value["birth_date"], f"{path}.birth_date")
    insured = _periods(value["insured"], f"{path}.insured")
    for i, per in enumerate(insured):
        if per.start < birth:
            raise InputError(f"{path}.insured[{i}].from", "is before the birth date")
    late = _opt_date(value.get("late_elderly_since"), f"{path}.late_elderly_since")
    if late is not None and late < birth:
        raise InputError(f"{path}.late_elderly_since", "is before the birth date")
    income = _read_income(value.get("income", {}), f"{path}.income")
    fat = _int(value.get("fixed_asset_tax", 0), f"{path}.fixed_asset_tax")
    statuses = NO_STATUSES
    if value.get("statuses") is not None:
        statuses = _read_statuses(value["statuses"], f"{path}.statuses")
    return Person(pid, birth, insured, income, fat, late, statuses)


def _read_household(data: Any) -> Household:
    _obj(data, "", _HOUSEHOLD_KEYS, ("id", "fiscal_year", "head", "persons"))
    hid = _id(data["id"], "id")
    fy = data["fiscal_year"]
    if isinstance(fy, bool) or not isinstance(fy, int) or not 2000 <= fy <= 2100:
        raise InputError("fiscal_year", "must be a year such as 2025")
    muni = data.get("municipality")
    if muni is not None and (not isinstance(muni, str) or not re.match(r"^[a-z0-9-]+$|^\d{6}$", muni)):
        raise InputError("municipality", "must be a tariff slug such as \"iwaki\" or a "
                                         "6-digit 団体コード")
    persons_raw = data["persons"]
    if not isinstance(persons_raw, list) or not persons_raw:
        raise InputError("persons", "must be a non-empty list")
    persons = tuple(_read_person(p, f"persons[{i}]") for i, p in enumerate(persons_raw))
    seen: set[str] = set()
    for i, p in enumerate(persons):
        if p.id in seen:
            raise InputError(f"persons[{i}].id", "is used by another person")
        seen.add(p.id)
    head = _id(data["head"], "head")
    if head not in seen:
        raise InputError("head", "names no person of the household")
    changes = []
    raw_changes = data.get("head_changes") or []
    if not isinstance(raw_changes, list):
        raise InputError("head_changes", "must be a list")
    for i, c in enumerate(raw_changes):
        p = f"head_changes[{i}]"
        _obj(c, p, frozenset(("date", "head")), ("date", "head"))
        d = _date(c["date"], f"{p}.date")
        h = _id(c["head"], f"{p}.head")
        if h not in seen:
            raise InputError(f"{p}.head", "names no person of the household")
        changes.append(HeadChange(d, h))
    changes.sort(key=lambda c: c.date)
    relief = data.get("relief") or {}
    if not isinstance(relief, dict):
        raise InputError("relief", "must be an object of facts by relief rule id")
    for rid, facts in relief.items():
        if not re.match(r"^[a-z0-9][a-z0-9_-]*$", rid):
            raise InputError(f"relief.{rid}", "is not a relief rule id")
        _obj(facts, f"relief.{rid}", frozenset(("grade", "previous_income", "current_income",
                                                 "person", "periods")))
        if "person" in facts and facts["person"] not in seen:
            raise InputError(f"relief.{rid}.person", "names no person of the household")
    return Household(hid, fy, head, persons, muni, tuple(changes), dict(relief))


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
