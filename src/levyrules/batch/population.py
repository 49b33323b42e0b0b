"""A population as columns: what the columnar evaluator reads.

Households are rows 0..H−1; persons are rows 0..P−1 grouped by household in household
order (``start[h]:start[h+1]``); insured periods, separate incomes and care-exempt
periods are rows that point at their person. Dates are proleptic ordinals
(``date.toordinal()``), money whole yen, both int64; an absent date or optional amount is
:data:`NONE`. Households the columns do not take (a 世帯主変更, 条例減免 facts) are
flagged ``scalar`` and keep their :class:`Household` for the per-household engine.
"""

from __future__ import annotations

from datetime import date
from typing import Sequence

import attrs

from ..household import SEPARATE_KINDS, Household, Income

NONE = -(2 ** 63)          # an absent date or optional amount
# Income fields by kind (the optional amounts are NONE when absent)
OPTIONAL_AMOUNTS = ("salary_revenue", "salary_income", "pension_revenue", "pension_income")
AMOUNTS = tuple(f.name for f in attrs.fields(Income)
                if f.type in ("int", int) and f.name not in OPTIONAL_AMOUNTS)
FLAGS = tuple(f.name for f in attrs.fields(Income) if f.type in ("bool", bool))


def _np():
    from ..population.extras import need
    return need("numpy", "batch", "the columnar evaluator")


@attrs.define(slots=True, eq=False)
class Population:
    fiscal_year: int
    household_ids: list            # str per household
    start: object                  # int64[H+1]: persons of household h
    head: object                   # int64[H]: person row of the 世帯主
    scalar: object                 # bool[H]: evaluated per household (head changes, relief)
    person_ids: list               # str per person
    household: object              # int64[P]: household row of each person
    birth: object                  # int64[P] ordinal
    late_since: object             # int64[P] ordinal or NONE (後期高齢者医療の資格取得日)
    fixed_asset_tax: object        # int64[P]
    income: dict                   # Income field -> int64[P] (NONE: absent) or bool[P]
    separate: dict                 # person, kind (index in SEPARATE_KINDS), income, special_deduction
    periods: dict                  # person, start, until (NONE: open) — 国保の資格
    statuses: dict                 # per person: unemployment_separation, unemployment_reason
                                   # (str or None), childbirth_expected, childbirth_actual,
                                   # childbirth_multiple, former_dependent_since
    care_exempt: dict              # person, start, until: 介護保険適用除外施設 periods
    municipality: list             # str or None per household
    households: Sequence | None = None   # the Household objects, when built from them
    _ids: object = None

    @property
    def size(self) -> int:
        return len(self.household_ids)

    def ids(self):
        """The household ids as an object array (made once)."""
        if self._ids is None:
            self._ids = _np().array(self.household_ids, object)
        return self._ids


def _d(d: date | None) -> int:
    return NONE if d is None else d.toordinal()


def from_households(households: Sequence[Household], fiscal_year: int | None = None
                    ) -> Population:
    """The columns of `households` for `fiscal_year` (default: the first household's); a
    household of another year is flagged `scalar` (the engine refuses it, by name)."""
    np = _np()
    if fiscal_year is None:
        fiscal_year = households[0].fiscal_year if households else 0
    start, head, scalar, pids, hh_of, birth, late, asset = [0], [], [], [], [], [], [], []
    inc = {k: [] for k in OPTIONAL_AMOUNTS + AMOUNTS + FLAGS}
    sep = {k: [] for k in ("person", "kind", "income", "special_deduction")}
    per = {k: [] for k in ("person", "start", "until")}
    care = {k: [] for k in ("person", "start", "until")}
    st = {k: [] for k in ("unemployment_separation", "unemployment_reason",
                          "childbirth_expected", "childbirth_actual", "childbirth_multiple",
                          "former_dependent_since")}
    kind_index = {k: i for i, k in enumerate(SEPARATE_KINDS)}
    for h_i, h in enumerate(households):
        head_row = -1
        for p in h.persons:
            row = len(pids)
            if p.id == h.head:
                head_row = row
            pids.append(p.id)
            hh_of.append(h_i)
            birth.append(p.birth_date.toordinal())
            late.append(_d(p.late_elderly_since))
            asset.append(p.fixed_asset_tax)
            i = p.income
            for k in OPTIONAL_AMOUNTS:
                v = getattr(i, k)
                inc[k].append(NONE if v is None else v)
            for k in AMOUNTS + FLAGS:
                inc[k].append(getattr(i, k))
            for s in i.separate:
                for k, v in (("person", row), ("kind", kind_index[s.kind]),
                             ("income", s.income), ("special_deduction", s.special_deduction)):
                    sep[k].append(v)
            for q in p.insured:
                per["person"].append(row)
                per["start"].append(q.start.toordinal())
                per["until"].append(_d(q.until))
            s = p.statuses
            u, c = s.involuntary_unemployment, s.childbirth
            st["unemployment_separation"].append(_d(u.separation_date) if u else NONE)
            st["unemployment_reason"].append(u.reason_code if u else None)
            st["childbirth_expected"].append(_d(c.expected_date) if c else NONE)
            st["childbirth_actual"].append(_d(c.actual_date) if c else NONE)
            st["childbirth_multiple"].append(bool(c and c.multiple))
            st["former_dependent_since"].append(_d(s.former_dependent_since))
            for q in s.care_exempt_facility:
                care["person"].append(row)
                care["start"].append(q.start.toordinal())
                care["until"].append(_d(q.until))
        start.append(len(pids))
        head.append(head_row)
        scalar.append(bool(h.head_changes or h.relief or head_row < 0
                           or h.fiscal_year != fiscal_year))
    i64 = np.int64

    def ints(d: dict, skip=()) -> dict:
        return {k: (v if k in skip else np.array(v, dtype=bool if k in FLAGS
                                                  or k == "childbirth_multiple" else i64))
                for k, v in d.items()}
    return Population(
        fiscal_year, [h.id for h in households], np.array(start, i64),
        np.array(head, i64), np.array(scalar, bool), pids, np.array(hh_of, i64),
        np.array(birth, i64), np.array(late, i64), np.array(asset, i64), ints(inc),
        ints(sep), ints(per), ints(st, ("unemployment_reason",)), ints(care),
        [h.municipality for h in households], households)
