"""期間制限 (地方税法17条の5) and the 過年度 slots of いわき市's assessment file.

A 賦課決定 that raises the tax can be made until 3 years have passed from the day after
the 法定納期限; one that lowers it, 5 years; where the tax escaped by 偽りその他不正の
行為, 7 years [K: the 条文 was not re-read, rulebook §13.3]. The 法定納期限 of a year's
国民健康保険税 is taken as the 納期限 of its first 普通徴収 period (the tariff's first
due date), else 31 July of the fiscal year. The engine has no clock: the caller says
on which day the revision is made (`as_of`).

Periods are counted as 民法140条・143条 count them: from the day after the 法定納期限,
ending on the day before the corresponding day N years later (the last day of the month
when that month has no such day). So a first 納期限 of 2023-07-31 allows an increase
until 2026-07-31 and a decrease until 2028-07-31.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Iterable

from ..errors import InputError, LevyError

YEARS = {"increase": 3, "decrease": 5}
FRAUD_YEARS = 7
SLOTS = 4          # いわき市: 随時課税分税額 過年度1〜過年度4


class LimitationExpired(LevyError):
    """A 更正 asked for after 地方税法17条の5's period has run out."""

    def __init__(self, fiscal_year: int, kind: str, ends: date, as_of: date):
        self.fiscal_year = fiscal_year
        self.kind = kind
        self.ends = ends
        self.as_of = as_of
        what = "an increase" if kind == "increase" else "a decrease"
        super().__init__(f"as_of: {what} of fiscal year {fiscal_year}'s tax can be assessed "
                         f"only until {ends.isoformat()} (地方税法17条の5), not on "
                         f"{as_of.isoformat()}")


def statutory_due(fiscal_year: int, first_due: date | None = None) -> date:
    """法定納期限: the first period's 納期限, else 31 July of the fiscal year."""
    return first_due if first_due is not None else date(fiscal_year, 7, 31)


def years_for(kind: str, fraud: bool = False) -> int:
    if kind not in YEARS:
        raise ValueError(f"kind must be 'increase' or 'decrease', not {kind!r}")
    return FRAUD_YEARS if fraud else YEARS[kind]


def period_end(fiscal_year: int, kind: str, first_due: date | None = None,
               fraud: bool = False) -> date:
    """The last day on which the revision may still be made."""
    start = statutory_due(fiscal_year, first_due) + timedelta(days=1)   # 起算日
    n = years_for(kind, fraud)
    try:
        return start.replace(year=start.year + n) - timedelta(days=1)
    except ValueError:                   # 起算日 29 February, no such day N years later
        return date(start.year + n, 2, 28)


def within_period(fiscal_year: int, kind: str, as_of: date, first_due: date | None = None,
                  fraud: bool = False) -> bool:
    """Whether a revision of `kind` ("increase" or "decrease") of fiscal year
    `fiscal_year`'s tax made on `as_of` is within 地方税法17条の5's period."""
    return as_of <= period_end(fiscal_year, kind, first_due, fraud)


def _fy_and_difference(rev, i: int) -> tuple[int, int]:
    if isinstance(rev, dict):
        fy = rev.get("fiscal_year")
        total = rev.get("total")
        diff = total.get("difference") if isinstance(total, dict) else None
    else:
        fy, diff = rev.fiscal_year, rev.difference
    if isinstance(fy, bool) or not isinstance(fy, int):
        raise InputError(f"revisions[{i}].fiscal_year", "must be a fiscal year")
    if isinstance(diff, bool) or not isinstance(diff, int):
        raise InputError(f"revisions[{i}].total.difference", "must be a whole number of yen")
    return fy, diff


def past_year_slots(current_fy: int, revisions: Iterable) -> list[dict]:
    """いわき市's 随時課税分税額 (過年度1〜過年度4): the revisions of earlier fiscal years
    made in `current_fy`, summed per year; 過年度k = fiscal year current_fy − k.

    `revisions` are :class:`levyrules.collection.revision.Revision` objects or their JSON. Each
    slot's amount is the sum of the differences (an increase is positive, a decrease
    negative). A revision of the current year, or of a year more than four years back,
    fits no slot and is refused. [interpretation: functions.md reads the four slots as
    the 17条の5 window; the field's exact meaning was not published]
    """
    slots = [{"slot": k, "label": f"過年度{k}", "fiscal_year": current_fy - k, "amount": 0,
              "revisions": 0} for k in range(1, SLOTS + 1)]
    for i, rev in enumerate(revisions):
        fy, diff = _fy_and_difference(rev, i)
        k = current_fy - fy
        if not 1 <= k <= SLOTS:
            raise InputError(f"revisions[{i}].fiscal_year",
                             f"fiscal year {fy} is not one of the {SLOTS} years before "
                             f"{current_fy} (過年度1〜過年度{SLOTS})")
        slots[k - 1]["amount"] += diff
        slots[k - 1]["revisions"] += 1
    return slots
