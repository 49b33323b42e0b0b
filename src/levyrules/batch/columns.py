"""The assessment file in columns: one array per column of population/rows.py `schema`
(int64 for money and counts, bool for flags, object for text), one entry per household
in input order; the households the engine refused are left out and listed with their
error. The household part (軽減区分, 判定所得, counts, 世帯の類型), the totals and the
期別税額 are computed here from the judgement and the components' columns."""

from __future__ import annotations

import attrs

from ..engine.assess import assess
from ..engine.calendar import age_at_least_columns, fy_start
from ..collection import installment_columns
from ..errors import LevyError
from ..population import rows as rowmod
from .judge import SPECIFIED

_TYPE = {t: i for i, t in enumerate(rowmod.HOUSEHOLD_TYPES)}


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
    out: dict = {"household_id": pop.ids() if H == pop.size else pop.ids()[hi],
                 "fiscal_year": np.full(H, pop.fiscal_year, np.int64),
                 "tier": j.tier, "judgement_income": j.judgement_income,
                 "judged_on": np.datetime_as_string(
                     (days - 719163).astype("datetime64[D]")).astype(object)[v.judged - first],
                 "persons_counted": j.persons, "earners": j.earners, "declared": j.declared,
                 "specified_household": np.array(SPECIFIED, object)[j.specified]}
    insured = f.insured != 0

    count = v.groups.sum
    n_insured = count(insured)
    under18 = count(f.under18 & insured)
    head_insured = insured[v.head]
    fy = pop.fiscal_year
    old = age_at_least_columns(v.birth, 65, fy_start(fy).toordinal())   # on 1 April
    single_old = count(insured & old) == 1
    kind = np.where(~head_insured, _TYPE["fictitious_head"],
                    np.where(under18 > 0, _TYPE["with_children"],
                             np.where(n_insured == 1,
                                      np.where(single_old, _TYPE["single_65plus"],
                                               _TYPE["single_under65"]), _TYPE["adults"])))
    out.update(household_type=np.array(rowmod.HOUSEHOLD_TYPES, object)[kind],
               insured_persons=n_insured,
               preschool_children=count(f.preschool & insured), under18_insured=under18,
               care_persons=count(f.care != 0), fictitious_head=~head_insured,
               head_changes=np.zeros(H, np.int64) if head_changes is None else head_changes)
    for name, cols in parts.items():
        for k, col in cols.items():
            out[f"{name}_{k}"] = col
        for r in tariff.relief:
            out[f"{name}_relief_{r.id}"] = np.zeros(H, np.int64)
    if money is None:
        money = notices(np, tariff, parts, v.judged)
    _totals(np, tariff, out, money, v)
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


def _totals(np, tariff, out: dict, money: tuple, v) -> None:
    total, rounding, by_period, at_once = money
    H = len(total)
    for i, p in enumerate(rowmod.periods(tariff)):
        out[f"installment_{p}"] = by_period[:, i]
    out["installment_at_once"] = at_once
    provisional = v.groups.any(((v.facts.insured != 0) | v.counted) & ~v.income.declared)
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
    return np.asarray(col).astype(_dtype(np, kind), copy=False)
