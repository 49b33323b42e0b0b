"""The optional tables as columns, checked as levyrules.engine.household_read reads them:
``separate_incomes`` (分離課税の所得), ``statuses`` (非自発的失業 地方税法703条の5の2,
産前産後 703条の5の3, 旧被扶養者 and 介護保険適用除外施設 periods) and ``head_changes``
(世帯主変更: the new 世帯主's person row and the date, which batch/head_change.py splits the
year by).

Each function takes the rows of a chunk (an arrow table, or None when the table is absent)
and the person row each names (-1: none), adds its columns, and returns ``bad`` per row:
True where the household reader might refuse the row (tablebuild explains why a cautious
True is harmless and a missed one is not).
"""

from __future__ import annotations

from ..engine.fields import MAX_ITEMS
from ..engine.household import LAND_KINDS, SEPARATE_KINDS
from ..population.layout import STATUS_FIELDS
from . import tablecells as cells
from .population import NONE

STATUSES = tuple(STATUS_FIELDS)     # involuntary_unemployment, childbirth, former_dependent,
UNEMPLOYMENT, CHILDBIRTH, FORMER, CARE = range(4)                   # care_exempt_facility
REASON = r"^[0-9]{2}$"
DATE_COLUMNS = ("separation_date", "expected_date", "actual_date", "since", "from", "until")


def _col(t, name):
    from .tablebuild import col
    return col(t, name)


def _codes(arr, names, n):
    from .tablebuild import _codes
    _, pa, _ = cells._libs()
    return _codes(arr, pa.array(names, pa.string()), n)


def separate(t, prow, person: dict, out: dict):
    """The ``separate`` columns (person, kind as an index of SEPARATE_KINDS, income,
    special_deduction), in person order and table order within a person."""
    np = cells._libs()[0]
    n = len(prow)
    kind = _codes(_col(t, "kind"), SEPARATE_KINDS, n)
    income, i_bad = cells.ints(_col(t, "income"), n)
    ded, d_bad = cells.ints(_col(t, "special_deduction"), n, 0)
    land = np.isin(kind, [SEPARATE_KINDS.index(k) for k in LAND_KINDS])
    bad = (prow < 0) | (kind < 0) | i_bad | (income == NONE) | d_bad | ((ded != 0) & ~land)
    bad |= _too_many(prow)
    o = np.argsort(prow, kind="stable")
    o = o[prow[o] >= 0]
    out["separate"] = {"person": prow[o], "kind": kind[o], "income": income[o],
                       "special_deduction": ded[o]}
    return bad


def _too_many(prow):
    np = cells._libs()[0]
    if not len(prow):
        return np.zeros(0, bool)
    return np.bincount(np.maximum(prow, 0))[np.maximum(prow, 0)] > MAX_ITEMS


def statuses(t, prow, person: dict, out: dict):
    """The per-person status columns (Population.statuses) and ``care_exempt`` periods."""
    np, pa, _ = cells._libs()
    from .tablebuild import spans
    n, size = len(prow), len(person["birth"])
    code = _codes(_col(t, "status"), STATUSES, n)
    bad = (prow < 0) | (code < 0)
    d = {}
    for c in DATE_COLUMNS:                  # any unreadable date: cautious, see above
        d[c], c_bad = cells.dates(_col(t, c), n)
        bad |= c_bad
    multiple, m_bad = cells.bools(_col(t, "multiple"), n, False)
    reason = _col(t, "reason_code")
    bad |= m_bad
    bad |= (code == UNEMPLOYMENT) & ((d["separation_date"] == NONE)
                                    | ~cells.matches(reason, REASON, n))
    bad |= (code == CHILDBIRTH) & (d["expected_date"] == NONE) & (d["actual_date"] == NONE)
    bad |= (code == FORMER) & (d["since"] == NONE)
    once = np.flatnonzero((code >= 0) & (code != CARE) & (prow >= 0))
    key = prow[once] * 4 + code[once]
    o = np.argsort(key, kind="stable")
    twice = once[o][1:][key[o][1:] == key[o][:-1]]
    bad[twice] = True
    care = np.flatnonzero(code == CARE)
    keep = pa.array(code == CARE) if t is not None else None
    cols, c_bad = spans(prow[care], _filter(_col(t, "from"), keep),
                        _filter(_col(t, "until"), keep))
    bad[care] |= c_bad
    out["care_exempt"] = cols
    st = {k: np.full(size, NONE, np.int64) for k in (
        "unemployment_separation", "childbirth_expected", "childbirth_actual",
        "former_dependent_since")}
    st["childbirth_multiple"] = np.zeros(size, bool)
    ok = ~bad
    for name, c, column in (("unemployment_separation", UNEMPLOYMENT, "separation_date"),
                            ("childbirth_expected", CHILDBIRTH, "expected_date"),
                            ("childbirth_actual", CHILDBIRTH, "actual_date"),
                            ("former_dependent_since", FORMER, "since")):
        at = ok & (code == c)
        st[name][prow[at]] = d[column][at]
    at = ok & (code == CHILDBIRTH)
    st["childbirth_multiple"][prow[at]] = multiple[at]
    reasons = [None] * size
    at = np.flatnonzero(ok & (code == UNEMPLOYMENT))
    if len(at):
        texts = reason.take(pa.array(at)).to_pylist()
        for i, text in zip(prow[at], texts):
            reasons[i] = text
    person["statuses"] = {**st, "unemployment_reason": reasons}     # from_households' order
    return bad


def _filter(arr, keep):
    return None if arr is None else arr.filter(keep)


def head_changes(t, v, index, out: dict) -> object:
    """``bad`` per 世帯主変更 row of households `v`, as household_read._read_head_changes
    checks them: a date, a head naming a person of the household, no two on one date, at
    most MAX_ITEMS a household. Adds out["head_changes"]: person (the new 世帯主's row)
    and date of the rows naming a person."""
    np = cells._libs()[0]
    n = len(v)
    prow = index.row(v, _col(t, "head"))                # a person's id (checked there)
    date, bad = cells.dates(_col(t, "date"), n)
    bad |= (date == NONE) | (prow < 0)
    named = prow >= 0
    out["head_changes"] = {"person": prow[named], "date": date[named]}
    o = np.lexsort((date, v))
    same = (v[o][1:] == v[o][:-1]) & (date[o][1:] == date[o][:-1])
    bad[o[1:][same]] = True
    if n:
        bad |= np.bincount(v)[v] > MAX_ITEMS
    return bad
