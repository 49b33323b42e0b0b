"""Cost of hostile input (issue 9 §1): every figure should stay linear in the input.

    python benchmarks/hostile.py

Times (time.perf_counter; nothing is asserted):

  judgement date   assess() of one person with N one-day insured periods and nobody
                   insured on 1 April (built directly: the reader refuses over 100
                   periods); the 判定日 search was quadratic (100,000: 380 s)
  read_json        the JSON reader on texts near its limits: 1 MiB of whitespace,
                   32 levels of nesting, 100,000 levels (refused), a 1 MiB list of
                   integers, and 100 persons × 100 periods (the largest household)
  from_json        Household.from_json of that largest household
"""

from __future__ import annotations

import json
import time
from datetime import date, timedelta

import levyrules
from levyrules.engine.household import Household, Period, Person, read_json


def _timed(fn, *args) -> tuple[float, str]:
    t0 = time.perf_counter()
    try:
        fn(*args)
        outcome = "ok"
    except levyrules.LevyError as e:
        outcome = f"refused: {str(e)[:60]}"
    return time.perf_counter() - t0, outcome


def judgement_date(tariff) -> None:
    start = date(2025, 4, 2)
    for n in (1_000, 10_000, 100_000):
        periods = tuple(Period(start + timedelta(days=i), start + timedelta(days=i + 1))
                        for i in range(0, 2 * n, 2))
        h = Household("H", 2025, "p1", (Person("p1", date(1980, 1, 1), periods),))
        t, outcome = _timed(levyrules.assess, h, tariff)
        print(f"judgement date   {n:>7,} periods   {t * 1000:9.1f} ms  {outcome}")


def largest_household() -> dict:
    persons = []
    for k in range(100):
        day = date(2025, 4, 1)
        periods = []
        for _ in range(100):
            periods.append({"from": day.isoformat(), "until": (day + timedelta(days=1)).isoformat()})
            day += timedelta(days=3)
        persons.append({"id": f"p{k}", "birth_date": "1980-01-01", "insured": periods,
                        "income": {"business_income": 1_000_000 + k}})
    return {"id": "H", "fiscal_year": 2025, "head": "p0", "persons": persons}


def reader() -> None:
    big = largest_household()
    text = json.dumps(big)
    cases = [
        ("1 MiB of whitespace", "{}" + " " * ((1 << 20) - 2)),
        ("32 levels", "[" * 32 + "]" * 32),
        ("100,000 levels", "[" * 100_000),
        ("1 MiB list of integers", "[" + ",".join(["123456"] * 149_000) + "]"),
        (f"100 × 100 periods ({len(text):,} B)", text),
    ]
    for name, t_ in cases:
        t, outcome = _timed(read_json, t_, "household")
        print(f"read_json        {name:<28} {t * 1000:9.1f} ms  {outcome}")
    t, outcome = _timed(Household.from_json, big)
    print(f"from_json        100 × 100 periods            {t * 1000:9.1f} ms  {outcome}")


def main() -> None:
    tariff = levyrules.load_tariff("koriyama/2025")
    judgement_date(tariff)
    reader()


if __name__ == "__main__":
    main()
