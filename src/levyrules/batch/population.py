"""A population as columns: what the columnar evaluator reads.

Households are rows 0..H−1; persons are rows 0..P−1 grouped by household in household
order (``start[h]:start[h+1]``); insured periods, separate incomes and care-exempt
periods are rows that point at their person. Dates are proleptic ordinals
(``date.toordinal()``), money whole yen, both int64; an absent date or optional amount is
:data:`NONE`. Households the columns do not take (a 世帯主変更, 条例減免 facts) are
flagged ``scalar`` and keep their :class:`Household` for the per-household engine; the
世帯主変更 of a household whose only such fact it is are rows too (``head_changes``: the
new 世帯主's person row and the date), so batch/head_change.py evaluates it without its
Household.
"""

from __future__ import annotations

from datetime import date
from operator import attrgetter
from typing import Sequence

import attrs

from ..engine.household import NO_STATUSES, SEPARATE_KINDS, Household, Income

NONE = -(2 ** 63)          # an absent date or optional amount
# Income fields by kind (the optional amounts are NONE when absent)
OPTIONAL_AMOUNTS = ("salary_revenue", "salary_income", "pension_revenue", "pension_income")
AMOUNTS = tuple(f.name for f in attrs.fields(Income)
                if f.type in ("int", int) and f.name not in OPTIONAL_AMOUNTS)
FLAGS = tuple(f.name for f in attrs.fields(Income) if f.type in ("bool", bool))


def _np():
    from ..population.extras import need
    return need("numpy", "batch", "the columnar evaluator")


class Texts(Sequence):
    """The text cells of an arrow array as a sequence of str (None where null), made
    Python strings only when read: most person ids never are."""

    __slots__ = ("arr", "_items")

    def __init__(self, arr):
        self.arr, self._items = arr, None

    def __len__(self) -> int:
        return len(self.arr)

    def items(self) -> list:
        if self._items is None:
            self._items = self.arr.to_pylist()
        return self._items

    def __getitem__(self, i):
        return self.items()[i]

    def __iter__(self):
        return iter(self.items())

    def __eq__(self, other) -> bool:
        return isinstance(other, (list, Texts)) and list(self) == list(other)

    def take(self, idx) -> "Texts":
        return Texts(self.arr.take(idx))


@attrs.define(slots=True, eq=False)
class Population:
    fiscal_year: int
    household_ids: Sequence        # str per household (a list or Texts)
    start: object                  # int64[H+1]: persons of household h
    head: object                   # int64[H]: person row of the 世帯主
    scalar: object                 # bool[H]: evaluated per household (head changes, relief)
    person_ids: Sequence           # str per person (a list or Texts)
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
    head_changes: dict             # person (the new 世帯主), date: the 世帯主変更 (in any
                                   # order) of the households flagged `scalar` for them alone
    households: Sequence | None = None   # the Household objects, when built from them
    _ids: object = None

    @property
    def size(self) -> int:
        return len(self.household_ids)

    def ids(self):
        """The household ids as an object array (made once)."""
        if self._ids is None:
            ids = self.household_ids
            self._ids = ids.arr.to_numpy(zero_copy_only=False) if isinstance(ids, Texts) \
                else _np().array(ids, object)
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
    start, head, scalar, pids = [0], [], [], []
    people, sep, per, care, st, changes = [], [], [], [], [], []
    for h_i, h in enumerate(households):
        head_row = -1
        for p in h.persons:
            row = len(pids)
            if p.id == h.head:
                head_row = row
            pids.append(p.id)
            _person(p, h_i, row, people, sep, per, care, st)
        start.append(len(pids))
        head.append(head_row)
        scalar.append(bool(h.head_changes or h.relief or head_row < 0
                           or h.fiscal_year != fiscal_year))
        if h.head_changes and not h.relief and head_row >= 0 and h.fiscal_year == fiscal_year:
            changes += _changes(h, start[-2], pids)
    i64 = np.int64
    cols = _split(np, people, ("household", "birth", "late_since", "fixed_asset_tax")
                  + OPTIONAL_AMOUNTS + AMOUNTS, FLAGS)
    statuses = _split(np, st, _STATUS_INTS, ("childbirth_multiple",))
    statuses["unemployment_reason"] = [r[-1] for r in st]
    return Population(
        fiscal_year, [h.id for h in households], np.array(start, i64),
        np.array(head, i64), np.array(scalar, bool), pids, cols.pop("household"),
        cols.pop("birth"), cols.pop("late_since"), cols.pop("fixed_asset_tax"), cols,
        _split(np, sep, ("person", "kind", "income", "special_deduction")),
        _split(np, per, ("person", "start", "until")), statuses,
        _split(np, care, ("person", "start", "until")),
        [h.municipality for h in households], _split(np, changes, ("person", "date")),
        households)


def _changes(h: Household, a: int, pids: list) -> list:
    """The (new 世帯主's person row, date) of each 世帯主変更 of `h` (its persons at rows
    a..), or none when a person id repeats, a change names no person or the changes are
    not in date order, one a day (as the household reader gives them): the engine takes
    such a household, per household."""
    rows = {pid: a + k for k, pid in enumerate(pids[a:])}
    changes = h.head_changes
    if len(rows) != len(pids) - a or any(c.head not in rows for c in changes) or \
            any(c.date >= d.date for c, d in zip(changes, changes[1:])):
        return []
    return [(rows[c.head], c.date.toordinal()) for c in h.head_changes]


_STATUS_INTS = ("unemployment_separation", "childbirth_expected", "childbirth_actual",
                "former_dependent_since")
_NO_STATUS = (NONE, NONE, NONE, NONE, False, None)
_KIND = {k: i for i, k in enumerate(SEPARATE_KINDS)}
_OPTIONAL = attrgetter(*OPTIONAL_AMOUNTS)
_AMOUNTS_FLAGS = attrgetter(*(AMOUNTS + FLAGS))


def _person(p, h_i: int, row: int, people: list, sep: list, per: list, care: list,
            st: list) -> None:
    """Append one person's rows (a tuple per table) to the lists."""
    i = p.income
    people.append((h_i, p.birth_date.toordinal(), _d(p.late_elderly_since),
                   p.fixed_asset_tax) + tuple(NONE if v is None else v for v in _OPTIONAL(i))
                  + _AMOUNTS_FLAGS(i))
    for s in i.separate:
        sep.append((row, _KIND[s.kind], s.income, s.special_deduction))
    for q in p.insured:
        per.append((row, q.start.toordinal(), _d(q.until)))
    s = p.statuses
    if s is NO_STATUSES:
        st.append(_NO_STATUS)
        return
    u, c = s.involuntary_unemployment, s.childbirth
    st.append((_d(u.separation_date) if u else NONE, _d(c.expected_date) if c else NONE,
               _d(c.actual_date) if c else NONE, _d(s.former_dependent_since),
               bool(c and c.multiple), u.reason_code if u else None))
    for q in s.care_exempt_facility:
        care.append((row, q.start.toordinal(), _d(q.until)))


def _split(np, rows: list, ints: tuple, bools: tuple = ()) -> dict:
    """Tuples (ints first, then bools, then anything else) → one column per name."""
    n = len(ints) + len(bools)
    if rows and len(rows[0]) > n:
        rows = [r[:n] for r in rows]
    table = np.array(rows, np.int64).reshape(len(rows), n)
    out = {name: table[:, j].copy() for j, name in enumerate(ints)}
    out.update({name: table[:, len(ints) + j] != 0 for j, name in enumerate(bools)})
    return out
