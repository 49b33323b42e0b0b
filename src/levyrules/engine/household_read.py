"""Reading a household (世帯情報) from its JSON, every field checked.

Each reader gives its errors relative to the value it was handed and the caller puts
them under its own path (``InputError.within``), so a household that reads cleanly
costs no path strings. Limits: see levyrules.engine.fields.
"""

from __future__ import annotations

import re
from operator import attrgetter
from typing import Any

from ..errors import InputError
from .fields import (MAX_ITEMS, MAX_PERSONS, MAX_RELIEF, a_date, boolean, bounded_list, integer,
                     obj, opaque_id, opt_date, text)
from .household import (LAND_KINDS, NO_INCOME, NO_STATUSES, SEPARATE_KINDS, Childbirth, HeadChange,
                        Household, Income, Period, Person, SeparateIncome, Statuses,
                        Unemployment, _AMOUNTS, _d)

_AMOUNT_KEYS = frozenset(_AMOUNTS)
_AMOUNT_ORDER = {key: i for i, key in enumerate(_AMOUNTS)}
_INCOME_KEYS = frozenset(_AMOUNTS + ("declared", "separate", "income_adjustment_eligible",
                                     "is_family_employee"))
_PERSON_KEYS = frozenset(("id", "birth_date", "insured", "late_elderly_since",
                          "fixed_asset_tax", "income", "statuses"))
_HOUSEHOLD_KEYS = frozenset(("id", "fiscal_year", "municipality", "head", "head_changes",
                             "persons", "relief"))
_STATUS_KEYS = frozenset(("involuntary_unemployment", "childbirth", "former_dependent",
                          "care_exempt_facility"))
_STATUS_ATTR = {"former_dependent": "former_dependent_since"}
_PERIOD_KEYS = frozenset(("from", "until"))
_SEPARATE_KEYS = frozenset(("kind", "income", "special_deduction"))
_UNEMPLOYMENT_KEYS = frozenset(("separation_date", "reason_code"))
_CHILDBIRTH_KEYS = frozenset(("expected_date", "actual_date", "multiple"))
_FORMER_KEYS = frozenset(("since",))
_CHANGE_KEYS = frozenset(("date", "head"))
_RELIEF_KEYS = frozenset(("grade", "previous_income", "current_income", "person", "periods"))
# every key the contract names: the JSON reader shows these in paths, no other key
FIELD_NAMES = (_INCOME_KEYS | _PERSON_KEYS | _HOUSEHOLD_KEYS | _STATUS_KEYS | _PERIOD_KEYS
               | _SEPARATE_KEYS | _UNEMPLOYMENT_KEYS | _CHILDBIRTH_KEYS | _FORMER_KEYS
               | _CHANGE_KEYS | _RELIEF_KEYS)
_REASON = re.compile(r"[0-9]{2}")
_MUNICIPALITY = re.compile(r"[a-z0-9-]{1,40}|[0-9]{6}")
FISCAL_YEARS = range(2000, 2101)        # 年度 a household may be assessed for
_RELIEF_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")


_NO_INCOME = NO_INCOME


def _periods(value: Any, field: str) -> tuple[Period, ...]:
    bounded_list(value, field, MAX_ITEMS, "periods")
    out = []
    for i, item in enumerate(value):
        try:
            obj(item, _PERIOD_KEYS, ("from",))
            start = a_date(item["from"], "from")
            until = item.get("until")
            if until is not None:
                until = a_date(until, "until")
                if until <= start:
                    raise InputError("until", "must be after 'from' (it is the first day "
                                              "without coverage)")
        except InputError as e:
            raise e.within(f"{field}[{i}]") from None
        out.append(Period(start, until))
    if len(out) > 1:
        out.sort(key=attrgetter("start"))
        for a, b in zip(out, out[1:]):
            if a.until is None or a.until > b.start:
                raise InputError(field, "periods overlap")
    return tuple(out)


def _read_separate(value: Any) -> tuple[SeparateIncome, ...]:
    bounded_list(value, "separate", MAX_ITEMS, "items")
    items = []
    for i, s in enumerate(value):
        try:
            obj(s, _SEPARATE_KEYS, ("kind", "income"))
            k = s["kind"]
            if type(k) is not str or k not in SEPARATE_KINDS:
                raise InputError("kind", "must be one of " + ", ".join(SEPARATE_KINDS))
            ded = integer(s.get("special_deduction", 0), "special_deduction")
            if ded and k not in LAND_KINDS:
                raise InputError("special_deduction",
                                 "only land/building gains (land_*) have a special deduction")
            items.append(SeparateIncome(k, integer(s["income"], "income"), ded))
        except InputError as e:
            raise e.within(f"separate[{i}]") from None
    return tuple(items)


def _read_income(value: Any) -> Income:
    obj(value, _INCOME_KEYS)
    if not value:
        return _NO_INCOME
    kw: dict[str, Any] = {}
    amounts = [key for key in value if key in _AMOUNT_KEYS]
    if len(amounts) > 1:        # checked in the order of _AMOUNTS (the first error wins)
        amounts.sort(key=_AMOUNT_ORDER.__getitem__)
    for key in amounts:
        kw[key] = integer(value[key], key)
    if len(amounts) > 1:
        for revenue, income in (("salary_revenue", "salary_income"),
                                ("pension_revenue", "pension_income")):
            if revenue in kw and income in kw:
                raise InputError(income, f"give {revenue} or {income}, not both")
    if len(amounts) == len(value):          # amounts only (the common case)
        return Income(**kw)
    for key in ("declared", "income_adjustment_eligible", "is_family_employee"):
        if key in value:
            kw[key] = boolean(value[key], key)
    if "separate" in value:
        kw["separate"] = _read_separate(value["separate"])
    if kw.get("is_family_employee") and kw.get("family_employee_salary_paid"):
        raise InputError("is_family_employee",
                         "a 専従者 cannot also be the 事業主 who pays 専従者給与")
    return Income(**kw)


def _read_status(key: str, value: Any) -> Any:
    if key == "involuntary_unemployment":
        obj(value, _UNEMPLOYMENT_KEYS, ("separation_date", "reason_code"))
        code = value["reason_code"]
        if type(code) is not str or _REASON.fullmatch(code) is None:
            raise InputError("reason_code", "must be a two-digit 離職理由コード such as \"11\"")
        return Unemployment(a_date(value["separation_date"], "separation_date"), code)
    if key == "childbirth":
        obj(value, _CHILDBIRTH_KEYS)
        exp = opt_date(value.get("expected_date"), "expected_date")
        act = opt_date(value.get("actual_date"), "actual_date")
        if exp is None and act is None:
            raise InputError("", "needs expected_date or actual_date")
        return Childbirth(exp, act, boolean(value.get("multiple", False), "multiple"))
    if key == "former_dependent":
        obj(value, _FORMER_KEYS, ("since",))
        return a_date(value["since"], "since")
    return _periods(value, "")                  # care_exempt_facility


def _read_statuses(value: Any) -> Statuses:
    obj(value, _STATUS_KEYS)
    kw: dict[str, Any] = {}
    for key, v in value.items():
        if v is not None:
            try:
                kw[_STATUS_ATTR.get(key, key)] = _read_status(key, v)
            except InputError as e:
                raise e.within(key) from None
    return Statuses(**kw)


def _read_person(value: Any) -> Person:
    obj(value, _PERSON_KEYS, ("id", "birth_date", "insured"))
    pid = opaque_id(value["id"], "id")
    birth = a_date(value["birth_date"], "birth_date")
    insured = _periods(value["insured"], "insured")
    for i, per in enumerate(insured):
        if per.start < birth:
            raise InputError(f"insured[{i}].from", "is before the birth date")
    late = opt_date(value.get("late_elderly_since"), "late_elderly_since")
    if late is not None and late < birth:
        raise InputError("late_elderly_since", "is before the birth date")
    income = _NO_INCOME
    if "income" in value:
        try:
            income = _read_income(value["income"])
        except InputError as e:
            raise e.within("income") from None
    fat = integer(value.get("fixed_asset_tax", 0), "fixed_asset_tax")
    statuses = NO_STATUSES
    if value.get("statuses") is not None:
        try:
            statuses = _read_statuses(value["statuses"])
        except InputError as e:
            raise e.within("statuses") from None
    return Person(pid, birth, insured, income, fat, late, statuses)


def _read_head_changes(value: Any, seen: set) -> tuple[HeadChange, ...]:
    bounded_list(value, "", MAX_ITEMS, "changes")
    changes = []
    for i, c in enumerate(value):
        try:
            obj(c, _CHANGE_KEYS, ("date", "head"))
            d = a_date(c["date"], "date")
            h = opaque_id(c["head"], "head")
            if h not in seen:
                raise InputError("head", "names no person of the household")
        except InputError as e:
            raise e.within(f"[{i}]") from None
        changes.append((d, i, HeadChange(d, h)))
    changes.sort()
    for (d1, _, _), (d2, i, _) in zip(changes, changes[1:]):
        if d1 == d2:
            raise InputError(f"[{i}].date", "another 世帯主変更 falls on the same date")
    return tuple(c for _, _, c in changes)


def _read_relief_facts(value: Any, seen: set) -> dict:
    obj(value, _RELIEF_KEYS)
    out: dict[str, Any] = {}
    if "grade" in value:
        out["grade"] = text(value["grade"], "grade", 32)     # a grade the tariff names
    for key in ("previous_income", "current_income"):
        if key in value:
            out[key] = integer(value[key], key)
    if "person" in value:
        out["person"] = opaque_id(value["person"], "person")
        if out["person"] not in seen:
            raise InputError("person", "names no person of the household")
    if "periods" in value:
        out["periods"] = [{"from": p.start.isoformat(), "until": _d(p.until)}
                          for p in _periods(value["periods"], "periods")]
    return out


def _read_relief(value: Any, seen: set) -> dict:
    if type(value) is not dict:
        raise InputError("", "must be an object of facts by relief rule id")
    if len(value) > MAX_RELIEF:
        raise InputError("", f"has more than {MAX_RELIEF} entries (the limit)")
    out = {}
    for n, (rid, facts) in enumerate(value.items(), 1):
        if type(rid) is not str or _RELIEF_ID.fullmatch(rid) is None:
            raise InputError("", f"the key {n} is not a relief rule id (lower-case letters, "
                                 "digits, _ and -)")
        try:
            out[rid] = _read_relief_facts(facts, seen)
        except InputError as e:
            raise e.within(rid) from None
    return out


def read_household(data: Any) -> Household:
    """The contract's household JSON (already parsed) as a Household, every field checked."""
    try:
        return _household(data)
    except InputError as e:
        if e.field:
            raise
        raise InputError("household", e.message) from None


def _household(data: Any) -> Household:
    obj(data, _HOUSEHOLD_KEYS, ("id", "fiscal_year", "head", "persons"))
    hid = opaque_id(data["id"], "id")
    fy = data["fiscal_year"]
    if type(fy) is not int or fy not in FISCAL_YEARS:
        raise InputError("fiscal_year", "must be a year such as 2025")
    muni = data.get("municipality")
    if muni is not None and (type(muni) is not str or _MUNICIPALITY.fullmatch(muni) is None):
        raise InputError("municipality", "must be a tariff slug such as \"iwaki\" or a "
                                         "6-digit 団体コード")
    persons_raw = data["persons"]
    if type(persons_raw) is not list or not persons_raw:
        raise InputError("persons", "must be a non-empty list")
    bounded_list(persons_raw, "persons", MAX_PERSONS, "persons")
    persons = []
    seen: set[str] = set()
    for i, p in enumerate(persons_raw):
        try:
            person = _read_person(p)
        except InputError as e:
            raise e.within(f"persons[{i}]") from None
        if person.id in seen:
            raise InputError(f"persons[{i}].id", "is used by another person")
        seen.add(person.id)
        persons.append(person)
    head = opaque_id(data["head"], "head")
    if head not in seen:
        raise InputError("head", "names no person of the household")
    changes: tuple = ()
    relief: dict = {}
    try:
        if "head_changes" in data:
            changes = _read_head_changes(data["head_changes"], seen)
    except InputError as e:
        raise e.within("head_changes") from None
    try:
        if "relief" in data:
            relief = _read_relief(data["relief"], seen)
    except InputError as e:
        raise e.within("relief") from None
    return Household(hid, fy, head, tuple(persons), muni, changes, relief)
