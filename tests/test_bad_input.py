"""Every kind of malformed household gives one clear error naming the field, and no number."""

from __future__ import annotations

import copy

import pytest

import levyrules
from levyrules.engine.household import looks_like_my_number
from conftest import household, person

BASE = household(2025, [person("p1", "1980-01-01", income={"salary_revenue": 3000000}),
                        person("p2", "2015-05-05")])


def bad(mutate):
    data = copy.deepcopy(BASE)
    mutate(data)
    return data


def _set(path, value):
    def f(d):
        cur = d
        for k in path[:-1]:
            cur = cur[k]
        cur[path[-1]] = value
    return f


def _del(path):
    def f(d):
        cur = d
        for k in path[:-1]:
            cur = cur[k]
        del cur[path[-1]]
    return f


CASES = [
    ("not an object", lambda d: d.clear() or d.update({"x": 1}), "household: unknown field (1 unknown key: the 1st of the object)"),
    ("unknown top field", _set(["colour"], "red"), "household: unknown field (1 unknown key: the 5th of the object)"),
    ("missing head", _del(["head"]), "head: is required"),
    ("head not a person", _set(["head"], "p9"), "head: names no person"),
    ("fiscal year text", _set(["fiscal_year"], "2025"), "fiscal_year: must be a year"),
    ("impossible date", _set(["persons", 1, "birth_date"], "2025-02-30"),
     "persons[1].birth_date: not a valid date (YYYY-MM-DD)"),
    ("date format", _set(["persons", 0, "birth_date"], "1980/01/01"),
     "persons[0].birth_date: not a valid date (YYYY-MM-DD)"),
    ("negative income", _set(["persons", 0, "income", "salary_revenue"], -1),
     "persons[0].income.salary_revenue: must not be negative"),
    ("float income", _set(["persons", 0, "income", "salary_revenue"], 3000000.5),
     "persons[0].income.salary_revenue: must be a whole number of yen"),
    ("revenue and income", _set(["persons", 0, "income", "salary_income"], 100),
     "persons[0].income.salary_income: give salary_revenue or salary_income, not both"),
    ("unknown income field", _set(["persons", 0, "income", "wage"], 1),
     "persons[0].income: unknown field (1 unknown key"),
    ("until before from", _set(["persons", 0, "insured"], [{"from": "2025-06-01", "until": "2025-05-01"}]),
     "persons[0].insured[0].until: must be after 'from'"),
    ("overlap", _set(["persons", 0, "insured"], [{"from": "2025-04-01", "until": None},
                                                 {"from": "2025-06-01", "until": None}]),
     "persons[0].insured: periods overlap"),
    ("insured before birth", _set(["persons", 1, "birth_date"], "2025-06-01"),
     "persons[1].insured[0].from: is before the birth date"),
    ("duplicate id", _set(["persons", 1, "id"], "p1"), "persons[1].id: is used by another person"),
    ("empty persons", _set(["persons"], []), "persons: must be a non-empty list"),
    ("bad separate kind", _set(["persons", 0, "income", "separate"], [{"kind": "gold", "income": 1}]),
     "persons[0].income.separate[0].kind: must be one of"),
    ("declared not bool", _set(["persons", 0, "income", "declared"], "no"),
     "persons[0].income.declared: must be true or false"),
    ("reason code", _set(["persons", 0, "statuses"], {"involuntary_unemployment":
                                                      {"separation_date": "2025-01-01", "reason_code": 11}}),
     "persons[0].statuses.involuntary_unemployment.reason_code: must be a two-digit"),
    ("id with spaces", _set(["id"], "a b"), "id: must be an opaque id"),
]


@pytest.mark.parametrize("name, mutate, message", CASES, ids=[c[0] for c in CASES])
def test_bad_household(name, mutate, message):
    with pytest.raises(levyrules.InputError) as e:
        levyrules.Household.from_json(bad(mutate))
    text = str(e.value)
    assert message in text
    assert "\n" not in text
    assert "3000000" not in text          # no amounts in messages


def test_my_number_is_refused_without_echoing_it():
    # a synthetic 12-digit number built with a valid check digit
    body = "12345678901"
    total = sum(int(body[11 - n]) * (n + 1 if n <= 6 else n - 5) for n in range(1, 12))
    r = total % 11
    number = body + str(0 if r <= 1 else 11 - r)
    assert looks_like_my_number(number)
    assert not looks_like_my_number(body + str((int(number[-1]) + 1) % 10))
    for path in (["id"], ["persons", 0, "id"]):
        data = bad(_set(path, number))
        if path[0] == "persons":
            data["head"] = number
        with pytest.raises(levyrules.InputError) as e:
            levyrules.Household.from_json(data)
        assert "個人番号" in str(e.value) and number not in str(e.value)


def test_fiscal_year_mismatch_names_the_field():
    h = levyrules.Household.from_json(BASE)
    with pytest.raises(levyrules.InputError, match="^fiscal_year: "):
        levyrules.assess(h, levyrules.load_tariff("isesaki/2023"))


def test_round_trip_json():
    h = levyrules.Household.from_json(BASE)
    assert levyrules.Household.from_json(h.to_json()) == h
