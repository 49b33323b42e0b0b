"""A synthetic city: a deterministic 国民健康保険 roll for demos, tests and benchmarks.

Every household is a dict in the contract's household JSON shape with opaque ids
(``B-000001``, ``p1`` …). Nothing here is personal data: all dates and amounts come from
a seeded ``random.Random``, so the same arguments always give the same population.

The mix imitates a municipal 国保 roll (:mod:`.archetypes`): mostly pensioners aged 65–74
alone or as couples, low-income singles, part-time and salary earners, self-employed
households, families with children (some 未就学児), members aged 40–64 (介護分), 擬制世帯主
and 特定同一世帯所属者, some undeclared incomes, and mid-year changes (資格取得/喪失 within
the year, birthdays crossing 40, 65, 75). With ``city=True`` (what ``levyrules synth``
writes) a few households also get a special status (非自発的失業, 産前産後, 旧被扶養者,
介護適用除外施設) or a 世帯主変更, drawn from a second random stream so that the rest of
each household is the same as without them.

    from levyrules.population.synth import generate, households
    rows = generate(1_000, fiscal_year=2025, seed=20250401)
    for h in households(60_000, 2025, seed=1, city=True): ...
"""

from __future__ import annotations

import os
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Iterator

from ..errors import InputError
from .archetypes import (DAY, KINDS, Gen, anniv, build, fy_first_day, fy_last_day, mkey,
                         months_in, pick_kind)

__all__ = ["generate", "households", "is_full_year", "insured_months", "write", "KINDS",
           "DEFAULT_SEED"]

DEFAULT_SEED = 20250401

def insured_months(person: dict, fy: int) -> int:
    """Months of NHI in the fiscal year for a person dict (cut at 75 or 後期高齢者医療)."""
    birth = date.fromisoformat(person["birth_date"])
    cut = anniv(birth, 75)
    late = person.get("late_elderly_since")
    if late is not None:
        late_d = date.fromisoformat(late)
        if late_d < cut:
            cut = late_d
    total = 0
    for per in person["insured"]:
        start = date.fromisoformat(per["from"])
        if start >= cut:
            continue
        until = per.get("until")
        until_d = cut if until is None else min(date.fromisoformat(until), cut)
        total += months_in(fy, start, until_d)
    return total


def _crosses(fy: int, birth: date, age: int) -> bool:
    """True when the month containing the day before the `age`-th birthday falls
    strictly inside the fiscal year (so 介護分 months are partial)."""
    k = mkey(anniv(birth, age) - DAY)
    k0 = fy * 12 + 3
    return k0 < k < k0 + 12


def is_full_year(household: dict) -> bool:
    """True when every insured member is insured for all 12 months, nobody's 介護分
    status changes within the year (no 40th/65th birthday month inside it), nobody
    reaches 75 or moves to 後期高齢者医療 during the year, and nobody is born in it."""
    fy = household["fiscal_year"]
    start, end = fy_first_day(fy), fy_last_day(fy)
    for p in household["persons"]:
        birth = date.fromisoformat(p["birth_date"])
        late = p.get("late_elderly_since")
        if late is not None and start < date.fromisoformat(late) <= end:
            return False
        if not p["insured"]:
            continue
        if insured_months(p, fy) != 12:
            return False
        if _crosses(fy, birth, 40) or _crosses(fy, birth, 65):
            return False
    return True


def _mid_year(g: Gen, persons: list[dict]) -> None:
    """資格取得 after 1 April or 資格喪失 before 31 March for one insured member
    (moving in/out, leaving or joining employee insurance), or a 後期高齢者医療 move
    recorded as late_elderly_since during the year."""
    r = g.r
    cands = [p for p in persons if p["insured"]]
    if not cands:
        return
    p = r.choice(cands)
    birth = date.fromisoformat(p["birth_date"])
    at75 = anniv(birth, 75)
    x = r.random()
    if x < 0.45:
        # joins during the year (e.g. retired from a company, moved in)
        first = max(g.start + DAY, birth)
        frm = g.date_in_fy(first, date(g.fy + 1, 2, 28)) if first <= date(g.fy + 1, 2, 28) else None
        if frm is not None and frm < at75 - timedelta(days=40):
            p["insured"] = [{"from": frm.isoformat(), "until": None}]
    elif x < 0.9:
        # loses coverage during the year (joins 社保, moves out, dies)
        until = g.date_in_fy(date(g.fy, 5, 2), g.end)
        frm = date.fromisoformat(p["insured"][0]["from"])
        if until > frm:
            p["insured"][0]["until"] = until.isoformat()
    else:
        # two periods: leaves and comes back
        a = g.date_in_fy(date(g.fy, 5, 2), date(g.fy, 9, 30))
        b = g.date_in_fy(a + timedelta(days=31), date(g.fy + 1, 2, 28))
        frm = date.fromisoformat(p["insured"][0]["from"])
        if a > frm:
            p["insured"] = [{"from": frm.isoformat(), "until": a.isoformat()},
                            {"from": b.isoformat(), "until": None}]


def _retarget_birthday(g: Gen, persons: list[dict]) -> None:
    """Move one member's birthday so that they turn 40, 65 or 75 during the year."""
    r = g.r
    cands = [p for p in persons if p["insured"]]
    if not cands:
        return
    p = r.choice(cands)
    birth = date.fromisoformat(p["birth_date"])
    age = g.fy - birth.year - (1 if (birth.month, birth.day) > (4, 1) else 0)
    target = None
    for t in (40, 65, 75):
        if t - 3 <= age <= t:
            target = t
            break
    if target is None:
        return
    # a birthday strictly inside the fiscal year, so the change is mid-year
    new_birth = g.date_in_fy(date(g.fy - target, 4, 15), date(g.fy + 1 - target, 3, 20))
    p["birth_date"] = new_birth.isoformat()
    for per in p["insured"]:
        if date.fromisoformat(per["from"]) < new_birth:
            per["from"] = new_birth.isoformat() if target < 20 else g.since(new_birth, 20).isoformat()
    if target == 75 and r.random() < 0.3:
        # the 後期高齢者医療 move recorded explicitly (makes a 特定同一世帯所属者)
        p["late_elderly_since"] = anniv(new_birth, 75).isoformat()


def _undeclared(g: Gen, persons: list[dict]) -> None:
    p = g.r.choice(persons)
    p["income"] = {"declared": False}


def _assessable(persons: list[dict], fy: int) -> bool:
    return any(insured_months(p, fy) > 0 for p in persons if p["insured"])


def _one(g: Gen, hid: str, full_year_only: bool) -> dict:
    r = g.r
    while True:
        kind = pick_kind(r)
        head, persons = build(g, kind)
        if not full_year_only:
            if r.random() < 0.12:
                _mid_year(g, persons)
            if r.random() < 0.08:
                _retarget_birthday(g, persons)
            if r.random() < 0.03:
                _undeclared(g, persons)
        elif r.random() < 0.03:
            _undeclared(g, persons)
        h = {"id": hid, "fiscal_year": g.fy, "head": head, "persons": persons}
        if not _assessable(persons, g.fy):
            continue
        if full_year_only and not is_full_year(h):
            continue
        return h


def households(n: int, fiscal_year: int = 2025, seed: int = DEFAULT_SEED, *,
               full_year_only: bool = False, id_prefix: str = "B",
               city: bool = False) -> Iterator[dict]:
    """`n` household JSON dicts for `fiscal_year`, reproducible from `seed`, one at a
    time (a million households never sit in memory). With full_year_only=True every
    household satisfies :func:`is_full_year`; with city=True a few get special statuses
    and 世帯主変更 (see the module docstring)."""
    g = Gen(random.Random(seed), fiscal_year)
    width = max(6, len(str(n)))     # ids sort as text in their numeric order
    for i in range(1, n + 1):
        h = _one(g, f"{id_prefix}-{i:0{width}d}", full_year_only)
        if city:
            _special(h, random.Random(f"{seed}:{i}"))
        yield h


def generate(n: int, fiscal_year: int = 2025, seed: int = DEFAULT_SEED, *,
             full_year_only: bool = False, id_prefix: str = "B",
             city: bool = False) -> list[dict]:
    """:func:`households` as a list."""
    return list(households(n, fiscal_year, seed, full_year_only=full_year_only,
                           id_prefix=id_prefix, city=city))


# ---------------------------------------------------------------- special statuses

def _age(p: dict, on: date) -> int:
    b = date.fromisoformat(p["birth_date"])
    return on.year - b.year - ((on.month, on.day) < (b.month, b.day))


def _special(h: dict, r: random.Random) -> None:
    """Now and then a special status or a 世帯主変更 (about 2.3% of households)."""
    fy = h["fiscal_year"]
    start = fy_first_day(fy)
    insured = [p for p in h["persons"] if p["insured"]]
    x = r.random()
    if x < 0.020:       # 非自発的失業: a worker under 65 who lost the job
        cands = [p for p in insured if 18 <= _age(p, start) < 64]
        if cands:
            p = r.choice(cands)
            sep = date(fy - 1, 4, 1) + timedelta(days=r.randrange(700))
            code = r.choice(("11", "12", "21", "22", "31", "32"))
            p.setdefault("statuses", {})["involuntary_unemployment"] = {
                "separation_date": sep.isoformat(), "reason_code": code}
            p["income"].setdefault("salary_revenue", r.randrange(1_500_000, 5_000_000, 1000))
            p["income"].pop("salary_income", None)
    elif x < 0.030:     # 産前産後: an expected birth around the year
        cands = [p for p in insured if 18 <= _age(p, start) <= 44]
        if cands:
            due = start + timedelta(days=r.randrange(-60, 420))
            cb = {"expected_date": due.isoformat(), "multiple": r.random() < 0.02}
            r.choice(cands).setdefault("statuses", {})["childbirth"] = cb
    elif x < 0.040:     # 旧被扶養者: joined at 65+ from a 被用者保険 dependant status
        cands = [p for p in insured if 66 <= _age(p, start) <= 74]
        if cands:
            p = r.choice(cands)
            since = max(date.fromisoformat(p["insured"][0]["from"]),
                        anniv(date.fromisoformat(p["birth_date"]), 65))
            p.setdefault("statuses", {})["former_dependent"] = {"since": since.isoformat()}
    elif x < 0.045:     # 介護保険適用除外施設 for part of the year
        cands = [p for p in insured if 40 <= _age(p, start) <= 63]
        if cands:
            frm = start + timedelta(days=r.randrange(300))
            r.choice(cands).setdefault("statuses", {})["care_exempt_facility"] = [
                {"from": frm.isoformat(), "until": None}]
    elif x < 0.055:     # 世帯主変更 to another insured member during the year
        others = [p for p in insured if p["id"] != h["head"]]
        if others:
            day = start + timedelta(days=r.randrange(1, 365))
            h["head_changes"] = [{"date": min(day, fy_last_day(fy)).isoformat(),
                                  "head": r.choice(others)["id"]}]


# ---------------------------------------------------------------- files

def write(out: str | os.PathLike, n: int, fiscal_year: int, seed: int,
          fmt: str = "jsonl") -> Path:
    """Write a synthetic city of `n` households to folder `out`: ``population.jsonl``
    or the tables of the columnar layout (``fmt`` parquet or csv). Returns the input
    path to give ``levyrules batch``."""
    from .convert import write_households
    from ..engine.household_read import FISCAL_YEARS
    if fiscal_year not in FISCAL_YEARS:     # the reader would refuse every household
        raise InputError("--fiscal-year", f"must be a year such as 2025 ({FISCAL_YEARS[0]}–"
                                          f"{FISCAL_YEARS[-1]})")
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise InputError("--out", f"{folder.name} is a file: give a folder")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "population.jsonl" if fmt == "jsonl" else folder
    write_households(households(n, fiscal_year, seed, city=True), target, fmt)
    return target

