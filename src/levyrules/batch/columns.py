"""The assessment file in columns: one array per column of population/rows.py `schema`
(int64 for money and counts, bool for flags, object for text), one entry per household
in input order; the households the engine refused are left out and listed with their
error. The household part (軽減区分, 判定所得, counts, 世帯の類型), the totals and the
期別税額 are computed here from the judgement and the components' columns."""

from __future__ import annotations

from datetime import timedelta

import attrs

from ..engine.assess import assess
from ..engine.calendar import age_on, fy_start
from ..collection import installment_columns
from ..errors import LevyError
from ..population import rows as rowmod
from .judge import SPECIFIED


# the type of each combination of the four facts, at fictitious·8 + children·4 + single·2
# + single_old (one gather per household instead of nested np.where)
_TYPES = tuple(rowmod.type_of(*(bool(k >> b & 1) for b in (3, 2, 1, 0))) for k in range(16))
_OLD: dict = {}


def _born_by(fy: int, years: int = 65) -> int:
    """The ordinal of the last birth date with age_on(birth, 1 April of `fy`) >= years:
    a person is that old on 1 April exactly when born on or before it (age_on, the
    scalar rule, decides; the age falls as the birth date moves later)."""
    key = (fy, years)
    if key not in _OLD:
        start = fy_start(fy)
        day = start.replace(year=fy - years) + timedelta(days=3)
        while age_on(day, start) < years:
            day -= timedelta(days=1)
        _OLD[key] = day.toordinal()
    return _OLD[key]


_TEXT: list = []


def text_column(np, values, arrow):
    """The object array of str `values` as a text column that pyarrow converts without
    reading each string (the `__arrow_array__` protocol, which `pa.array` honours before
    anything else): `arrow()` makes the same column as an Arrow array, from the few
    labels a column takes (a take of them by code) or the Arrow array the ids were read
    from. To numpy it is the object array (`tolist`, indexing, comparisons); the array is
    read-only, and a view, a slice or anything computed from it converts string by string
    as before, so what pyarrow gets is always the array's own strings."""
    if not _TEXT:
        class Text(np.ndarray):
            def __array_finalize__(self, obj):
                self._arrow = None

            def __arrow_array__(self, type=None):
                import pyarrow as pa
                if self._arrow is None:
                    return pa.array(self.view(np.ndarray), type=type)
                out = self._arrow()
                return out if type is None or out.type == type else out.cast(type)
        _TEXT.append(Text)
    out = values.view(_TEXT[0])
    out._arrow = arrow
    out.flags.writeable = False
    return out


def labels_column(np, labels: tuple, codes):
    """A text column of `labels` (a few str) taken at int `codes`."""
    table = np.array(labels, object)

    def arrow():
        import pyarrow as pa
        return pa.array(table, pa.string()).take(pa.array(codes))
    return text_column(np, table.take(codes), arrow)


def _ids(np, pop, rows):
    """The household ids at `rows` (None: all) as a text column: from the Arrow array
    they were read from when the tables were read as columns."""
    ids = pop.ids() if rows is None else pop.ids().take(rows)
    arr = getattr(pop.household_ids, "arr", None)
    if arr is None:
        return ids

    def arrow():
        import pyarrow as pa
        return arr if rows is None else arr.take(pa.array(rows))
    return text_column(np, ids, arrow)


@attrs.frozen(slots=True, eq=False)
class Columns:
    names: tuple           # the columns of rows.schema(tariff), in file order
    arrays: dict           # name -> numpy array (one entry per household kept)
    rejects: list          # (household row in the population, LevyError)
    index: object          # int64: the population row of each household kept

    def __len__(self) -> int:
        return len(self.index)

    def rows(self) -> list:
        """Row-major: one list per household, equal to rows.row(household, assess(…))."""
        cols = [self.arrays[n].tolist() for n in self.names]
        return [list(r) for r in zip(*cols)]


def household_columns(np, pop, tariff, v, parts: dict, money: tuple | None = None,
                      head_changes=None) -> dict:
    """Every column for the households of view `v` (int64/bool/object arrays); `money`:
    the households' (total, 端数, 期別税額, 随時) when already made (`notices`), else
    from the components' amounts; `head_changes`: int64[H] (else 0)."""
    j, f = v.judgement, v.facts
    H = len(v.index)
    hi = v.index
    first = int(v.judged.min()) if H else 0
    days = np.arange(first, int(v.judged.max()) + 1 if H else first)
    out: dict = {"household_id": _ids(np, pop, None if H == pop.size else hi),
                 "fiscal_year": np.full(H, pop.fiscal_year, np.int64),
                 "tier": j.tier, "judgement_income": j.judgement_income,
                 "judged_on": labels_column(np, np.datetime_as_string(
                     (days - 719163).astype("datetime64[D]")).tolist(), v.judged - first),
                 "persons_counted": j.persons, "earners": j.earners, "declared": j.declared,
                 "specified_household": labels_column(np, SPECIFIED, j.specified)}
    insured = f.insured != 0

    n_insured, under18, old, preschool, care, unsure = v.groups.counts([
        insured, f.under18 & insured, insured & (v.birth <= _born_by(pop.fiscal_year)),
        f.preschool & insured, f.care != 0,
        (insured | v.counted) & ~v.income.declared])     # (provisional: see _totals)
    head_insured = insured.take(v.head)
    single_old = old == 1                           # one insured, 65 or over on 1 April
    kind = (~head_insured).view(np.int8) * np.int8(8)
    kind += (under18 > 0).view(np.int8) * np.int8(4)
    kind += (n_insured == 1).view(np.int8) * np.int8(2)
    kind += single_old.view(np.int8)
    out.update(household_type=labels_column(np, _TYPES, kind),
               insured_persons=n_insured,
               preschool_children=preschool, under18_insured=under18,
               care_persons=care, fictitious_head=~head_insured,
               head_changes=np.zeros(H, np.int64) if head_changes is None else head_changes)
    for name, cols in parts.items():
        for k, col in cols.items():
            out[f"{name}_{k}"] = col
        for r in tariff.relief:
            out[f"{name}_relief_{r.id}"] = np.zeros(H, np.int64)
    if money is None:
        money = notices(np, tariff, parts, v.judged)
    _totals(np, tariff, out, money, unsure > 0)
    return out


def notices(np, tariff, parts: dict, judged) -> tuple:
    """Per notice (a household, or one 納税義務者's part of it): the total of the
    components' amounts after the 100円 cut of the total when the tariff cuts there, the
    cut, the 期別税額 (int64[H, n]) spread from `judged` and what is due at once."""
    H = len(judged)
    total = np.zeros(H, np.int64)
    for cols in parts.values():
        total += cols["amount"]
    rounding = np.zeros(H, np.int64)
    if tariff.rounding.hundred == "total":
        rounding = total - total // 100 * 100
        total = total - rounding
    if tariff.installments is not None:
        by_period, at_once = installment_columns(total, judged, tariff.installments,
                                                 tariff.fiscal_year)
    else:
        by_period, at_once = np.zeros((H, 0), np.int64), np.zeros(H, np.int64)
    return total, rounding, by_period, at_once


def _totals(np, tariff, out: dict, money: tuple, provisional) -> None:
    """The money columns, and `provisional`: whether someone insured or counted has not
    declared an income."""
    total, rounding, by_period, at_once = money
    H = len(total)
    for i, p in enumerate(rowmod.periods(tariff)):
        out[f"installment_{p}"] = by_period[:, i]
    out["installment_at_once"] = at_once
    out.update(total=total, total_rounding=rounding, provisional=provisional,
               unverified=np.full(H, tariff.status != "verified"),
               complete=np.ones(H, bool))


def merge_scalar(np, pop, tariff, out: dict | None, scalar_rows) -> Columns:
    """The households the columns did not take, through `assess` (partial: an unknown
    component gives empty cells), merged into the columns in input order."""
    schema = rowmod.schema(tariff)
    names = tuple(n for n, _ in schema)
    kept = np.setdiff1d(np.arange(pop.size), scalar_rows, assume_unique=True)
    if out is None:
        out = {n: np.zeros(0, _dtype(np, k)) for n, k in schema}
    rejects, extra, extra_index = [], [], []
    for i in scalar_rows.tolist():
        h = pop.households[i]
        try:
            result = assess(h, tariff, partial=True)
        except LevyError as e:
            rejects.append((i, e))
            continue
        extra.append(rowmod.row(h, result, tariff))
        extra_index.append(i)
    if not extra:
        return Columns(names, {n: _typed(np, out[n], k) for n, k in schema}, rejects, kept)
    index = np.union1d(kept, extra_index)
    at_extra = np.searchsorted(index, extra_index)
    at_kept = np.ones(len(index), bool)     # a mask: twice as fast as positions to fill
    at_kept[at_extra] = False
    arrays = {}
    for (n, kind), tail in zip(schema, zip(*extra)):
        dtype = object if None in tail else _dtype(np, kind)
        col = np.empty(len(index), dtype)
        col[at_kept] = out.pop(n)           # one column at a time: no second copy of all
        col[at_extra] = tail
        arrays[n] = col
    return Columns(names, arrays, rejects, index)


def _dtype(np, kind: str):
    return {"int": np.int64, "bool": bool}.get(kind, object)


def _typed(np, col, kind: str):
    want = _dtype(np, kind)
    return col if getattr(col, "dtype", None) == want else np.asarray(col).astype(want)
